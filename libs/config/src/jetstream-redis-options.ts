import { describeNode, type ConfigEntry } from './conf-nodes.js';
import { readDurationMs, readInteger, readStringList, type Diagnostics } from './entry-reader.js';
import type { JetStreamConfig, JetStreamRedisConfig } from './options.js';

/** `redis://host:port/db` (or `rediss://`): a host, and a database number when a path is given. */
function redisUrlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return 'must be a redis:// or rediss:// URL';
  const url = new URL(text);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return 'must be a redis:// or rediss:// URL';
  if (url.hostname === '') return 'names no host';
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) return `names database "${db}", not a number`;
  return undefined;
}

/** `host:port` of a Sentinel or a cluster node, the port from 1 to 65535. */
function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:[\]/\s]+):(\d+)$/.exec(text.trim());
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/** A list of `host:port`; undefined (its errors reported) when one is not. */
function readHostPorts(x: ConfigEntry, what: string, d: Diagnostics): { host: string; port: number }[] | undefined {
  const list = readStringList(x, d);
  if (list === undefined) return undefined;
  const out: { host: string; port: number }[] = [];
  let fine = true;
  for (const text of list) {
    const address = parseHostPort(text);
    if (address !== undefined) out.push(address);
    else {
      d.error(x.keyPos, `jetstream redis ${what} "${text}" must be host:port`);
      fine = false;
    }
  }
  return fine ? out : undefined;
}

/**
 * nats-ts's `jetstream { redis: ... }`: `"redis://host:port/db"`, a Sentinel group
 * `{ sentinels: ["h1:26379", ...], name: "mymaster" }`, or a Redis Cluster by some of its
 * nodes `{ cluster: ["h1:6379", ...] }`.
 */
export function applyJetStreamRedis(e: ConfigEntry, js: JetStreamConfig, d: Diagnostics): void {
  const node = e.node;
  if (node.kind === 'string') {
    const problem = redisUrlProblem(node.value);
    if (problem === undefined) js.redis = { url: node.value };
    else d.error(e.keyPos, `jetstream redis "${node.value}" ${problem}`);
    return;
  }
  if (node.kind !== 'map') {
    d.error(e.keyPos, `jetstream redis must be a redis:// URL, a map of sentinels and name, or a map of cluster nodes, found ${describeNode(node)}`);
    return;
  }
  let sentinels: { host: string; port: number }[] | undefined;
  let cluster: { host: string; port: number }[] | undefined;
  let name: string | undefined;
  let fine = true;
  for (const x of node.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'sentinels':
        sentinels = readHostPorts(x, 'sentinel', d);
        if (sentinels === undefined) fine = false;
        break;
      case 'cluster':
        cluster = readHostPorts(x, 'cluster node', d);
        if (cluster === undefined) fine = false;
        break;
      case 'name':
        if (x.node.kind === 'string' && x.node.value !== '') name = x.node.value;
        else {
          d.error(x.keyPos, `jetstream redis name must be the Sentinel's name of the primary, found ${describeNode(x.node)}`);
          fine = false;
        }
        break;
      default:
        d.error(x.keyPos, `unknown field "${x.key}" in jetstream redis (sentinels, name, cluster)`);
        fine = false;
    }
  }
  if (!fine) return;
  if (cluster !== undefined) {
    if (sentinels !== undefined || name !== undefined) d.error(e.keyPos, 'jetstream redis is either a Redis Cluster (cluster) or a Sentinel group (sentinels, name), not both');
    else if (cluster.length === 0) d.error(e.keyPos, 'jetstream redis cluster needs at least one host:port of a cluster node');
    else js.redis = { cluster };
    return;
  }
  if (sentinels === undefined || sentinels.length === 0 || name === undefined) {
    d.error(e.keyPos, 'jetstream redis with Sentinel needs sentinels (at least one host:port) and name');
    return;
  }
  const config: JetStreamRedisConfig = { sentinels, name };
  js.redis = config;
}

/** `redis_lease: "5s"`: at least 300 ms, renewed every third of it. */
export function applyRedisLease(e: ConfigEntry, js: JetStreamConfig, d: Diagnostics): void {
  const ms = readDurationMs(e, d, 'refused');
  if (ms === undefined) return;
  if (ms < 300) d.error(e.keyPos, `jetstream redis_lease must be at least 300ms, found "${e.node.kind === 'string' ? e.node.value : ms}"`);
  else js.redisLeaseMs = ms;
}

/** `redis_min_replicas: N`: how many Redis replicas must confirm a write before its ack. */
export function applyRedisMinReplicas(e: ConfigEntry, js: JetStreamConfig, d: Diagnostics): void {
  js.redisMinReplicas = readInteger(e, d, 0, 1000) ?? js.redisMinReplicas;
}
