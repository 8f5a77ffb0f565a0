import { linkCredentialsPass } from '@nats-ts/auth';
import { GatewayCommand, WireError } from '@nats-ts/protocol';

import { ClosedState } from '@nats-ts/server-link';
import type { RouteConnection } from './route-connection.js';
import type { PeerInfo, RouteConnectInfo } from './route-info.js';
import type { RouteMesh } from './route-mesh.js';

/**
 * CONNECT from a peer that dialed us (nats-server's processConnect for a ROUTER, then
 * processRouteConnect): credentials, a client or gateway on the wrong port, the cluster name.
 */
export function processRouteConnect(mesh: RouteMesh, conn: RouteConnection, connect: RouteConnectInfo): void {
  const cluster = mesh.options.cluster;
  if (!linkCredentialsPass(cluster, connect.user, connect.pass)) {
    mesh.logger.error(`${conn.label()} - authentication error - User "${connect.user ?? ''}"`);
    conn.sendErr(WireError.authorizationViolation);
    return conn.close(ClosedState.AuthenticationViolation);
  }
  if (typeof connect.lang === 'string' && connect.lang !== '') {
    mesh.logger.error(`${conn.label()} - attempted to connect to route port`);
    conn.sendErr(WireError.clientOnRoutePort);
    return conn.close(ClosedState.WrongPort);
  }
  if (typeof connect.gateway === 'string' && connect.gateway !== '') {
    const text = WireError.gatewayOnRoutePort(connect.gateway);
    mesh.logger.error(`${conn.label()} - ${text}`);
    conn.sendErr(text);
    return conn.close(ClosedState.WrongGateway);
  }
  const theirs = typeof connect.cluster === 'string' ? connect.cluster : '';
  if (theirs !== mesh.clusterName && !mesh.mayAdoptClusterName(theirs, connect.cluster_dynamic === true)) {
    const text = WireError.clusterNameMismatch(theirs, mesh.clusterName);
    mesh.logger.error(`${conn.label()} - ${text}`);
    conn.sendErr(text);
    return conn.close(ClosedState.ClusterNameConflict);
  }
  if (theirs !== mesh.clusterName) mesh.adoptClusterName(theirs, connect.cluster_dynamic === true, conn);
  conn.remoteId = typeof connect.name === 'string' ? connect.name : '';
  conn.headers = mesh.supportsHeaders && connect.headers === true;
}

/**
 * INFO from a peer (nats-server's processRouteInfo). The first one identifies the peer and
 * registers the route (or finds it is ourselves, a duplicate, or from another cluster); later
 * ones announce other servers (gossip), lame duck mode, or permission changes.
 */
export function processRouteInfo(mesh: RouteMesh, conn: RouteConnection, info: PeerInfo): void {
  if (info.server_id === mesh.serverId) {
    conn.remoteId = info.server_id;
    if (conn.origin !== undefined) mesh.dialer.markSelf(conn.origin.url);
    return conn.close(ClosedState.DuplicateRoute);
  }
  const theirs = typeof info.cluster === 'string' ? info.cluster : '';
  if (theirs !== '' && theirs !== mesh.clusterName) {
    if (!mesh.mayAdoptClusterName(theirs, info.cluster_dynamic === true)) return conn.close(ClosedState.ClusterNameConflict);
    mesh.adoptClusterName(theirs, info.cluster_dynamic === true, conn);
  }
  if (conn.infoReceived) return processAsyncInfo(mesh, conn, info);

  if (!conn.didSolicit && info.server_name !== undefined && info.server_name === mesh.serverName) {
    mesh.logger.error(`${conn.label()} - Remote server has a duplicate name: "${info.server_name}"`);
    return conn.close(ClosedState.DuplicateServerName);
  }
  conn.infoReceived = true;
  conn.remoteId = info.server_id;
  conn.remoteName = typeof info.server_name === 'string' ? info.server_name : '';
  conn.headers = mesh.supportsHeaders && info.headers === true;
  conn.remoteInfo = info;
  if (mesh.register(conn, info)) {
    mesh.logger.debug(`${conn.label()} - Registering remote route "${info.server_id}"`);
  } else {
    mesh.logger.debug(`${conn.label()} - Detected duplicate remote route "${info.server_id}"`);
    conn.close(ClosedState.DuplicateRoute);
  }
}

function processAsyncInfo(mesh: RouteMesh, conn: RouteConnection, info: PeerInfo): void {
  if (typeof info.gateway === 'string' && info.gateway !== '') return processGatewayGossip(mesh, conn, info);
  if (conn.remoteId !== '' && conn.remoteId !== info.server_id) return mesh.processImplicitRoute(info);
  if (info.ldm === true) mesh.peerEnteredLameDuck(conn);
  // A peer whose gateway started after its routes tells its URL in a later INFO.
  if (typeof info.gateway_url === 'string' && info.gateway_url !== conn.gatewayUrl) mesh.peerGatewayUrl(conn, info.gateway_url);
}

/** INFO about a remote cluster's gateway (nats-server's processGatewayInfoFromRoute). */
function processGatewayGossip(mesh: RouteMesh, conn: RouteConnection, info: PeerInfo): void {
  if (mesh.options.gateway === undefined) {
    mesh.logger.error(`Received information about gateway "${info.gateway}" from ${conn.remoteId}, but gateway is not configured`);
    return;
  }
  if (info.gateway_cmd !== GatewayCommand.Gossip) {
    mesh.logger.error(`Unknown command ${String(info.gateway_cmd)} from server ${conn.remoteId}`);
    return;
  }
  const urls = Array.isArray(info.gateway_urls) ? info.gateway_urls.filter((u): u is string => typeof u === 'string') : [];
  mesh.heardOfGateway(info.gateway!, urls);
}
