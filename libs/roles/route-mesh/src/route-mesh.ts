import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { BusEndpoint, BusHandlers, BusTransport, InterestChange, MemberInfo, MemberState } from '@nats-ts/bus';
import { knownAccountNames, type ClusterConfig, type ServerOptions, sharingOptionsOf } from '@nats-ts/config';
import { Tracing, headerForSpan, startLinkReceiveSpan, startLinkSendSpan, type LinkTraceScope, type Logger } from '@nats-ts/observability';
import type { RouterAccount } from '@nats-ts/routing';
import { FlushQueue, joinHostPort, parseAdvertise } from '@nats-ts/base';
import { encodeGatewayGossip, encodeRouteConnect, encodeRouteInfo } from '@nats-ts/protocol';
import { type BoundAddress, ClosedState, closeListenerAndLinks, LinkTraffic, listen } from '@nats-ts/server-link';
import { MutualLinkTls } from '@nats-ts/server-link/tls';
import type { RoleSetup } from '@nats-ts/lifecycle';
import { GatewayGossip } from './gateway-gossip.js';
import { processRouteConnect, processRouteInfo } from './handshake.js';
import { LocalInterest, type LocalInterestTotal } from './local-interest.js';
import { PeerInterest } from './peer-interest.js';
import { RouteConnection, type RouteOrigin } from './route-connection.js';
import { RouteDialer } from './route-dialer.js';
import { dynamicClusterName, routeConnect, routeInfo, routeNonce, routeUrlCredentials, routeUrlHostPort, type PeerInfo, type RouteConnectInfo, type RouteIdentity } from './route-info.js';

/** Names the spans of traced messages crossing routes (`route send`, `route receive`). */
const ROUTE_TRACE_SCOPE: LinkTraceScope = { role: 'route-mesh', link: 'route' };

/** Roles whose interest is this node's own: route peers must hear it (not other routes', not gateways'). */
function isLocalRole(member: MemberInfo): boolean {
  return member.role !== 'route-mesh' && member.role !== 'supercluster-gateway';
}

/**
 * The cluster role: full-mesh route connections to the other servers of the cluster, speaking
 * nats-server 2.9's route protocol. It translates between the wire and the process's interest
 * router: the interest peers send (RS+/RS-) becomes route entries in the router (which sends the
 * messages for them as RMSG), messages from peers are routed through it, and peers are told the
 * interest the node's members announce. A message crosses one route only (the router's policy).
 */
export class RouteMesh implements BusHandlers {
  options: Readonly<ServerOptions>;
  readonly logger: Logger;
  readonly tracing: Tracing;
  readonly serverId: string;
  readonly serverName: string;
  readonly supportsHeaders: boolean;
  readonly flushQueue = new FlushQueue();
  readonly startTime = Date.now();
  /** Every open route connection, registered or not, by rid. */
  readonly connections = new Map<number, RouteConnection>();
  /** Messages and bytes over route connections, for /varz. */
  readonly traffic = new LinkTraffic();
  /** The registered route to each peer server, by server id. */
  readonly peers = new Map<string, RouteConnection>();
  readonly dialer: RouteDialer;
  clusterName: string;
  dynamicClusterName: boolean;

  private readonly cluster: ClusterConfig;
  private readonly compatVersion: string;
  private readonly productVersion: string;
  private readonly busTransport: BusTransport;
  private bus: BusEndpoint | undefined;
  private readonly local = new LocalInterest();
  readonly peerInterest: PeerInterest<RouteConnection>;
  /** Accounts this server knows; interest and messages for others are ignored, as nats-server does. */
  private readonly knownAccounts: Set<string>;
  /** Client URLs of this node's client-gateways, for our route INFO's connect_urls. */
  private readonly ownClientUrls = new Map<string, readonly string[]>();
  private readonly gatewayGossip = new GatewayGossip();
  private advertisedState = '';
  private readonly tls: MutualLinkTls | undefined;
  private listener: NetServer | undefined;
  private bound: BoundAddress | undefined;
  private nextRid = 1;
  private stopping = false;

