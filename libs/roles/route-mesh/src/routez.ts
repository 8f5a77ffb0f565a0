import {
  formatGoTime,
  formatRtt,
  formatUptime,
  querySubscriptions,
  type ClusterOptsVarz,
  type RouteInfo,
  type Routez,
  type SubDetail,
} from '@nats-ts/observability';
import type { RouteMesh } from './route-mesh.js';

/** GET /routez, with nats-server's field names: the registered routes, optionally with their interest. */
export function buildRoutez(mesh: RouteMesh | undefined, serverId: string, query: Record<string, string>): Routez {
  const subs = querySubscriptions(query);
  const now = Date.now();
  const routes: RouteInfo[] = [];
  for (const conn of mesh?.peers.values() ?? []) {
    const interest = mesh!.peerInterest.subscriptionsOf(conn);
    const info: RouteInfo = {
      rid: conn.rid,
      remote_id: conn.remoteId,
      did_solicit: conn.didSolicit,
      is_configured: conn.origin?.explicit ?? false,
      ip: conn.remoteAddress,
      port: conn.remotePort,
      start: formatGoTime(conn.start),
      last_activity: formatGoTime(conn.lastActivity),
      rtt: formatRtt(conn.rttMs),
      uptime: formatUptime(now - conn.start),
      idle: formatUptime(now - conn.lastActivity),
      pending_size: conn.pendingBytes(),
      in_msgs: conn.inMsgs,
      out_msgs: conn.outMsgs,
      in_bytes: conn.inBytes,
      out_bytes: conn.outBytes,
      subscriptions: interest.size,
    };
    if (interest.size > 0 && subs === 'detail') {
      info.subscriptions_list_detail = [...interest].map(([key, sub]): SubDetail => {
        const detail: SubDetail = { subject: sub.subject, sid: key, msgs: 0, cid: conn.rid };
        if (sub.queue !== undefined) detail.qgroup = sub.queue;
        return detail;
      });
    } else if (interest.size > 0 && subs === 'list') {
      info.subscriptions_list = [...interest.values()].map((sub) => sub.subject);
    }
    routes.push(info);
  }
  return { server_id: serverId, now: formatGoTime(now), num_routes: routes.length, routes };
}

/** What the route role adds to /varz: the cluster block, route counts and the cluster's client URLs. */
export function routeVarz(mesh: RouteMesh): Record<string, unknown> {
  const c = mesh.options.cluster;
  const cluster: ClusterOptsVarz = {
    name: mesh.clusterName,
    addr: c?.host,
    cluster_port: mesh.boundAddress?.port,
    auth_timeout: (c?.authTimeoutMs ?? 2000) / 1000,
  };
  const routes = mesh.configuredRoutes.filter((r) => URL.canParse(r)).map((r) => new URL(r).host);
  if (routes.length > 0) cluster.urls = routes;
  cluster.tls_timeout = (c?.tls?.timeoutMs ?? 2000) / 1000;
  const varz: Record<string, unknown> = { cluster, routes: mesh.peers.size, remotes: mesh.peers.size, ...mesh.traffic.varz(mesh.connections.values()) };
  const peerUrls = mesh.peerClientUrls();
  if (peerUrls.length > 0 && !c?.noAdvertise) varz.connect_urls = [...mesh.localClientUrls(), ...peerUrls];
  return varz;
}
