import { cpus } from 'node:os';
import { formatGoTime, formatRtt, formatUptime, goDurationNanos, MonitoringRequestError } from '@nats-ts/observability';
import type { ClientGateway } from './client-gateway.js';
import { summarizeConnection, type ConnectionSummary } from './connection-summary.js';
import { isValidLiteralSubject } from '@nats-ts/routing';
import { knownAccountNames } from '@nats-ts/config';
import { ClientSubscription } from './interest.js';
import { accountStat } from './system-account/account-statz.js';
import { accountDetail } from './system-account/account-detail.js';

/**
 * The client role's monitoring documents, with nats-server's JSON field names (server/monitor.go)
 * so existing NATS tooling can read them. Durations in /varz are Go nanoseconds, as nats-server emits.
 */

export interface VarzContext {
  httpHost: string;
  httpPort: number;
  httpReqStats: Record<string, number>;
  configLoadTime: Date;
}

export function buildVarz(gw: ClientGateway, ctx: VarzContext): Record<string, unknown> {
  const o = gw.options;
  const totals = liveTotals(gw);
  const info = gw.baseInfo();
  const varz: Record<string, unknown> = {
    server_id: gw.serverId,
    server_name: info.server_name,
    version: gw.compatVersion,
    proto: 1,
    go: info.go,
    host: o.host,
    port: info.port,
    max_connections: o.maxConnections,
    ping_interval: goDurationNanos(o.pingIntervalMs),
    ping_max: o.pingMax,
    http_host: ctx.httpHost,
    http_port: ctx.httpPort,
    // nats-server shows the configured path; ours is normalized, so the default '/' is shown as unset.
    http_base_path: o.httpBasePath === '/' ? '' : o.httpBasePath,
    https_port: 0,
    auth_timeout: o.auth.timeoutMs / 1000,
    max_control_line: o.maxControlLine,
    max_payload: o.maxPayload,
    max_pending: o.maxPending,
    cluster: {},
    gateway: {},
    leaf: {},
    mqtt: {},
    websocket: o.websocket ? { host: o.websocket.host, port: o.websocket.port, no_tls: o.websocket.noTls, compression: o.websocket.compression } : {},
    jetstream: {},
    tls_timeout: (o.tls?.timeoutMs ?? 2000) / 1000,
    write_deadline: goDurationNanos(o.writeDeadlineMs),
    start: formatGoTime(gw.startTime),
    now: formatGoTime(Date.now()),
    uptime: formatUptime(Date.now() - gw.startTime),
    mem: process.memoryUsage.rss(),
    cores: cpus().length,
    gomaxprocs: 1,
    cpu: 0,
    connections: gw.connections.size,
    total_connections: gw.stats.totalConnections,
    routes: 0,
    remotes: 0,
    leafnodes: 0,
    in_msgs: totals.inMsgs,
    out_msgs: totals.outMsgs,
    in_bytes: totals.inBytes,
    out_bytes: totals.outBytes,
    slow_consumers: gw.stats.slowConsumers,
    subscriptions: gw.subscriptionCount(),
    http_req_stats: ctx.httpReqStats,
    config_load_time: formatGoTime(ctx.configLoadTime.getTime()),
  };
  if (info.auth_required) varz.auth_required = true;
  if (info.tls_required) varz.tls_required = true;
  if (info.tls_verify) varz.tls_verify = true;
  if (o.maxSubscriptions > 0) varz.max_subscriptions = o.maxSubscriptions;
  if (o.serverTags.length > 0) varz.tags = o.serverTags;
  return varz;
}

function liveTotals(gw: ClientGateway): { inMsgs: number; outMsgs: number; inBytes: number; outBytes: number } {
  const t = { inMsgs: gw.stats.inMsgs, outMsgs: gw.stats.outMsgs, inBytes: gw.stats.inBytes, outBytes: gw.stats.outBytes };
  for (const c of gw.connections.values()) {
    t.inMsgs += c.inMsgs;
    t.outMsgs += c.outMsgs;
    t.inBytes += c.inBytes;
    t.outBytes += c.outBytes;
  }
  return t;
}

type SortKey = (c: ConnectionSummary) => number | string;

const SORTS: Record<string, SortKey> = {
  cid: (c) => c.cid,
  start: (c) => c.start,
  subs: (c) => -c.subs.length,
  pending: (c) => -c.pendingBytes,
  msgs_to: (c) => -c.outMsgs,
  msgs_from: (c) => -c.inMsgs,
  bytes_to: (c) => -c.outBytes,
  bytes_from: (c) => -c.inBytes,
  last: (c) => -c.lastActivity,
  idle: (c) => c.lastActivity,
  uptime: (c) => c.start,
  stop: (c) => -(c.stopTime ?? 0),
  reason: (c) => c.closeReason ?? '',
};