  constructor(config: RoleSetup) {
    const cluster = config.options.cluster;
    if (cluster === undefined) throw new Error('route-mesh: no cluster configured');
    this.options = config.options;
    this.cluster = cluster;
    this.logger = config.logger;
    this.tracing = config.tracing ?? Tracing.off;
    this.busTransport = config.bus;
    this.serverId = config.serverId;
    this.serverName = config.options.serverName ?? config.serverId;
    this.compatVersion = config.compatVersion;
    this.productVersion = config.productVersion;
    this.supportsHeaders = !config.options.noHeaderSupport;
    this.dynamicClusterName = cluster.name === undefined || cluster.name === '';
    this.clusterName = this.dynamicClusterName ? dynamicClusterName() : cluster.name!;
    this.knownAccounts = new Set(knownAccountNames(config.options));
    this.tls = cluster.tls !== undefined ? new MutualLinkTls(cluster.tls, 'route') : undefined;
    // Routes exist only once the bus is joined (start), so the endpoint is there when they subscribe.
    this.peerInterest = new PeerInterest({
      subscribe: (account, entry) => this.bus!.subscribe(account, entry),
      unsubscribe: (account, entry) => this.bus!.unsubscribe(account, entry),
      reweigh: (account, entry, weight) => this.bus!.reweigh(account, entry, weight),
    });
    this.dialer = new RouteDialer(
      {
        clusterPort: () => this.bound?.port ?? -1,
        connectRetries: () => this.cluster.connectRetries,
        dialed: (socket, origin) => this.createRoute(socket, origin),
      },
      this.logger,
    );
  }

  // ---- lifecycle ----

  async start(): Promise<BoundAddress> {
    this.bus = await this.busTransport.join({ nodeId: this.serverId, role: 'route-mesh', version: this.productVersion, routed: true }, this);
    this.bus.router.configureSharing(sharingOptionsOf(this.options));
    this.logger.info(`Cluster name is ${this.clusterName}`);
    if (this.dynamicClusterName) this.logger.warn('Cluster name was dynamically generated, consider setting one');
    this.listener = createServer({ noDelay: true }, (socket) => this.createRoute(socket, undefined));
    this.bound = await listen(this.listener, this.cluster.host, this.cluster.port);
    this.logger.info(`Listening for route connections on ${joinHostPort(this.bound.host, this.bound.port)}`);
    this.announceState();
    for (const route of this.cluster.routes) {
      let url: URL;
      try {
        url = new URL(route);
      } catch {
        this.logger.error(`Error parsing route URL "${route}"`);
        continue;
      }
      this.dialer.connect({ url, explicit: true });
    }
    return this.bound;
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    this.dialer.stop();
    const listener = this.listener;
    this.listener = undefined;
    await closeListenerAndLinks(listener, this.connections.values());
    await this.bus?.close();
  }

  /** As nats-server: peers hear of lame duck mode (INFO ldm) and stop advertising our client URLs. */
  enterLameDuck(): Promise<void> {
    const info = encodeRouteInfo({ ...this.identityInfo(undefined), ldm: true }, false);
    for (const peer of this.peers.values()) peer.queueProto(info);
    return Promise.resolve();
  }

  reload(options: Readonly<ServerOptions>): void {
    // The accounts' imports, exports and mappings first: a reload they refuse changes nothing here.
    this.bus?.router.reconfigureSharing(sharingOptionsOf(options));
    this.options = options;
    // Accounts become known (a pushed account JWT); as in nats-server, none is forgotten.
    for (const name of knownAccountNames(options)) this.knownAccounts.add(name);
  }

  get boundAddress(): BoundAddress | undefined {
    return this.bound;
  }

  get configuredRoutes(): readonly string[] {
    return this.cluster.routes;
  }

  // ---- connections ----

  /**
   * A socket we accepted (`origin` undefined) or dialed. With cluster TLS it is TLS from the first
   * byte: a dialed route starts at once, an accepted one once the peer's certificate is verified.
   */
  private createRoute(socket: Socket, origin: RouteOrigin | undefined): void {
    const tls = this.tls;
    if (tls === undefined || this.stopping) return this.openRoute(socket, origin);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const failed = (reason: string): void => this.logger.error(`${peer} - ${reason}`);
    if (origin === undefined) tls.accept(socket, (secured) => this.openRoute(secured, undefined), failed);
    else this.openRoute(tls.dial(socket, routeUrlHostPort(origin.url).host, failed), origin);
  }

