import type { SourcePos } from './errors.js';
import { DEFAULTS, type ServerOptions } from './options.js';

/** Options being assembled from the file and the flags, before defaults and validation. */
export interface Draft {
  options: ServerOptions;
  /** Where keys checked against one another were written, for error positions. */
  positions: Map<string, SourcePos>;
  /** Every user name declared so far and where, to refuse duplicates. */
  userPositions: Map<string, SourcePos>;
  /** `http: host:port` named a host; otherwise monitoring binds where clients do. */
  httpHostSet: boolean;
  /** `authorization { timeout }` was given; otherwise it follows the TLS timeout. */
  authTimeoutSet: boolean;
  /** Where each export and import was written, for the checks made once every account is known. */
  sharingPositions: Map<object, SourcePos>;
  /** `system_account` as written (the name, where); resolved against the accounts once all are known. */
  systemAccount?: { name: string; pos: SourcePos };
  /** The first operator JWT's `system_account`, used when the file names none (as nats-server). */
  operatorSystemAccount?: string;
  /** `no_system_account: true`: no system account, not even the default `$SYS`. */
  noSystemAccount: boolean;
}

export function newDraft(): Draft {
  const options: ServerOptions = {
    serverTags: [],
    host: DEFAULTS.host,
    port: DEFAULTS.port,
    noAdvertise: false,
    httpHost: DEFAULTS.httpHost,
    httpPort: 0,
    httpBasePath: '/',
    maxPayload: DEFAULTS.maxPayload,
    maxControlLine: DEFAULTS.maxControlLine,
    maxPending: DEFAULTS.maxPending,
    maxConnections: DEFAULTS.maxConnections,
    maxSubscriptions: DEFAULTS.maxSubscriptions,
    pingIntervalMs: DEFAULTS.pingIntervalMs,
    pingMax: DEFAULTS.pingMax,
    writeDeadlineMs: DEFAULTS.writeDeadlineMs,
    lameDuckDurationMs: DEFAULTS.lameDuckDurationMs,
    lameDuckGracePeriodMs: DEFAULTS.lameDuckGracePeriodMs,
    noHeaderSupport: false,
    logging: { debug: false, trace: false, logtime: true },
    auth: { users: [], nkeys: [], timeoutMs: DEFAULTS.authTimeoutMs },
    allowNonTls: false,
    accounts: [],
    mappings: [],
    jetstream: { enabled: false, maxMemoryStore: -1, maxFileStore: -1, syncIntervalMs: DEFAULTS.jetstreamSyncIntervalMs, syncAlways: false, redisMinReplicas: 0, redisLeaseMs: DEFAULTS.jetstreamRedisLeaseMs },
  };
  return { options, positions: new Map(), userPositions: new Map(), httpHostSet: false, authTimeoutSet: false, sharingPositions: new Map(), noSystemAccount: false };
}
