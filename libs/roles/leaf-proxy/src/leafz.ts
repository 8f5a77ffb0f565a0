import { formatGoTime, formatRtt, querySubscriptions } from '@nats-ts/observability';
import type { LeafProxy } from './leaf-proxy.js';
import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';

/** One leaf connection in /leafz, with nats-server 2.9's field names. */
export interface LeafzEntry {
  account: string;
  ip: string;
  port: number;
  rtt?: string;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  subscriptions: number;
  subscriptions_list?: string[];
}

export interface Leafz {
  server_id: string;
  now: string;
  leafnodes: number;
  leafs: LeafzEntry[];
}

/** GET /leafz (`subs=1` lists each connection's interest, `acc=` keeps one account's connections). */
export function buildLeafz(proxy: LeafProxy | undefined, serverId: string, query: Record<string, string>): Leafz {
  const withSubs = querySubscriptions(query) !== 'none';
  const account = query.acc;
  const leafs: LeafzEntry[] = [];
  for (const conn of proxy?.connections.values() ?? []) {
    if (!conn.registered || (account !== undefined && account !== '' && conn.account !== account)) continue;
    const interest = proxy!.links.subscriptionsOf(conn);
    const entry: LeafzEntry = {
      account: conn.account,
      ip: conn.remoteAddress,
      port: conn.remotePort,
      ...(conn.rttMs > 0 ? { rtt: formatRtt(conn.rttMs) } : {}),
      in_msgs: conn.inMsgs,
      out_msgs: conn.outMsgs,
      in_bytes: conn.inBytes,
      out_bytes: conn.outBytes,
      subscriptions: interest.size,
    };
    if (withSubs && interest.size > 0) entry.subscriptions_list = [...interest.keys()];
    leafs.push(entry);
  }
  return { server_id: serverId, now: formatGoTime(Date.now()), leafnodes: leafs.length, leafs };
}

/** The `leaf` block and the `leafnodes` count of /varz, with nats-server's field names (empty fields left out). */
export function leafVarz(proxy: LeafProxy): Record<string, unknown> {
  const o = proxy.options;
  const leaf = o.leafnodes;
  const bound = proxy.boundAddress;
  const block: Record<string, unknown> = {};
  if (bound !== undefined) {
    block.host = bound.host;
    block.port = bound.port;
    block.auth_timeout = (leaf?.authTimeoutMs ?? o.auth.timeoutMs) / 1000;
  }
  if (leaf?.tls !== undefined) {
    block.tls_timeout = leaf.tls.timeoutMs / 1000;
    block.tls_required = true;
    if (leaf.tls.verify) block.tls_verify = true;
  }
  const remotes = (leaf?.remotes ?? []).map((remote) => {
    const entry: Record<string, unknown> = { local_account: remote.account ?? GLOBAL_ACCOUNT_NAME };
    if (remote.tls !== undefined) entry.tls_timeout = remote.tls.timeoutMs / 1000;
    entry.urls = remote.urls.map(redactUrl);
    if (remote.denyExports.length > 0 || remote.denyImports.length > 0) {
      entry.deny = {
        ...(remote.denyExports.length > 0 ? { exports: remote.denyExports } : {}),
        ...(remote.denyImports.length > 0 ? { imports: remote.denyImports } : {}),
      };
    }
    return entry;
  });
  if (remotes.length > 0) block.remotes = remotes;
  let count = 0;
  for (const conn of proxy.connections.values()) if (conn.registered) count++;
  return { leaf: block, leafnodes: count, ...proxy.traffic.varz(proxy.connections.values()) };
}

/** As nats-server, a remote URL's password is not shown. */
function redactUrl(text: string): string {
  const url = new URL(text);
  if (url.password !== '') url.password = 'xxxxx';
  return url.href;
}
