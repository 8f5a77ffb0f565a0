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
import { gatewayAuthTimeoutMs, type SuperclusterGateway } from './supercluster-gateway.js';

/** GET /gatewayz with nats-server's field names; `gw_name` filters by cluster, `accs=1` adds accounts' interest modes. */
export function buildGatewayz(gateway: SuperclusterGateway | undefined, serverId: string, query: Record<string, string>): Gatewayz {
  const now = Date.now();
  const gatewayz: Gatewayz = { server_id: serverId, now: formatGoTime(now), outbound_gateways: {}, inbound_gateways: {} };
  if (gateway === undefined) return gatewayz;
  gatewayz.name = gateway.gatewayName;
  gatewayz.host = gateway.config.host;
  gatewayz.port = gateway.boundAddress?.port;
  const only = query.gw_name;
  const withAccounts = query.accs === '1' || query.accs === 'true';
  for (const [name, conn] of gateway.outbound) {
    if (only !== undefined && only !== name) continue;
    const remote: RemoteGatewayz = { configured: gateway.remotes.get(name)?.explicit ?? false, connection: connInfo(gateway, conn, now) };
    if (withAccounts) remote.accounts = accountsOf(gateway, conn);
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

function accountsOf(gateway: SuperclusterGateway, conn: GatewayConnection): AccountGatewayz[] {
  const counts = new Map<string, { subs: number; queues: number }>();
  for (const sub of gateway.remoteInterest.subscriptionsOf(conn).values()) {
    let c = counts.get(sub.account);
    if (c === undefined) counts.set(sub.account, (c = { subs: 0, queues: 0 }));
    c.subs++;
    if (sub.queue !== undefined) c.queues++;
  }
  const accounts: AccountGatewayz[] = [];
  for (const [name, mode] of gateway.remoteInterest.modesOf(conn)) {
    const c = counts.get(name);
    accounts.push({ name, interest_mode: mode, num_subs: c?.subs ?? 0, num_queue_subs: c?.queues ?? 0 });
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
  return { gateway: block };
}
