import {
  formatGoTime,
  formatRtt,
  formatUptime,
  type AccountGatewayz,
  type ConnInfo,
  type GatewayOptsVarz,
  type Gatewayz,
  type RemoteGatewayz,
} from '@nats-ts/observability';
import type { GatewayConnection } from './gateway-connection.js';
import { INTEREST_ONLY_THRESHOLD, InterestMode } from './remote-interest.js';
import { gatewayAuthTimeoutMs } from './auth-timeout.js';
import type { SuperclusterGateway } from './supercluster-gateway.js';

/**
 * GET /gatewayz with nats-server's field names; `gw_name` filters by cluster, `accs=1` adds the
 * outbound connections' account interest modes, `acc_name` only that account's.
 */
export function buildGatewayz(gateway: SuperclusterGateway | undefined, serverId: string, query: Record<string, string>): Gatewayz {
  const now = Date.now();
  const gatewayz: Gatewayz = { server_id: serverId, now: formatGoTime(now), outbound_gateways: {}, inbound_gateways: {} };
  if (gateway === undefined) return gatewayz;
  gatewayz.name = gateway.gatewayName;
  gatewayz.host = gateway.config.host;
  gatewayz.port = gateway.boundAddress?.port;
  const only = query.gw_name;
  const onlyAccount = query.acc_name !== undefined && query.acc_name !== '' ? query.acc_name : undefined;
  const withAccounts = query.accs === '1' || query.accs === 'true' || onlyAccount !== undefined;
  for (const [name, conn] of gateway.outbound) {
    if (only !== undefined && only !== name) continue;
    const remote: RemoteGatewayz = { configured: gateway.remotes.get(name)?.explicit ?? false, connection: connInfo(gateway, conn, now) };
    if (withAccounts) remote.accounts = accountsOf(gateway, conn, onlyAccount);
    gatewayz.outbound_gateways[name] = remote;
  }
  for (const conn of gateway.inbound) {
    if (only !== undefined && only !== conn.remoteName) continue;
    const list = (gatewayz.inbound_gateways[conn.remoteName] ??= []);
    list.push({ configured: gateway.remotes.get(conn.remoteName)?.explicit ?? false, connection: connInfo(gateway, conn, now) });
  }
  return gatewayz;
}

function connInfo(gateway: SuperclusterGateway, conn: GatewayConnection, now: number): ConnInfo {
  return {
    cid: conn.cid,
    ip: conn.remoteAddress,
    port: conn.remotePort,
    start: formatGoTime(conn.start),
    last_activity: formatGoTime(conn.lastActivity),
    rtt: formatRtt(conn.rttMs),
    uptime: formatUptime(now - conn.start),
    idle: formatUptime(now - conn.lastActivity),
    pending_bytes: conn.pendingBytes(),
    in_msgs: conn.inMsgs,
    out_msgs: conn.outMsgs,
    in_bytes: conn.inBytes,
    out_bytes: conn.outBytes,
    subscriptions: conn.outbound ? gateway.remoteInterest.subscriptionsOf(conn).size : 0,
    name: conn.remoteId,
  };
}

/** An outbound connection's accounts as nats-server lists them: those the peer told us about, refused ones as Optimistic. */
function accountsOf(gateway: SuperclusterGateway, conn: GatewayConnection, only: string | undefined): AccountGatewayz[] {
  const accounts: AccountGatewayz[] = [];
  for (const [name, entry] of gateway.remoteInterest.accountsOf(conn)) {
    if (only !== undefined && only !== name) continue;
    const account: AccountGatewayz = { name, interest_mode: entry?.mode ?? InterestMode.Optimistic };
    if (entry !== null && entry.noInterest !== undefined && entry.noInterest.size > 0) account.no_interest_count = entry.noInterest.size;
    account.interest_only_threshold = INTEREST_ONLY_THRESHOLD;
    if (entry !== null && entry.subscriptions > 0) account.num_subs = entry.subscriptions;
    if (entry !== null && entry.queueSubscriptions > 0) account.num_queue_subs = entry.queueSubscriptions;
    accounts.push(account);
  }
  return accounts.sort((a, b) => a.name.localeCompare(b.name));
}

/** What the gateway role adds to /varz: nats-server's `gateway` block. */
export function gatewayVarz(gateway: SuperclusterGateway): Record<string, unknown> {
  const c = gateway.config;
  const block: GatewayOptsVarz = {
    name: gateway.gatewayName,
    host: c.host,
    port: gateway.boundAddress?.port ?? c.port,
    auth_timeout: gatewayAuthTimeoutMs(c) / 1000,
    tls_timeout: (c.tls?.timeoutMs ?? 2000) / 1000,
    ...(c.tls !== undefined ? { tls_required: true, tls_verify: true } : {}),
    advertise: c.advertise ?? '',
    connect_retries: c.connectRetries,
    gateways: [...gateway.remotes.values()].map((remote) => ({ name: remote.name, urls: remote.urls.map((url) => url.host) })),
    reject_unknown: c.rejectUnknownCluster,
  };
  return { gateway: block, ...gateway.traffic.varz(gateway.connections.values()) };
}
