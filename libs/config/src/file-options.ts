import { applyAccounts, applyAuthorization } from './auth-options.js';
import { applyBus } from './bus-options.js';
import { applyCluster } from './cluster-options.js';
import { applyLeafnodes } from './leafnode-options.js';
import { applyGateway } from './gateway-options.js';
import { applyOperators, applyResolver, applyResolverPreload, applyTrustedKeys } from './operator-options.js';
import type { ConfigEntry, MapNode } from './conf-nodes.js';
import { describeNode } from './conf-nodes.js';
import type { Draft } from './draft.js';
import { applyJetStreamRedis, applyRedisLease, applyRedisMinReplicas } from './jetstream-redis-options.js';
import type { JetStreamConfig } from './options.js';
import {
  Diagnostics,
  applyListenerKey,
  notSupported,
  readBool,
  readDurationMs,
  readHostPort,
  readInteger,
  readNonNegative,
  readPort,
  readString,
  readStringList,
  refused,
  unknownField,
} from './entry-reader.js';
import { readMappings } from './mapping-options.js';
import { applySystemAccount } from './system-account-options.js';
import { readTls } from './tls-options.js';
import { applyWebsocket } from './websocket-options.js';

const INT32_MAX = 2 ** 31 - 1;
const MIN_LAME_DUCK_MS = 30_000;

/** Keys nats-server 2.9 knows that this server does not implement: warned about, ignored. */
const NOT_SUPPORTED = new Set([
  'disable_sublist_cache',
  'no_sublist_cache',
  'logfile_size_limit',
  'log_size_limit',
  'syslog',
  'remote_syslog',
  'prof_port',
  'max_traced_msg_len',
  'max_sub_tokens',
  'max_subscription_tokens',
  'ocsp',
  'resolver_tls',
  'resolver_pinned_accounts',
  'connect_error_reports',
  'reconnect_error_reports',
  'mqtt',
  'default_js_domain',
  'https',
  'https_port',
]);

/** Applies every top-level key of a parsed file, in the order written. */
export function applyConfigFile(root: MapNode, draft: Draft, d: Diagnostics): void {
  for (const entry of root.entries.values()) applyTopLevel(entry, draft, d);
}

