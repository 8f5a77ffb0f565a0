import type { Socket } from 'node:net';
import { leafAccount, leafAuthRequired, leafJwtAccount, type LeafJwtPermissions, leafUsesJwt, parseUserCreds, signNonce } from '@nats-ts/auth';
import { joinHostPort } from '@nats-ts/base';
import { encodeLeafConnect, encodeLeafInfo, WireError } from '@nats-ts/protocol';
import { readFileSync } from 'node:fs';
import { PermissionChecker, type SubjectPermission } from '@nats-ts/routing';
import { ClosedState } from '@nats-ts/server-link';

import type { LeafConnection } from './leaf-connection.js';
import { hubInfo, leafConnect, urlCredentials, urlHostPort, type LeafConnectInfo, type LeafIdentity, type LeafPeerInfo } from './leaf-info.js';
import type { LeafProxy } from './leaf-proxy.js';

/** This server as its hub INFO describes it. */
export function leafIdentity(proxy: LeafProxy): LeafIdentity {
  const o = proxy.options;
  const leaf = proxy.leaf;
  return {
    serverId: proxy.serverId,
    serverName: proxy.serverName,
    version: proxy.compatVersion,
    go: `nats-ts ${proxy.productVersion} (node ${process.version})`,
    host: leaf.host,
    port: proxy.boundAddress?.port ?? leaf.port,
    headers: proxy.supportsHeaders,
    authRequired: leafAuthRequired(leaf, o),
    tlsRequired: proxy.tls !== undefined,
    tlsVerify: proxy.tls?.verify ?? false,
    maxPayload: o.maxPayload,
    cluster: o.cluster?.name,
    jetstream: o.jetstream.enabled,
    domain: o.jetstream.enabled ? o.jetstream.domain : undefined,
  };
}

/** Where leafs reach this hub (INFO `leafnode_urls`): the advertise address, else the address the leaf connected to. */
export function leafnodeUrls(proxy: LeafProxy, localAddress: string | undefined): string[] {
  const leaf = proxy.leaf;
  if (leaf.noAdvertise) return [];
  if (leaf.advertise !== undefined && leaf.advertise !== '') return [leaf.advertise];
  const port = proxy.boundAddress?.port ?? leaf.port;
  const unspecified = leaf.host === '0.0.0.0' || leaf.host === '::' || leaf.host === '';
  const host = unspecified ? (localAddress ?? '127.0.0.1').replace(/^::ffff:/, '') : leaf.host;
  return [joinHostPort(host, port)];
}

/**
 * Hub side: a leaf's CONNECT. Its credentials bind it to an account (or it is refused with
 * nats-server's error); a leaf of our own cluster name is refused; an older connection from the
 * same leaf is closed as a duplicate; then our INFO with `connect_info` and our interest go out.
 */
export function processLeafConnect(proxy: LeafProxy, conn: LeafConnection, connect: LeafConnectInfo): void {
  const logger = proxy.logger;
  if (typeof connect.gateway === 'string' && connect.gateway !== '') {
    conn.sendErr(WireError.clientOnLeafPort);
    return conn.close(ClosedState.WrongPort);
  }
  let account: string | undefined;
  /** The account JWT's `leaf`: its leaf connections at this server, -1 for no limit. */
  let maxLeafConnections = -1;
  let jwtPermissions: LeafJwtPermissions | undefined;
  if (proxy.trust !== undefined && leafUsesJwt(proxy.leaf, proxy.options)) {
    const proved = leafJwtAccount(proxy.trust, connect, conn.nonce, { host: conn.remoteAddress, websocket: conn.viaWebsocket });
    if ('refused' in proved) logger.debug(`${conn.label()} - JWT authentication: ${proved.refused}`);
    else ({ account, maxLeafConnections, permissions: jwtPermissions } = proved);
  } else {
    account = leafAccount(proxy.leaf, proxy.options, connect.user, connect.pass);
  }
  if (account === undefined) {
    logger.error(`${conn.label()} - authentication error`);
    conn.sendErr(WireError.authorizationViolation);
    return conn.close(ClosedState.AuthenticationViolation);
  }
  const ourCluster = proxy.options.cluster?.name;
  if (ourCluster !== undefined && connect.cluster === ourCluster) {
    logger.error(`${conn.label()} - remote leafnode has same cluster name`);
    conn.sendErr(WireError.leafSameClusterName);
    return conn.close(ClosedState.ClusterNameConflict);
  }
  conn.account = account;
  conn.remoteId = connect.server_id ?? '';
  conn.remoteName = connect.name ?? '';
  conn.remoteCluster = connect.cluster ?? '';
  conn.headers = connect.headers === true && proxy.supportsHeaders;
  conn.peerDomain = typeof connect.domain === 'string' && connect.domain !== '' ? connect.domain : undefined;
  if (connect.is_hub === true) conn.becomeSpoke();
  const denyPub = Array.isArray(connect.deny_pub) ? connect.deny_pub.filter((s): s is string => typeof s === 'string') : [];
  if (jwtPermissions !== undefined || denyPub.length > 0) {
    // As nats-server, the leaf's deny_pub joins the denies of what we send it.
    const base = jwtPermissions?.hubSide;
    const publish = denyPub.length > 0 ? { ...base?.publish, deny: [...(base?.publish?.deny ?? []), ...denyPub] } : base?.publish;
    conn.basePermissions = { publish, subscribe: base?.subscribe };
    conn.perms = new PermissionChecker(conn.basePermissions);
  }
  for (const other of proxy.connections.values()) {
    const same = other.remoteName === conn.remoteName && other.remoteCluster === conn.remoteCluster && other.account === account;
    if (other !== conn && !other.isSolicited && other.registered && same) {
      other.sendErr(WireError.duplicateRemoteLeaf);
      other.close(ClosedState.DuplicateRemoteLeafnodeConnection);
    }
  }
  if (maxLeafConnections !== -1 && leafConnectionsOf(proxy, account, conn) >= maxLeafConnections) {
    // As nats-server registering the leaf with its account.
    logger.error(`${conn.label()} - maximum account active connections exceeded`);
    conn.sendErr(WireError.maxAccountConnections);
    return conn.close(ClosedState.MaxAccountConnectionsExceeded);
  }
  conn.queueProto(encodeLeafInfo(hubInfo(leafIdentity(proxy), conn.cid, leafnodeUrls(proxy, undefined), { remoteAccount: account, imports: jwtPermissions?.imports, exports: jwtPermissions?.exports }), true));
  proxy.register(conn);
}