export function buildConnz(gw: ClientGateway, query: Record<string, string>): Record<string, unknown> {
  const state = query.state ?? 'open';
  const sortName = query.sort ?? 'cid';
  const sortKey = SORTS[sortName];
  if (sortKey === undefined) throw new MonitoringRequestError(`invalid sorting option: ${sortName}`);
  if ((sortName === 'stop' || sortName === 'reason') && state === 'open') {
    throw new MonitoringRequestError(`sort by ${sortName} only valid on closed connections`);
  }
  const offset = Math.max(0, parseInt(query.offset ?? '0', 10) || 0);
  const limit = Math.max(0, parseInt(query.limit ?? '1024', 10) || 1024);
  const subs = query.subs === '1' || query.subs === 'true' || query.subs === 'detail';
  const subsDetail = query.subs === 'detail';
  const cidFilter = query.cid !== undefined ? parseInt(query.cid, 10) : undefined;
  const open = state === 'closed' ? [] : [...gw.connections.values()].map(summarizeConnection);
  let list = state === 'closed' ? [...gw.closedConnections] : state === 'all' ? [...open, ...gw.closedConnections] : open;
  if (cidFilter !== undefined) list = list.filter((c) => c.cid === cidFilter);
  // nats-server's `acc`: only the connections of one account.
  const accountFilter = query.acc;
  if (accountFilter !== undefined) list = list.filter((c) => c.account === accountFilter);
  list.sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.cid - b.cid;
  });
  const now = Date.now();
  const page = list.slice(offset, offset + limit).map((c) => connInfo(c, now, subs, subsDetail));
  return {
    server_id: gw.serverId,
    now: formatGoTime(now),
    num_connections: page.length,
    total: list.length,
    offset,
    limit,
    connections: page,
  };
}

function connInfo(c: ConnectionSummary, now: number, subs: boolean, subsDetail: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {
    cid: c.cid,
    kind: 'Client',
    type: c.websocket ? 'websocket' : 'nats',
    ip: c.ip,
    port: c.port,
    start: formatGoTime(c.start),
    last_activity: formatGoTime(c.lastActivity),
  };
  if (c.stopTime !== undefined) {
    info.stop = formatGoTime(c.stopTime);
    info.reason = c.closeReason;
  }
  if (c.rttMs > 0) info.rtt = formatRtt(c.rttMs);
  const end = c.stopTime ?? now;
  info.uptime = formatUptime(end - c.start);
  info.idle = formatUptime(end - c.lastActivity);
  info.pending_bytes = c.pendingBytes;
  info.in_msgs = c.inMsgs;
  info.out_msgs = c.outMsgs;
  info.in_bytes = c.inBytes;
  info.out_bytes = c.outBytes;
  info.subscriptions = c.subs.length;
  if (c.name) info.name = c.name;
  if (c.lang) info.lang = c.lang;
  if (c.version) info.version = c.version;
  if (c.tls) {
    info.tls_version = c.tls.version.replace(/^TLSv/, '');
    info.tls_cipher_suite = c.tls.cipher;
  }
  if (c.authorizedUser) info.authorized_user = c.authorizedUser;
  if (c.account) info.account = c.account;
  if (subs && c.subs.length > 0) {
    if (subsDetail) {
      info.subscriptions_list_detail = c.subs.map((s) => ({
        subject: s.subject,
        ...(s.queue !== undefined ? { qgroup: s.queue } : {}),
        sid: s.sid,
        msgs: s.delivered,
        ...(s.max > 0 ? { max: s.max } : {}),
        cid: c.cid,
      }));
    } else {
      info.subscriptions_list = c.subs.map((s) => s.subject);
    }
  }
  return info;
}