  private openRoute(socket: Socket, origin: RouteOrigin | undefined): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const tls = this.tls;
    const conn = new RouteConnection(this, socket, this.nextRid++, origin);
    this.connections.set(conn.rid, conn);
    let connect: Buffer | undefined;
    if (origin !== undefined) {
      const credentials =
        routeUrlCredentials(origin.url) ??
        (this.cluster.user !== undefined ? { user: this.cluster.user, pass: this.cluster.password ?? '' } : undefined);
      connect = encodeRouteConnect(
        routeConnect(this.serverId, this.clusterName, this.dynamicClusterName, this.supportsHeaders, tls !== undefined, credentials),
      );
    }
    const authTimeout = origin === undefined && this.cluster.user !== undefined ? (this.cluster.authTimeoutMs ?? 2000) : undefined;
    conn.open(connect, encodeRouteInfo(this.identityInfo(routeNonce()), true), authTimeout);
    this.logger.info(`${conn.label()} - Route connection created`);
  }

  /** This server's route INFO. */
  private identityInfo(nonce: string | undefined): Record<string, unknown> {
    const o = this.options;
    const c = this.cluster;
    const identity: RouteIdentity = {
      serverId: this.serverId,
      serverName: this.serverName,
      version: this.compatVersion,
      go: `nats-ts ${this.productVersion} (node ${process.version})`,
      host: c.host,
      port: this.bound?.port ?? c.port,
      headers: this.supportsHeaders,
      authRequired: c.user !== undefined,
      tlsRequired: this.tls !== undefined,
      maxPayload: o.maxPayload,
    };
    if (c.advertise !== undefined && c.advertise !== '') {
      const advertised = parseAdvertise(c.advertise, identity.port);
      identity.host = advertised.host;
      identity.port = advertised.port;
      identity.ip = `nats-route://${joinHostPort(advertised.host, advertised.port)}/`;
    }
    const urls = c.noAdvertise ? [] : this.localClientUrls();
    return routeInfo(identity, this.clusterName, this.dynamicClusterName, urls, nonce, this.gatewayGossip.ownUrl);
  }

  /** Client URLs of this node's client-gateways. */
  localClientUrls(): string[] {
    const urls: string[] = [];
    for (const list of this.ownClientUrls.values()) for (const url of list) if (!urls.includes(url)) urls.push(url);
    return urls;
  }

  processConnect(conn: RouteConnection, connect: RouteConnectInfo): void {
    processRouteConnect(this, conn, connect);
  }

  processInfo(conn: RouteConnection, info: PeerInfo): void {
    processRouteInfo(this, conn, info);
  }

  /**
   * Registers the route to a peer from its first INFO. False when that server already has a
   * route: the new connection is the duplicate and closes; the surviving one takes over its
   * dialed URL and will be redialed if it drops, as nats-server resolves duplicates.
   */
  register(conn: RouteConnection, info: PeerInfo): boolean {
    const existing = this.peers.get(info.server_id);
    if (existing !== undefined && existing !== conn) {
      if (conn.origin !== undefined) existing.origin = conn.origin;
      existing.retry = true;
      return false;
    }
    this.peers.set(info.server_id, conn);
    conn.registered = true;
    for (const total of this.local.all()) conn.sendInterest(total.account, total.subject, total.queue, total.weight);
    if (this.peers.size > 1) this.forwardToOtherPeers(conn, info);
    conn.connectUrls = Array.isArray(info.connect_urls) ? info.connect_urls.filter((u): u is string => typeof u === 'string') : [];
    if (typeof info.gateway_url === 'string' && info.gateway_url !== '') conn.gatewayUrl = info.gateway_url;
    this.tellGateways(conn);
    this.announceState();
    return true;
  }

  /** Gossip: the other peers learn of the new one and dial it, so the cluster stays a full mesh. */
  private forwardToOtherPeers(conn: RouteConnection, info: PeerInfo): void {
    const forwarded: Record<string, unknown> = { ...info };
    delete forwarded.nonce;
    if (typeof info.ip !== 'string' || info.ip === '') {
      forwarded.ip = `nats-route://${joinHostPort(conn.remoteAddress, typeof info.port === 'number' ? info.port : 0)}/`;
    }
    const frame = encodeRouteInfo(forwarded, false);
    for (const peer of this.peers.values()) if (peer !== conn && peer.remoteId !== info.server_id) peer.queueProto(frame);
  }

  /** A peer told us about another server of the cluster: dial it unless we know it already. */
  processImplicitRoute(info: PeerInfo): void {
    if (info.server_id === this.serverId || this.peers.has(info.server_id) || this.isConfiguredRoute(info)) return;
    let url: URL;
    try {
      url = new URL(typeof info.ip === 'string' ? info.ip : '');
    } catch {
      this.logger.error(`Error parsing URL from INFO: ${JSON.stringify(info.ip)}`);
      return;
    }
    if (info.auth_required === true && this.cluster.user !== undefined) {
      url.username = encodeURIComponent(this.cluster.user);
      url.password = encodeURIComponent(this.cluster.password ?? '');
    }
    this.dialer.connect({ url, explicit: false });
  }

  private isConfiguredRoute(info: PeerInfo): boolean {
    const hostPort = joinHostPort(String(info.host ?? ''), Number(info.port ?? 0)).toLowerCase();
    return this.cluster.routes.some((route) => URL.canParse(route) && new URL(route).host.toLowerCase() === hostPort);
  }

  /** A peer's gateway URL arrived after its first INFO (its gateway started later). */
  peerGatewayUrl(conn: RouteConnection, url: string): void {
    conn.gatewayUrl = url;
    this.announceState();
  }

  /** A peer told of a remote cluster's gateway: this node's gateway dials it (nats-server's processImplicitGateway). */
  heardOfGateway(name: string, urls: readonly string[]): void {
    if (this.gatewayGossip.hear(name, urls)) this.announceState();
  }

  /** Sends a peer the gateway gossip it has not had (nats-server's sendGatewayConfigsToRoute). */
  private tellGateways(conn: RouteConnection): void {
    const serverName = this.options.serverName ?? '';
    for (const [key, gateway] of this.gatewayGossip.untold(conn.toldGateways)) {
      conn.toldGateways.add(key);
      conn.queueProto(encodeGatewayGossip(`GW${this.serverId}`, serverName, gateway.name, gateway.urls));
    }
  }

  peerEnteredLameDuck(conn: RouteConnection): void {
    if (conn.connectUrls.length === 0) return;
    conn.connectUrls = [];
    this.announceState();
  }

  /** Whether a peer's cluster name replaces ours: only when ours was generated, as in nats-server. */
  mayAdoptClusterName(theirs: string, theirsDynamic: boolean): boolean {
    return this.dynamicClusterName && theirs !== '' && (!theirsDynamic || this.clusterName < theirs);
  }

  /** Takes the peer's cluster name; routes formed under the old name are dropped (and redialed). */
  adoptClusterName(name: string, dynamic: boolean, keep: RouteConnection): void {
    this.logger.info(`Cluster name updated to ${name}`);
    this.clusterName = name;
    this.dynamicClusterName = dynamic;
    for (const conn of [...this.connections.values()]) if (conn !== keep) conn.close(ClosedState.ClusterNameConflict);
    this.announceState();
  }

  routeClosed(conn: RouteConnection): void {
    this.connections.delete(conn.rid);
    this.traffic.closed(conn);
    this.logger.info(`${conn.label()} - Router connection closed: ${conn.closeReason}`);
    if (this.peers.get(conn.remoteId) === conn) {
      this.peers.delete(conn.remoteId);
      this.peerInterest.removeRoute(conn);
      if (conn.connectUrls.length > 0 || conn.gatewayUrl !== undefined) this.announceState();
    }
    if (this.stopping || !(conn.didSolicit || conn.retry)) return;
    if (conn.remoteId !== '' && this.peers.has(conn.remoteId)) {
      this.logger.debug(`Not attempting reconnect for solicited route, already connected to "${conn.remoteId}"`);
      return;
    }
    if (conn.remoteId === this.serverId) return;
    const origin = conn.origin ?? this.originFromInfo(conn);
    if (origin !== undefined) this.dialer.reconnect(origin);
  }

  /** A route we did not dial but must redial (it replaced a dialed duplicate): its INFO says where. */
  private originFromInfo(conn: RouteConnection): RouteOrigin | undefined {
    const info = conn.remoteInfo;
    if (info === undefined || typeof info.host !== 'string' || typeof info.port !== 'number') return undefined;
    const url = new URL(`nats-route://${joinHostPort(info.host, info.port)}/`);
    if (typeof info.ip === 'string' && URL.canParse(info.ip)) return { url: new URL(info.ip), explicit: false };
    return { url, explicit: false };
  }

  // ---- peers' interest ----

  peerSubscribed(conn: RouteConnection, account: string, subject: string, queue: string | undefined, weight: number): void {
    if (!conn.registered) return;
    if (!this.knownAccounts.has(account)) {
      if (this.logger.isDebug) this.logger.debug(`${conn.label()} - Unknown account "${account}" for remote subject "${subject}"`);
      return;
    }
    if (!this.peerInterest.add(conn, account, subject, queue, weight)) {
      this.logger.error(`${conn.label()} - Could not insert subscription: invalid subject "${subject}"`);
    }
  }

  peerUnsubscribed(conn: RouteConnection, account: string, subject: string, queue: string | undefined): void {
    if (conn.registered) this.peerInterest.remove(conn, account, subject, queue);
  }

  // ---- bus: membership, interest, state ----

  memberJoined(member: MemberInfo): void {
    this.logger.debug(`Bus member joined: ${member.role} ${member.memberId}`);
  }

  memberLeft(member: MemberInfo): void {
    this.logger.debug(`Bus member left: ${member.role} ${member.memberId}`);
    if (isLocalRole(member)) for (const total of this.local.removeMember(member.memberId)) this.tellPeers(total);
    this.ownClientUrls.delete(member.memberId);
  }

  interest(from: MemberInfo, change: InterestChange): void {
    if (!isLocalRole(from)) return;
    const total = this.local.apply(from.memberId, change);
    if (total !== undefined) this.tellPeers(total);
  }

  memberState(from: MemberInfo, state: MemberState): void {
    if (from.role === 'client-gateway') this.ownClientUrls.set(from.memberId, state.clientUrls);
    if (from.role === 'supercluster-gateway') this.gatewayState(state);
  }

  /** The node's gateway: its URL goes into our route INFO, the clusters it reached to every peer. */
  private gatewayState(state: MemberState): void {
    if (state.gatewayUrl !== undefined && state.gatewayUrl !== this.gatewayGossip.ownUrl) {
      this.gatewayGossip.ownUrl = state.gatewayUrl;
      // Peers that registered before our gateway started learn its URL from a later INFO.
      if (this.peers.size > 0) {
        const info = encodeRouteInfo(this.identityInfo(undefined), false);
        for (const peer of this.peers.values()) peer.queueProto(info);
      }
    }
    if (this.gatewayGossip.setReached(state.gateways ?? [])) for (const peer of this.peers.values()) this.tellGateways(peer);
  }

  private tellPeers(total: LocalInterestTotal): void {
    for (const peer of this.peers.values()) peer.sendInterest(total.account, total.subject, total.queue, total.weight);
  }

  /** Tells the node's members the cluster name and the client URLs the peers advertise. */
  private announceState(): void {
    const clientUrls: string[] = [];
    if (!this.cluster.noAdvertise) {
      for (const peer of this.peers.values()) for (const url of peer.connectUrls) if (!clientUrls.includes(url)) clientUrls.push(url);
    }
    const state: MemberState = { clientUrls, cluster: this.clusterName };
    const gatewayUrls: string[] = [];
    for (const peer of this.peers.values()) if (peer.gatewayUrl !== undefined && !gatewayUrls.includes(peer.gatewayUrl)) gatewayUrls.push(peer.gatewayUrl);
    if (gatewayUrls.length > 0) state.clusterGatewayUrls = gatewayUrls;
    const heard = this.gatewayGossip.heardGateways();
    if (heard.length > 0) state.gateways = heard;
    const signature = JSON.stringify(state);
    if (signature === this.advertisedState) return;
    this.advertisedState = signature;
    this.bus?.announceState(state);
  }

  /** Client URLs of the other servers, as clients see them in connect_urls (for /varz). */
  peerClientUrls(): string[] {
    const urls: string[] = [];
    for (const peer of this.peers.values()) for (const url of peer.connectUrls) if (!urls.includes(url)) urls.push(url);
    return urls;
  }

  // ---- messages (hot path) ----

  /** The bus member messages from routes enter the router through. */
  get memberId(): string {
    return this.bus?.self.memberId ?? '';
  }

  /** Sends a traced message to a peer under a `route send` span whose trace context the header carries on. */
  sendTraced(route: RouteConnection, traceparent: string, account: string, subject: string, reply: string | undefined, queues: readonly string[], header: Uint8Array | undefined, payload: Uint8Array): void {
    const span = startLinkSendSpan(this.tracing, ROUTE_TRACE_SCOPE, this.memberId, route, account, subject, traceparent);
    route.sendRoutedMsg(account, subject, reply, queues, headerForSpan(span, header), payload);
    span?.end();
  }

  /**
   * A message from a peer, through the router: to this server's subscribers and leafs with plain
   * interest, and for each queue group the peer chose us for, to one member. Never on to other
   * routes (the router's policy for messages from routes).
   */
  fromRoute(
    conn: RouteConnection,
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    message: Buffer,
  ): void {
    const bus = this.bus;
    if (bus === undefined || !conn.registered || !this.knownAccounts.has(account)) return;
    const target = this.routerAccount(bus, account);
    const span = this.tracing.enabled ? startLinkReceiveSpan(this.tracing, ROUTE_TRACE_SCOPE, bus.self.memberId, conn, account, subject, headerSize, message) : undefined;
    bus.router.deliverRouted(target, conn, undefined, queues, subject, reply, headerSize, message, 0, message.length, span?.traceparent);
    span?.end();
  }

  private lastAccount: RouterAccount | undefined;

  /** The router's account, the last one kept (a route carries mostly one account). */
  private routerAccount(bus: BusEndpoint, name: string): RouterAccount {
    const last = this.lastAccount;
    if (last !== undefined && last.name === name) return last;
    return (this.lastAccount = bus.router.account(name));
  }
}