/** The account's leaf connections here, either direction, besides `conn` and those closing. */
function leafConnectionsOf(proxy: LeafProxy, account: string, conn: LeafConnection): number {
  let count = 0;
  for (const other of proxy.connections.values()) if (other !== conn && other.registered && !other.isClosed && other.account === account) count++;
  return count;
}

/**
 * Leaf side: the hub's first INFO. A hub must send `client_id` and `leafnode_urls` (else we
 * dialed a client port); TLS starts now if either side wants it; then our CONNECT, and we are
 * registered once the hub's INFO with `connect_info` arrives (at once if it promised none).
 */
export function processHubInfo(proxy: LeafProxy, conn: LeafConnection, info: LeafPeerInfo): void {
  const remote = conn.remote!;
  const dialed = conn.dialed!;
  if (typeof info.client_id !== 'number' || !Array.isArray(info.leafnode_urls)) {
    proxy.logger.error(`${conn.label()} - Attempted to connect to wrong port`);
    return conn.close(ClosedState.WrongPort);
  }
  conn.remoteId = info.server_id;
  conn.remoteName = info.server_name ?? '';
  conn.remoteCluster = typeof info.cluster === 'string' ? info.cluster : '';
  conn.headers = info.headers === true && proxy.supportsHeaders;
  conn.peerDomain = typeof info.domain === 'string' && info.domain !== '' ? info.domain : undefined;
  remote.learnUrls(info.leafnode_urls);
  const useTls = !dialed.websocket && (info.tls_required === true || remote.wantsTls);
  if (useTls) {
    const secure = remote.startTls(dialed.stream as Socket, urlHostPort(dialed.url).host);
    secure.once('error', (err) => proxy.logger.error(`${conn.label()} - TLS handshake error: ${err.message}`));
    conn.replaceSocket(secure);
  }
  const self = {
    serverId: proxy.serverId,
    serverName: proxy.serverName,
    version: proxy.compatVersion,
    cluster: proxy.options.cluster?.name ?? proxy.serverName,
    headers: proxy.supportsHeaders,
    jetstream: proxy.options.jetstream.enabled,
    domain: proxy.options.jetstream.enabled ? proxy.options.jetstream.domain : undefined,
  };
  let credentials: ReturnType<typeof urlCredentials> | { jwt: string; sig?: string } = urlCredentials(dialed.url);
  if (remote.config.credentials !== undefined) {
    try {
      const creds = parseUserCreds(readFileSync(remote.config.credentials, 'utf8'));
      credentials = { jwt: creds.jwt, ...(typeof info.nonce === 'string' ? { sig: signNonce(creds.seed, info.nonce) } : {}) };
    } catch (err) {
      proxy.logger.error(`${conn.label()} - cannot use credentials "${remote.config.credentials}": ${(err as Error).message}`);
      return conn.close(ClosedState.AuthenticationViolation);
    }
  }
  conn.queueProto(encodeLeafConnect(leafConnect(self, credentials, useTls, remote.config.denyImports, remote.config.hub === true)));
  if (info.info_on_connect === true) conn.awaitConnectInfo();
  else proxy.register(conn);
}

/**
 * Leaf side: the hub's INFO with connect_info may say what we may publish into it (`export`)
 * and subscribe to (`import`); as nats-server, our remote's deny_exports and deny_imports are
 * added to them, and they are applied at registration.
 */
export function applyHubPermissions(conn: LeafConnection, info: LeafPeerInfo): void {
  if (info.import === undefined && info.export === undefined) return;
  const config = conn.remote!.config;
  const withDenies = (granted: SubjectPermission | undefined, denies: readonly string[]): SubjectPermission | undefined =>
    denies.length === 0 ? granted : { ...granted, deny: [...(granted?.deny ?? []), ...denies] };
  conn.basePermissions = { publish: withDenies(info.export, config.denyExports), subscribe: withDenies(info.import, config.denyImports) };
}
