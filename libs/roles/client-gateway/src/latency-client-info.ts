import { formatGoTime } from '@nats-ts/observability';
import type { ClientConnection } from './client-connection.js';

/**
 * A client as a service latency metric names it (nats-server's getClientInfo): always its
 * account and round trip (ns, left out when unknown); `detailed` (the responder, or a requester
 * whose import has `share`) adds who it is and which server and cluster it is on.
 */
export function latencyClientInfo(conn: ClientConnection, detailed: boolean): Record<string, unknown> {
  const rtt = conn.rttMs > 0 ? Math.round(conn.rttMs * 1_000_000) : undefined;
  const account = conn.account?.name ?? '';
  if (!detailed) return rtt === undefined ? { acc: account } : { acc: account, rtt };
  const info: Record<string, unknown> = { start: formatGoTime(conn.start), host: conn.transport.remoteAddress, id: conn.cid, acc: account };
  if (conn.auth?.user) info.user = conn.auth.user;
  if (conn.opts.name) info.name = conn.opts.name;
  if (conn.opts.lang) info.lang = conn.opts.lang;
  if (conn.opts.version) info.ver = conn.opts.version;
  if (rtt !== undefined) info.rtt = rtt;
  const server = conn.gateway.baseInfo();
  info.server = server.server_name;
  if (typeof server.cluster === 'string' && server.cluster !== '') info.cluster = server.cluster;
  if (conn.credentials.jwt) info.jwt = conn.credentials.jwt;
  info.kind = 'Client';
  info.client_type = conn.transport.kind === 'websocket' ? 'websocket' : 'nats';
  return info;
}
