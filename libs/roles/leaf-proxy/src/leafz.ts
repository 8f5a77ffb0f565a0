import { formatGoTime, formatRtt, querySubscriptions } from '@nats-ts/observability';
import type { LeafProxy } from './leaf-proxy.js';

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

/** The `leaf` block of /varz, as nats-server reports its leafnodes options. */
export function leafVarz(proxy: LeafProxy): Record<string, unknown> {
  const bound = proxy.boundAddress;
  return {
    leaf: {
      ...(bound !== undefined ? { host: bound.host, port: bound.port } : {}),
      auth_timeout: 0,
      tls_timeout: 0,
    },
    leafnodes: [...proxy.connections.values()].filter((c) => c.registered).length,
  };
}
