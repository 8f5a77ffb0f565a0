import { accountJwtJetStream, knownAccountNames, type AccountSharingConfig, type ServerOptions, type SubjectMappingConfig } from '@nats-ts/config';
import { formatGoTime, MonitoringRequestError } from '@nats-ts/observability';
import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';
import { subjectHasWildcard, tokenizeWildcards } from '@nats-ts/routing';
import type { ClientGateway } from '../client-gateway.js';

/**
 * One account's detail as nats-server 2.9.10 writes it (server/monitor.go AccountInfo), for
 * `/accountz?acc=<name>` and `$SYS.REQ.ACCOUNT.<name>.INFO`: its connections here, its
 * subscriptions, and its mappings, exports and imports as configured. The JWT fields of
 * operator mode (`jwt`, `issuer_key`, `decoded_jwt`, ...) are left out.
 */
export function accountDetail(gw: ClientGateway, name: string, leafs: ReadonlyMap<string, number>, updated: Date): Record<string, unknown> {
  const o = gw.options;
  const known = knownAccountNames(o).includes(name) || gw.accounts.get(name) !== undefined;
  if (!known) throw new MonitoringRequestError(`Account ${name} does not exist`);
  const account = gw.accounts.get(name);
  const sharing = o.accounts.find((a) => a.name === name)?.sharing;
  let clients = 0;
  for (const conn of gw.connections.values()) if (conn.account?.name === name && !conn.isClosed) clients++;
  const stats = account?.sublist.stats();
  const detail: Record<string, unknown> = { account_name: name, update_time: formatGoTime(updated.getTime()) };
  if (name === o.systemAccount) detail.is_system = true;
  detail.expired = false;
  detail.complete = true;
  detail.jetstream_enabled = jetStreamEnabled(o, name);
  detail.leafnode_connections = leafs.get(name) ?? 0;
  detail.client_connections = clients;
  detail.subscriptions = stats?.numSubscriptions ?? 0;
  const mappings = name === GLOBAL_ACCOUNT_NAME ? o.mappings : (sharing?.mappings ?? []);
  if (mappings.length > 0) detail.mappings = Object.fromEntries(mappings.map((m) => [m.source, mappingDestinations(m)]));
  const exports = sharing === undefined ? [] : exportsOf(sharing);
  if (exports.length > 0) detail.exports = exports;
  const imports = sharing === undefined ? [] : importsOf(sharing);
  if (imports.length > 0) detail.imports = imports;
  detail.sublist_stats = {
    num_subscriptions: stats?.numSubscriptions ?? 0,
    num_cache: stats?.numCache ?? 0,
    num_inserts: stats?.numInserts ?? 0,
    num_removes: stats?.numRemoves ?? 0,
    num_matches: stats?.numMatches ?? 0,
    cache_hit_rate: stats?.cacheHitRate ?? 0,
    max_fanout: stats?.maxFanout ?? 0,
    avg_fanout: stats?.avgFanout ?? 0,
  };
  // The replies waiting for a response, keyed by the exporter's reply subject. nats-server
  // writes their `type` as the number of jwt.Service: Go skips the type's JSON method for
  // values of a map.
  const responses = account?.sharing?.responses?.waiting() ?? [];
  if (responses.length > 0) {
    detail.responses = Object.fromEntries(
      responses.map((r) => [r.subject, { subject: r.subject, account: r.account, to: r.reply, type: JWT_SERVICE_TYPE, invalid: false, share: r.share, tracking: false }]),
    );
  }
  return detail;
}

/** jwt.Service's value (jwt.Stream is 1). */
const JWT_SERVICE_TYPE = 2;

/** Without configured accounts only `$G` has JetStream; with them, those with a `jetstream` block. */
function jetStreamEnabled(o: Readonly<ServerOptions>, name: string): boolean {
  if (!o.jetstream.enabled) return false;
  if (o.trust !== undefined) {
    const jwt = o.trust.accountJwts.get(name);
    return jwt !== undefined && accountJwtJetStream(jwt) !== undefined;
  }
  if (o.accounts.length === 0) return name === GLOBAL_ACCOUNT_NAME;
  return o.accounts.find((a) => a.name === name)?.jetstream !== undefined;
}

/**
 * A mapping's destinations as nats-server keeps them: the rest of 100 added on the source
 * subject (unless it is a destination), sorted by weight, each weight the running total up to
 * it; per cluster the same, after the others.
 */
function mappingDestinations(m: SubjectMappingConfig): Record<string, unknown>[] {
  const plain = m.destinations.filter((d) => d.cluster === undefined);
  const clusters = [...new Set(m.destinations.flatMap((d) => (d.cluster === undefined ? [] : [d.cluster])))];
  const listed = new Set(m.destinations.map((d) => d.subject));
  const cumulative = (dests: readonly { subject: string; weight: number }[]): { subject: string; weight: number }[] => {
    const list = dests.map((d) => ({ subject: d.subject, weight: d.weight }));
    const total = list.reduce((sum, d) => sum + d.weight, 0);
    if (total !== 100 && !listed.has(m.source)) {
      list.push({ subject: subjectHasWildcard(m.source) ? tokenizeWildcards(m.source) : m.source, weight: list.length === 0 ? 100 : 100 - total });
    }
    list.sort((a, b) => a.weight - b.weight);
    let upTo = 0;
    for (const d of list) d.weight = upTo += d.weight;
    return list;
  };
  const out: Record<string, unknown>[] = cumulative(plain);
  for (const cluster of clusters) {
    for (const d of cumulative(m.destinations.filter((x) => x.cluster === cluster))) out.push({ ...d, cluster });
  }
  return out;
}

/** nats-server's names of the response types (its String() of them). */
const RESPONSE_TYPE_NAMES = { Singleton: 'Singleton', Stream: 'Streamed', Chunked: 'Chunked' } as const;

function exportsOf(sharing: AccountSharingConfig): Record<string, unknown>[] {
  const services = sharing.serviceExports.map((x) => ({
    subject: x.subject,
    type: 'service',
    response_type: RESPONSE_TYPE_NAMES[x.responseType],
    ...(x.latency !== undefined ? { service_latency: { sampling: x.latency.sampling, results: x.latency.subject } } : {}),
    ...(x.accounts !== undefined && x.accounts.length > 0 ? { approved_accounts: x.accounts } : {}),
  }));
  const streams = sharing.streamExports.map((x) => ({
    subject: x.subject,
    type: 'stream',
    ...(x.accounts !== undefined && x.accounts.length > 0 ? { approved_accounts: x.accounts } : {}),
  }));
  return [...services, ...streams];
}

/**
 * Stream imports then service imports, as nats-server lists them: a stream import's
 * `local_subject` is what the importer's subscribers see; a service import's `subject` is what
 * its requesters publish to and `to` the exporter's subject.
 */
function importsOf(sharing: AccountSharingConfig): Record<string, unknown>[] {
  const streams = sharing.streamImports.map((i) => ({ subject: i.subject, account: i.account, local_subject: i.to, type: 'stream', invalid: false, share: false, tracking: false }));
  const services = sharing.serviceImports.map((i) => ({ subject: i.to, account: i.account, to: i.subject, type: 'service', invalid: false, share: i.share, tracking: false }));
  return [...streams, ...services];
}