function applyTopLevel(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const o = draft.options;
  const key = e.key.toLowerCase();
  switch (key) {
    case 'listen':
    case 'port':
    case 'host':
    case 'net':
      applyListenerKey(e, o, d);
      return;
    case 'client_advertise':
      o.clientAdvertise = readString(e, d) ?? o.clientAdvertise;
      return;
    case 'server_name':
      o.serverName = readString(e, d) ?? o.serverName;
      return;
    case 'server_tags':
      o.serverTags = readServerTags(e, d) ?? o.serverTags;
      return;
    case 'http': {
      const hp = readHostPort(e, d);
      if (hp === undefined) return;
      if (hp.host !== '') {
        o.httpHost = hp.host;
        draft.httpHostSet = true;
      }
      o.httpPort = hp.port;
      return;
    }
    case 'http_port':
    case 'monitor_port':
      o.httpPort = readPort(e, d) ?? o.httpPort;
      return;
    case 'http_base_path': {
      const base = readString(e, d);
      if (base !== undefined) o.httpBasePath = normalizeBasePath(base);
      return;
    }
    case 'max_payload':
      draft.positions.set(key, e.keyPos);
      o.maxPayload = readNonNegative(e, d, INT32_MAX) ?? o.maxPayload;
      return;
    case 'max_control_line':
      o.maxControlLine = readNonNegative(e, d, INT32_MAX) ?? o.maxControlLine;
      return;
    case 'max_pending':
      draft.positions.set(key, e.keyPos);
      o.maxPending = readNonNegative(e, d) ?? o.maxPending;
      return;
    case 'max_connections':
    case 'max_conn':
      o.maxConnections = readNonNegative(e, d) ?? o.maxConnections;
      return;
    case 'max_subscriptions':
    case 'max_subs':
      o.maxSubscriptions = readNonNegative(e, d) ?? o.maxSubscriptions;
      return;
    case 'ping_interval':
      o.pingIntervalMs = readPositiveDuration(e, d) ?? o.pingIntervalMs;
      return;
    case 'ping_max':
      o.pingMax = readNonNegative(e, d) ?? o.pingMax;
      return;
    case 'write_deadline':
      o.writeDeadlineMs = readPositiveDuration(e, d) ?? o.writeDeadlineMs;
      return;
    case 'lame_duck_duration':
      draft.positions.set(key, e.keyPos);
      o.lameDuckDurationMs = readLameDuckDuration(e, d) ?? o.lameDuckDurationMs;
      return;
    case 'lame_duck_grace_period': {
      draft.positions.set(key, e.keyPos);
      const grace = readDurationMs(e, d, 'refused');
      if (grace !== undefined && grace < 0) d.error(e.keyPos, 'invalid lame_duck_grace_period, needs to be positive');
      else if (grace !== undefined) o.lameDuckGracePeriodMs = grace;
      return;
    }
    case 'no_header_support':
      o.noHeaderSupport = readBool(e, d) ?? o.noHeaderSupport;
      return;
    case 'debug':
      o.logging.debug = readBool(e, d) ?? o.logging.debug;
      return;
    case 'trace':
      o.logging.trace = readBool(e, d) ?? o.logging.trace;
      return;
    case 'trace_verbose': {
      const verbose = readBool(e, d);
      if (verbose === undefined) return;
      o.logging.traceVerbose = verbose;
      o.logging.trace = verbose;
      return;
    }
    case 'logtime':
      o.logging.logtime = readBool(e, d) ?? o.logging.logtime;
      return;
    case 'log_file':
    case 'logfile':
      o.logging.logFile = readString(e, d) ?? o.logging.logFile;
      return;
    case 'pid_file':
    case 'pidfile':
      o.pidFile = readString(e, d) ?? o.pidFile;
      return;
    case 'ports_file_dir':
      o.portsFileDir = readString(e, d) ?? o.portsFileDir;
      return;
    case 'authorization':
      return applyAuthorization(e, draft, d);
    case 'accounts':
      return applyAccounts(e, draft, d);
    case 'mappings':
    case 'maps':
      o.mappings.push(...readMappings(e, d));
      return;
    case 'no_auth_user':
      draft.positions.set(key, e.keyPos);
      o.auth.noAuthUser = readString(e, d) ?? o.auth.noAuthUser;
      return;
    case 'tls': {
      draft.positions.set(key, e.keyPos);
      const tls = readTls(e, d, 'tls');
      if (tls !== undefined) o.tls = tls;
      return;
    }
    case 'allow_non_tls':
      o.allowNonTls = readBool(e, d) ?? o.allowNonTls;
      return;
    case 'websocket':
    case 'ws':
      return applyWebsocket(e, draft, d);
    case 'cluster':
      return applyCluster(e, draft, d);
    case 'gateway':
      return applyGateway(e, draft, d);
    case 'bus':
      return applyBus(e, draft, d);
    case 'leafnodes':
    case 'leaf':
      return applyLeafnodes(e, draft, d);
    case 'jetstream':
      return applyJetStream(e, draft, d);
    case 'store_dir':
    case 'storedir':
      return applyStoreDir(e, draft, d);
    case 'operator':
    case 'operators':
    case 'roots':
    case 'root':
    case 'root_operators':
    case 'root_operator':
      return applyOperators(e, draft, d);
    case 'trusted':
    case 'trusted_keys':
      return applyTrustedKeys(e, draft, d);
    case 'resolver':
    case 'account_resolver':
    case 'accounts_resolver':
      return applyResolver(e, draft, d);
    case 'resolver_preload':
      return applyResolverPreload(e, draft, d);
    case 'system_account':
    case 'system':
      return applySystemAccount(e, draft, d);
    case 'no_system_account':
    case 'no_system':
    case 'no_sys_acc':
      draft.noSystemAccount = readBool(e, d) ?? draft.noSystemAccount;
      return;
  }
  if (NOT_SUPPORTED.has(key)) {
    notSupported(e, d);
  } else {
    unknownField(e, d);
  }
}

/** Like nats-server, tags are trimmed, lowercased and deduplicated. */
function readServerTags(e: ConfigEntry, d: Diagnostics): string[] | undefined {
  const tags = readStringList(e, d);
  if (tags === undefined) return undefined;
  const normalized = tags.map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
  return [...new Set(normalized)];
}

/** `ping_interval`, `write_deadline`: a duration, or (with a warning) integer seconds. */
function readPositiveDuration(e: ConfigEntry, d: Diagnostics): number | undefined {
  const ms = readDurationMs(e, d, 'seconds-with-warning');
  if (ms !== undefined && ms < 0) {
    d.error(e.keyPos, `"${e.key}" must not be negative`);
    return undefined;
  }
  return ms;
}