export function buildSubsz(gw: ClientGateway, query: Record<string, string>): Record<string, unknown> {
  let numSubs = 0;
  let numCache = 0;
  let inserts = 0;
  let removes = 0;
  let matches = 0;
  let hits = 0;
  let maxFanout = 0;
  let fanoutSum = 0;
  let fanoutN = 0;
  for (const account of gw.accounts.all()) {
    const s = account.sublist.stats();
    numSubs += s.numSubscriptions;
    numCache += s.numCache;
    inserts += s.numInserts;
    removes += s.numRemoves;
    matches += s.numMatches;
    hits += s.cacheHitRate * s.numMatches;
    maxFanout = Math.max(maxFanout, s.maxFanout);
    if (s.numCache > 0) {
      fanoutSum += s.avgFanout * s.numCache;
      fanoutN += s.numCache;
    }
  }
  const subsz: Record<string, unknown> = {
    server_id: gw.serverId,
    now: formatGoTime(Date.now()),
    num_subscriptions: numSubs,
    num_cache: numCache,
    num_inserts: inserts,
    num_removes: removes,
    num_matches: matches,
    cache_hit_rate: matches > 0 ? hits / matches : 0,
    max_fanout: maxFanout,
    avg_fanout: fanoutN > 0 ? fanoutSum / fanoutN : 0,
  };
  if (query.subs === '1' || query.subs === 'true' || query.subs === 'detail') {
    const offset = Math.max(0, parseInt(query.offset ?? '0', 10) || 0);
    const limit = Math.max(0, parseInt(query.limit ?? '1024', 10) || 1024);
    const filter = query.test;
    if (filter !== undefined && !isValidLiteralSubject(filter)) {
      throw new MonitoringRequestError(`invalid test subject, must be valid publish subject: ${filter}`);
    }
    const all: Record<string, unknown>[] = [];
    for (const account of gw.accounts.all()) {
      // nats-server's `acc`: only the subscriptions of one account.
      if (query.acc !== undefined && account.name !== query.acc) continue;
      for (const e of account.sublist.all()) {
        if (!(e instanceof ClientSubscription)) continue;
        if (filter !== undefined && !gw.subjectMatches(filter, e.subject)) continue;
        all.push({
          account: account.name,
          subject: e.subject,
          ...(e.queue !== undefined ? { qgroup: e.queue } : {}),
          sid: e.sid,
          msgs: e.delivered,
          cid: e.conn.cid,
        });
      }
    }
    const page = all.slice(offset, offset + limit);
    // nats-server's /subsz counts the returned page in `total`.
    subsz.total = page.length;
    subsz.offset = offset;
    subsz.limit = limit;
    subsz.subscriptions_list = page;
  }
  return subsz;
}

/**
 * GET /accountz: the accounts this server knows (configured or in use, `$G` and the system
 * account) and which is the system account, as nats-server's Accountz; with `acc`, that
 * account's detail instead of the list.
 */
export function buildAccountz(gw: ClientGateway, query: Record<string, string>, leafs: ReadonlyMap<string, number>, updated: Date): Record<string, unknown> {
  const accountz: Record<string, unknown> = { server_id: gw.serverId, now: formatGoTime(Date.now()) };
  if (gw.options.systemAccount !== undefined) accountz.system_account = gw.options.systemAccount;
  if (query.acc !== undefined && query.acc !== '') {
    accountz.account_detail = accountDetail(gw, query.acc, leafs, updated);
    return accountz;
  }
  const names = new Set(knownAccountNames(gw.options));
  for (const account of gw.accounts.all()) names.add(account.name);
  accountz.accounts = [...names];
  return accountz;
}

/** Leaf connections per account, from a /leafz document (the leaf role's, merged into this process's). */
export function leafConnectionsByAccount(leafz: unknown): Map<string, number> {
  const counts = new Map<string, number>();
  const leafs = (leafz as { leafs?: { account?: unknown }[] } | undefined)?.leafs ?? [];
  for (const leaf of leafs) if (typeof leaf.account === 'string') counts.set(leaf.account, (counts.get(leaf.account) ?? 0) + 1);
  return counts;
}

/** One account's AccountStat on this server. */
export function accountStatOf(gw: ClientGateway, name: string, leafs: ReadonlyMap<string, number>): Record<string, unknown> {
  return accountStat(name, gw.connections.values(), gw.closedTraffic.get(name), leafs.get(name) ?? 0);
}

/** GET /accstatz, as nats-server's: each account with client connections here (`unused=1`: every known account). */
export function buildAccstatz(gw: ClientGateway, query: Record<string, string>, leafs: ReadonlyMap<string, number>): Record<string, unknown> {
  const unused = query.unused === '1' || query.unused === 'true';
  const names = new Set([...knownAccountNames(gw.options), ...gw.accounts.all().map((a) => a.name)]);
  const stats = [...names].map((name) => accountStatOf(gw, name, leafs)).filter((stat) => unused || (stat.conns as number) > 0);
  return { server_id: gw.serverId, now: formatGoTime(Date.now()), account_statz: stats };
}
