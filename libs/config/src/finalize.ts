import { checkSharing } from './account-sharing-options.js';
import { finalizeBus } from './bus-options.js';
import type { Draft } from './draft.js';
import type { Diagnostics } from './entry-reader.js';
import { validateTrust } from './operator-options.js';
import { resolveSystemAccount } from './system-account-options.js';
import { DEFAULTS } from './options.js';

/** nats-server warns about payloads above this size. */
const LARGE_PAYLOAD = 8 * 1024 * 1024;
const MB = 1024 * 1024;

/**
 * Fills in what was left unset (nats-server's baseline: a 0 limit means the default) and
 * checks what can only be judged with every source applied.
 */
export function finalizeOptions(draft: Draft, d: Diagnostics): void {
  applyBaseline(draft);
  validate(draft, d);
  validateTrust(draft, d);
  resolveSystemAccount(draft, d);
}

function applyBaseline(draft: Draft): void {
  const o = draft.options;
  if (o.host === '') o.host = DEFAULTS.host;
  if (o.port === 0) o.port = DEFAULTS.port;
  if (!draft.httpHostSet) o.httpHost = o.host;
  o.maxPayload ||= DEFAULTS.maxPayload;
  o.maxControlLine ||= DEFAULTS.maxControlLine;
  o.maxPending ||= DEFAULTS.maxPending;
  o.maxConnections ||= DEFAULTS.maxConnections;
  o.pingIntervalMs ||= DEFAULTS.pingIntervalMs;
  o.pingMax ||= DEFAULTS.pingMax;
  o.writeDeadlineMs ||= DEFAULTS.writeDeadlineMs;
  o.lameDuckDurationMs ||= DEFAULTS.lameDuckDurationMs;
  o.lameDuckGracePeriodMs ||= DEFAULTS.lameDuckGracePeriodMs;
  // Without an explicit timeout, clients get the TLS handshake time plus a second, as in nats-server.
  if (!draft.authTimeoutSet || o.auth.timeoutMs === 0) {
    o.auth.timeoutMs = o.tls === undefined ? DEFAULTS.authTimeoutMs : o.tls.timeoutMs + 1000;
  }
  // A listener block without a port is off.
  if (o.websocket?.port === 0) delete o.websocket;
  else if (o.websocket?.host === '') o.websocket.host = DEFAULTS.host;
  if (o.cluster?.port === 0) delete o.cluster;
  else if (o.cluster?.host === '') o.cluster.host = DEFAULTS.host;
  if (o.gateway?.port === 0) delete o.gateway;
  else if (o.gateway?.host === '') o.gateway.host = DEFAULTS.host;
}

function validate(draft: Draft, d: Diagnostics): void {
  const o = draft.options;
  const at = (key: string) => draft.positions.get(key);
  if (o.maxPayload > o.maxPending) {
    d.error(at('max_payload') ?? at('max_pending'), `max_payload (${o.maxPayload}) cannot be higher than max_pending (${o.maxPending})`);
  }
  if (o.maxPayload > LARGE_PAYLOAD) {
    d.warn(at('max_payload'), `max_payload of ${o.maxPayload / MB} MB is over 8 MB, which is discouraged and could lead to poor performance`);
  }
  if (o.lameDuckGracePeriodMs >= o.lameDuckDurationMs) {
    d.error(
      at('lame_duck_grace_period') ?? at('lame_duck_duration'),
      `lame duck grace period (${o.lameDuckGracePeriodMs}ms) should be strictly lower than lame duck duration (${o.lameDuckDurationMs}ms)`,
    );
  }
  validateAuth(draft, d);
  checkSharing(draft, d);
  finalizeBus(draft, d);
  nameClusterAfterGateway(draft, d);
  if (o.websocket !== undefined && o.websocket.tls === undefined && !o.websocket.noTls) {
    d.error(at('websocket'), 'websocket requires TLS configuration (a tls block), or no_tls: true');
  }
}

function validateAuth(draft: Draft, d: Diagnostics): void {
  const auth = draft.options.auth;
  const authPos = draft.positions.get('authorization');
  const usersPos = draft.positions.get('account users') ?? authPos;
  const singleUser = auth.user !== undefined || auth.password !== undefined;
  if (singleUser && auth.token !== undefined) d.error(authPos, 'cannot have a user/password and a token');
  if (auth.users.length > 0 || auth.nkeys.length > 0) {
    if (singleUser) d.error(usersPos, 'cannot have a single user/password and a users list (in authorization or accounts)');
    if (auth.token !== undefined) d.error(usersPos, 'cannot have a token and a users list (in authorization or accounts)');
  }
  const noAuthUser = auth.noAuthUser;
  if (noAuthUser === undefined) return;
  const pos = draft.positions.get('no_auth_user');
  if (auth.users.length === 0) {
    d.error(pos, `no_auth_user: "${noAuthUser}" present, but users are not defined`);
  } else if (!auth.users.some((u) => u.user === noAuthUser)) {
    d.error(pos, `no_auth_user: "${noAuthUser}" not present as user in authorization block or account configuration`);
  }
}

/** As nats-server: with a gateway, the cluster is named after it, and a different cluster name is an error. */
function nameClusterAfterGateway(draft: Draft, d: Diagnostics): void {
  const { cluster, gateway } = draft.options;
  if (cluster === undefined || gateway === undefined || gateway.name === '' || cluster.name === gateway.name) return;
  if (cluster.name !== undefined && cluster.name !== '') {
    d.error(draft.positions.get('gateway'), 'cluster name conflicts between cluster and gateway definitions');
    return;
  }
  cluster.name = gateway.name;
}