function readLameDuckDuration(e: ConfigEntry, d: Diagnostics): number | undefined {
  const ms = readDurationMs(e, d, 'refused');
  if (ms === undefined) return undefined;
  if (ms < MIN_LAME_DUCK_MS) {
    d.error(e.keyPos, `invalid lame_duck_duration of ${ms}ms, minimum is 30 seconds`);
    return undefined;
  }
  return ms;
}

/** nats-server's base path rule: leading `/`, no trailing `/`, `.` and `..` resolved. */
function normalizeBasePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

function applyStoreDir(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const dir = readString(e, d);
  if (dir === undefined) return;
  if (draft.options.jetstream.storeDir !== undefined) {
    d.error(e.keyPos, "duplicate 'store_dir' configuration");
    return;
  }
  draft.options.jetstream.storeDir = dir;
}

/** As nats-server: a domain is one subject token, so it may be used in `$JS.<domain>.API`. */
function isValidDomain(domain: string): boolean {
  return !/[\s.*>]/.test(domain);
}

/** `sync_interval: 2m`, or `always` to fsync before every ack (nats-server 2.10's option). */
function applySyncInterval(e: ConfigEntry, js: JetStreamConfig, d: Diagnostics): void {
  if (e.node.kind === 'string' && e.node.value.toLowerCase() === 'always') {
    js.syncAlways = true;
    return;
  }
  const ms = readDurationMs(e, d, 'refused');
  if (ms === undefined) return;
  if (ms <= 0) d.error(e.keyPos, `"${e.key}" must be a positive duration or "always"`);
  else js.syncIntervalMs = ms;
}

/** `jetstream: true`, `jetstream: enabled`, or `jetstream { store_dir, enabled, ... }`. */
function applyJetStream(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const js = draft.options.jetstream;
  const node = e.node;
  if (node.kind === 'bool') {
    js.enabled = node.value;
    return;
  }
  if (node.kind === 'string') {
    const word = node.value.toLowerCase();
    if (word === 'enabled' || word === 'enable') js.enabled = true;
    else if (word === 'disabled' || word === 'disable') js.enabled = false;
    else d.error(e.keyPos, `expected 'enabled' or 'disabled' for "jetstream", found "${node.value}"`);
    return;
  }
  if (node.kind !== 'map') {
    d.error(e.keyPos, `"jetstream" must be a boolean, a string or a map, found ${describeNode(node)}`);
    return;
  }
  let enabled = true;
  for (const x of node.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'store':
      case 'store_dir':
      case 'storedir':
        applyStoreDir(x, draft, d);
        break;
      case 'enable':
      case 'enabled':
        enabled = readBool(x, d) ?? enabled;
        break;
      case 'max_memory_store':
      case 'max_mem_store':
      case 'max_mem':
        js.maxMemoryStore = readInteger(x, d, -1) ?? js.maxMemoryStore;
        break;
      case 'max_file_store':
      case 'max_file':
        js.maxFileStore = readInteger(x, d, -1) ?? js.maxFileStore;
        break;
      case 'domain': {
        const domain = readString(x, d);
        if (domain !== undefined && !isValidDomain(domain)) d.error(x.keyPos, `invalid domain name: "${domain}" (no spaces, dots or wildcards)`);
        else if (domain !== undefined && domain !== '') js.domain = domain;
        break;
      }
      case 'max_outstanding_catchup':
        js.maxOutstandingCatchup = readInteger(x, d, 1) ?? js.maxOutstandingCatchup;
        break;
      case 'sync_interval':
      case 'sync':
        applySyncInterval(x, js, d);
        break;
      case 'redis':
        applyJetStreamRedis(x, js, d);
        break;
      case 'redis_min_replicas':
        applyRedisMinReplicas(x, js, d);
        break;
      case 'redis_lease':
        applyRedisLease(x, js, d);
        break;
      case 'key':
      case 'ek':
      case 'encryption_key':
        refused(x, d, 'encryption at rest is not implemented, and ignoring it would store messages unencrypted');
        break;
      case 'cipher':
      case 'extension_hint':
      case 'limits':
      case 'unique_tag':
        notSupported(x, d, 'jetstream');
        break;
      default:
        unknownField(x, d, 'jetstream');
    }
  }
  js.enabled = enabled;
  if (js.redisMinReplicas > 0 && js.redis === undefined) {
    d.error(e.keyPos, 'jetstream redis_min_replicas needs redis (the Redis store)');
  }
}
