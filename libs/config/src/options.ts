import type { JwtAccountSharing } from './jwt-sharing.js';
import type { LeafnodesConfig } from './leafnode-options.js';

/**
 * The one typed, validated configuration every role reads. Produced by `loadOptions`
 * from nats-server's flags and configuration file format; frozen after validation.
 * Durations are milliseconds, sizes are bytes. Ports: 0 means "off" where a block is
 * optional, -1 means "pick a free port" as nats-server does.
 */

export interface SubjectPermission {
  allow?: string[];
  deny?: string[];
}

export interface ResponsePermission {
  /** How many replies a requestor may receive on one reply subject (nats-server default 1). */
  maxMsgs: number;
  /** How long the reply permission lasts, in ms (nats-server default 2m). */
  expiresMs: number;
}

export interface Permissions {
  publish?: SubjectPermission;
  subscribe?: SubjectPermission;
  allowResponses?: ResponsePermission;
}

export interface UserConfig {
  user: string;
  /** Plain text, or a bcrypt hash (`$2a$`, `$2b$`, `$2y$`) compared as nats-server does. */
  password?: string;
  /** Account the user belongs to; the global account `$G` when absent. */
  account?: string;
  permissions?: Permissions;
  /**
   * `allowed_connection_types`: the kinds of connection this user may log in with
   * (`STANDARD`, `WEBSOCKET`, `LEAFNODE`, `LEAFNODE_WS`, `MQTT`, `MQTT_WS`); all when absent.
   */
  allowedConnectionTypes?: string[];
}

/** A user known by its public nkey (`U…`): it proves itself by signing the nonce of INFO. */
export interface NkeyUserConfig {
  nkey: string;
  /** Account the user belongs to; the global account `$G` when absent. */
  account?: string;
  permissions?: Permissions;
  /** As for UserConfig. */
  allowedConnectionTypes?: string[];
}

export interface TrustConfig {
  /** The operators' JWTs, checked at load. */
  operatorJwts: string[];
  /** Public keys whose signatures make an account JWT trusted: each operator's own and its signing keys. */
  trustedKeys: string[];
  /** `resolver: MEMORY` (account JWTs from `resolver_preload` only) or the full resolver (`type: full`). */
  resolver?: 'memory' | 'full';
  /**
   * Account public key → account JWT: `resolver_preload`'s, and with the full resolver those
   * its directory held when the configuration was read (the newer one where both have a key).
   */
  accountJwts: Map<string, string>;
  /** The full resolver's directory and what updates may do there. */
  directory?: AccountDirectoryConfig;
  /** What the account JWTs export, and the imports they are authorized for (built at load). */
  accountSharing: JwtAccountSharing[];
}

/** `resolver: { type: full, dir, allow_delete, limit }`: account JWTs kept as `<dir>/<public key>.jwt`. */
export interface AccountDirectoryConfig {
  path: string;
  /** `$SYS.REQ.CLAIMS.DELETE` may remove accounts (renamed to `<key>.jwt.deleted`, as nats-server). */
  allowDelete: boolean;
  /** At most this many account JWTs are stored; 0 for no limit. */
  limit: number;
}

export interface AuthConfig {
  /** Single user from `authorization { user, password }` or `--user/--pass`. */
  user?: string;
  password?: string;
  /** `authorization { token }` or `--auth`. */
  token?: string;
  /** `authorization { users: [...] }` plus users declared inside `accounts`. */
  users: UserConfig[];
  /** `authorization { users: [ {nkey: U…} ] }` plus nkey users declared inside `accounts`. */
  nkeys: NkeyUserConfig[];
  /** Default permissions applied to users without their own (`authorization { permissions }`). */
  defaultPermissions?: Permissions;
  /** Seconds a client has to send CONNECT (nats-server default 2s, `authorization { timeout }`). */
  timeoutMs: number;
  /** `no_auth_user`: the user a client without credentials is bound to. */
  noAuthUser?: string;
}

export interface AccountConfig {
  name: string;
  users: UserConfig[];
  nkeys: NkeyUserConfig[];
  /** `jetstream: enabled` or limits; absent: the account has no JetStream (once accounts are configured). */
  jetstream?: JetStreamAccountLimits;
  /** `exports`, `imports` and `mappings`; absent when the account has none. */
  sharing?: AccountSharingConfig;
}

/** What an account shares with others and how it maps subjects (nats-server 2.9's keys). */
export interface AccountSharingConfig {
  streamExports: StreamExportConfig[];
  serviceExports: ServiceExportConfig[];
  streamImports: StreamImportConfig[];
  serviceImports: ServiceImportConfig[];
  mappings: SubjectMappingConfig[];
}

/** `{ stream: "news.>", accounts: [B] }`: messages on the subject may be imported. */
export interface StreamExportConfig {
  subject: string;
  /** The accounts that may import it; public when absent. */
  accounts?: string[];
}

/** How many responses a service sends to one request: one, or several until the threshold. */
export type ServiceResponseType = 'Singleton' | 'Stream' | 'Chunked';

/** `{ service: "help.>", accounts: [B], response_type, response_threshold }`. */
export interface ServiceExportConfig {
  subject: string;
  /** The accounts that may import it; public when absent. */
  accounts?: string[];
  responseType: ServiceResponseType;
  /** How long a requester's reply stays mapped back (nats-server's default: 2 minutes). */
  responseThresholdMs: number;
  /** `latency`: a ServiceLatency metric of the sampled requests is published on `subject` in this account. */
  latency?: ServiceLatencyConfig;
}

export interface ServiceLatencyConfig {
  /** Percent of the requests measured, 1..100. */
  sampling: number;
  subject: string;
}

/** `{ stream: { account, subject }, prefix }` or with `to`. */
export interface StreamImportConfig {
  /** The exporting account. */
  account: string;
  /** The subject in the exporting account (may have wildcards). */
  subject: string;
  /** What the importing account's subscribers see: `prefix.subject`, the `to` mapping, or the subject. */
  to: string;
  /** Where the import was written (`file:line:col`), for errors found when it is built. */
  at: string;
}

/** `{ service: { account, subject }, to }`. */
export interface ServiceImportConfig {
  /** The exporting account. */
  account: string;
  /** The subject the exporter's responders listen on. */
  subject: string;
  /** The subject requesters of the importing account publish to (the subject when not given). */
  to: string;
  /** `share`: accepted for nats-server compatibility (latency tracking shares the requester). */
  share: boolean;
  /** Where the import was written (`file:line:col`), for errors found when it is built. */
  at: string;
}

/** `mappings { source: destination }` or weighted destinations. */
export interface SubjectMappingConfig {
  source: string;
  destinations: MappingDestinationConfig[];
  /** Where the mapping was written (`file:line:col`), for errors found when it is built. */
  at: string;
}

export interface MappingDestinationConfig {
  subject: string;
  /** Percent, 1..100; nats-server sends the rest of 100 to the source subject itself. */
  weight: number;
  /** Only in this cluster, when given. */
  cluster?: string;
}

/** The server's `jetstream {}` block (and `-js`, `-sd`). */
export interface JetStreamConfig {
  enabled: boolean;
  storeDir?: string;
  /** Bytes; -1: nats-server's default (75% of memory, of the store's disk). */
  maxMemoryStore: number;
  maxFileStore: number;
  domain?: string;
  /** Bytes; accepted for nats-server compatibility (clustered catchup). */
  maxOutstandingCatchup?: number;
  /** How often file stores fsync (nats-server 2.10's `sync_interval`); `always`: before every ack. */
  syncIntervalMs: number;
  syncAlways: boolean;
  /** nats-ts's `redis`: file-storage streams live in this Redis instead of `store_dir`. */
  redis?: JetStreamRedisConfig;
  /** `redis_min_replicas`: an ack waits until this many Redis replicas have the write (`WAIT`); 0: the primary's word. */
  redisMinReplicas: number;
  /** `redis_lease`: how long a stream's owner holds it without renewing; another server takes it over after that. */
  redisLeaseMs: number;
}

/** Where the Redis store is: one server (`redis://host:port/db`), the primary a Sentinel group names, or a Redis Cluster (its seed nodes). */
export type JetStreamRedisConfig =
  | { readonly url: string }
  | { readonly sentinels: readonly { readonly host: string; readonly port: number }[]; readonly name: string }
  | { readonly cluster: readonly { readonly host: string; readonly port: number }[] };

/** An account's JetStream limits as nats-server 2.9 reads them; -1 is unlimited. */
export interface JetStreamAccountLimits {
  maxMemory: number;
  maxStore: number;
  maxStreams: number;
  maxConsumers: number;
  maxAckPending: number;
  memoryMaxStreamBytes: number;
  storeMaxStreamBytes: number;
  maxBytesRequired: boolean;
}

export const UNLIMITED_ACCOUNT_JETSTREAM: Readonly<JetStreamAccountLimits> = {
  maxMemory: -1,
  maxStore: -1,
  maxStreams: -1,
  maxConsumers: -1,
  maxAckPending: -1,
  memoryMaxStreamBytes: -1,
  storeMaxStreamBytes: -1,
  maxBytesRequired: false,
};

export interface TlsConfig {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  /** Require and verify client certificates. */
  verify: boolean;
  /** `verify_and_map` (client listener only): verify, and the certificate's e-mail, DNS name, URI or subject names the user. */
  verifyAndMap?: boolean;
  /** Handshake timeout in ms (nats-server default 2s; config value in seconds). */
  timeoutMs: number;
  /** Only for remotes/outbound: skip server certificate verification. */
  insecure: boolean;
}

export interface WebsocketConfig {
  host: string;
  port: number;
  advertise?: string;
  noTls: boolean;
  compression: boolean;
  tls?: TlsConfig;
  /** `handshake_timeout`; 0 (the nats-server default) means no limit. */
  handshakeTimeoutMs: number;
  sameOrigin: boolean;
  allowedOrigins: string[];
}

export interface LoggingConfig {
  /** `-l/--log`, `log_file`. Stderr when absent. */
  logFile?: string;
  debug: boolean;
  trace: boolean;
  /** `trace_verbose`, `-VV`: trace the system account's traffic too (implies trace). */
  traceVerbose?: boolean;
  /** `logtime` (default true). */
  logtime: boolean;
}

export interface ClusterConfig {
  name?: string;
  host: string;
  port: number;
  routes: string[];
  advertise?: string;
  noAdvertise: boolean;
  connectRetries: number;
  user?: string;
  password?: string;
  /** `cluster { authorization { timeout } }`, in ms. */
  authTimeoutMs?: number;
  /** `cluster { tls {...} }`: routes are TLS connections. */
  tls?: TlsConfig;
}

/** One entry of `gateway { gateways: [...] }`: a remote cluster and where to reach it. */
export interface RemoteGatewayConfig {
  name: string;
  urls: string[];
  /** Its own `tls {}` for dialing it; else the gateway block's. */
  tls?: TlsConfig;
}

/** `gateway {}`: this cluster's gateway to the other clusters of a super-cluster. */
export interface GatewayConfig {
  /** The cluster's name in the super-cluster (also the route cluster name when that is unset). */
  name: string;
  host: string;
  port: number;
  advertise?: string;
  rejectUnknownCluster: boolean;
  /** Attempts for gateways learned by gossip; configured ones are retried forever. */
  connectRetries: number;
  user?: string;
  password?: string;
  /** `gateway { authorization { timeout } }`, in ms. */
  authTimeoutMs?: number;
  gateways: RemoteGatewayConfig[];
  /** `gateway { tls {...} }`: gateway connections are TLS, both accepted and dialed ones. */
  tls?: TlsConfig;
}

/**
 * `bus {}` (nats-ts's own block): the roles of this node run in separate processes and meet on
 * the TCP bus. Absent: every role of a process meets on the in-process bus.
 */
export interface BusConfig {
  /** Where this process accepts bus connections; the client host by default, port -1 = free port. */
  host: string;
  port: number;
  /** host:port the other processes dial, when the listen address is not reachable as it is. */
  advertise?: string;
  /** Static membership: bus addresses (host:port) of the other processes. */
  members: string[];
  /** Redis membership: `redis://host:port`. */
  redis?: string;
  /** Separates buses sharing one Redis. */
  name: string;
  heartbeatMs: number;
  /** A process silent this long is dropped with its members' interest. */
  memberTimeoutMs: number;
  /** Lifetime of a Redis registration (renewed every third of it). */
  redisTtlMs: number;
}

export interface ServerOptions {
  /** Absolute path of the main configuration file, if one was given. */
  configFile?: string;
  serverName?: string;
  serverTags: string[];

  host: string;
  port: number;
  clientAdvertise?: string;
  /** `cluster { no_advertise }`, `--no_advertise`: do not tell clients about other cluster members. */
  noAdvertise: boolean;

  /** Monitoring: `-m/--http_port`, `http_port`, `http: host:port`. 0 = off. */
  httpHost: string;
  httpPort: number;
  /** `http_base_path`, normalized: starts with `/`, no trailing `/` unless it is just `/`. */
  httpBasePath: string;

  maxPayload: number;
  maxControlLine: number;
  maxPending: number;
  maxConnections: number;
  maxSubscriptions: number;
  pingIntervalMs: number;
  pingMax: number;
  writeDeadlineMs: number;
  lameDuckDurationMs: number;
  lameDuckGracePeriodMs: number;
  /** `no_header_support`: advertise `headers: false`. */
  noHeaderSupport: boolean;

  logging: LoggingConfig;
  pidFile?: string;
  portsFileDir?: string;

  auth: AuthConfig;
  accounts: AccountConfig[];
  /** Operator mode (`operator`, `resolver`, `resolver_preload`): users are JWTs of the operators' accounts. */
  trust?: TrustConfig;
  /**
   * The account whose users see every server (`$SYS.>` requests and events): `system_account`,
   * else the operator JWT's, else `$SYS` as nats-server 2.9 creates it; absent with `no_system_account`.
   */
  systemAccount?: string;
  /** Top-level `mappings`, for the global account `$G`. */
  mappings: SubjectMappingConfig[];

  tls?: TlsConfig;
  /** `allow_non_tls` (top level, as nats-server): with `tls {}`, plain-text clients are served too. */
  allowNonTls: boolean;
  websocket?: WebsocketConfig;

  /** Parsed so that flags and files are accepted; routes are served by a later role. */
  cluster?: ClusterConfig;
  /** `gateway {}`; absent unless it has a port. */
  gateway?: GatewayConfig;
  jetstream: JetStreamConfig;

  /** `leafnodes {}`; absent unless it has a port or remotes. */
  leafnodes?: LeafnodesConfig;

  /** nats-ts's own `bus {}` block; absent for a single process. */
  bus?: BusConfig;
}

export const DEFAULTS = {
  host: '0.0.0.0',
  port: 4222,
  httpHost: '0.0.0.0',
  maxPayload: 1024 * 1024,
  maxControlLine: 4096,
  maxPending: 64 * 1024 * 1024,
  maxConnections: 64 * 1024,
  maxSubscriptions: 0,
  pingIntervalMs: 2 * 60_000,
  pingMax: 2,
  writeDeadlineMs: 10_000,
  authTimeoutMs: 2_000,
  tlsTimeoutMs: 2_000,
  lameDuckDurationMs: 2 * 60_000,
  lameDuckGracePeriodMs: 10_000,
  /** nats-server 2.10's default file store sync interval. */
  jetstreamSyncIntervalMs: 120_000,
  jetstreamRedisLeaseMs: 5_000,
  responseMaxMsgs: 1,
  responseExpiresMs: 2 * 60_000,
  /** nats-server's DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD. */
  serviceResponseThresholdMs: 2 * 60_000,
  /** nats-server's DEFAULT_SYSTEM_ACCOUNT, created when no system account is named. */
  systemAccount: '$SYS',
} as const;
