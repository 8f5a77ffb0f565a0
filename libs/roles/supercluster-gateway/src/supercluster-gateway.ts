import { createServer, isIP, type Server as NetServer, type Socket } from 'node:net';
import { linkCredentialsPass } from '@nats-ts/auth';
import type { BusEndpoint, BusHandlers, BusTransport, GatewayUrls, InterestChange, MemberInfo, MemberState } from '@nats-ts/bus';
import { knownAccountNames, type GatewayConfig, type ServerOptions, sharingOptionsOf } from '@nats-ts/config';
import { Tracing, headerForSpan, startLinkReceiveSpan, startLinkSendSpan, type LinkTraceScope, type Logger } from '@nats-ts/observability';
import { FlushQueue, joinHostPort, parseAdvertise } from '@nats-ts/base';
import { encodeGatewayCommand, encodeGatewayGossip, encodeGatewayInfo, encodeRouteConnect, GatewayCommand, gatewayHash, gatewayReplyClusterHash, gatewayReplyPrefix, isGatewayReply, unmapGatewayReply, WireError } from '@nats-ts/protocol';
import { type RouterAccount } from '@nats-ts/routing';
import { type BoundAddress, ClosedState, closeListenerAndLinks, LinkTraffic, listen } from '@nats-ts/server-link';
import { MutualLinkTls } from '@nats-ts/server-link/tls';
import type { RoleSetup } from '@nats-ts/lifecycle';
import { ClusterInterest, type ClusterInterestChange } from './cluster-interest.js';
import { GatewayConnection } from './gateway-connection.js';
import { GatewayDialer, type RemoteGateway } from './gateway-dialer.js';
import { gatewayConnect, gatewayInfo, parseGatewayUrl, type GatewayConnectInfo, type GatewayPeerInfo } from './gateway-info.js';
import { RecentSubscriptions } from './recent-subscriptions.js';
import { RemoteInterest } from './remote-interest.js';
import { gatewayAuthTimeoutMs } from './auth-timeout.js';

/** Names the spans of traced messages crossing gateways (`gateway send`, `gateway receive`). */
const GATEWAY_TRACE_SCOPE: LinkTraceScope = { role: 'supercluster-gateway', link: 'gateway' };

/** Interest of these roles is the cluster's, which other clusters hear (not our own nor another gateway's). */
function isClusterRole(member: MemberInfo): boolean {
  return member.role !== 'supercluster-gateway';
}

/**
 * The name a dialed gateway's certificate is checked against: the URL's host name, or for an
 * IP (gossiped URLs usually are) the first host name configured for that cluster, as nats-server.
 */
function tlsServerName(remote: RemoteGateway, url: URL): string {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) === 0) return host;
  return remote.urls.find((u) => isIP(u.hostname.replace(/^\[(.*)\]$/, '$1')) === 0)?.hostname ?? host;
}

/**
 * The super-cluster role: gateway connections to the other clusters, speaking nats-server 2.9's
 * gateway protocol in interest-only mode (Optimistic mode towards pre-2.9 peers). One outbound
 * connection per remote cluster carries the messages this node's clients publish to where that
 * cluster has interest; inbound connections bring other clusters' messages and take our
 * cluster's interest to them. It translates between the wire and the process's interest router:
 * the remote clusters' interest becomes gateway entries in the router (which sends the messages
 * for them as RMSG), messages from other clusters are routed through it (only the publisher's
 * server sends to other clusters: the router's policy), and the interest every other bus member
 * announces (the node's clients and route-mesh's peers) is the cluster's, which other clusters hear.
 */
export class SuperclusterGateway implements BusHandlers {
  options: Readonly<ServerOptions>;
  readonly logger: Logger;
  readonly serverId: string;
  readonly serverName: string;
  readonly gatewayName: string;
  readonly flushQueue = new FlushQueue();
  readonly startTime = Date.now();
  readonly config: GatewayConfig;
  /** Every open gateway connection by id. */
  readonly connections = new Map<number, GatewayConnection>();
  /** Messages and bytes over gateway connections, for /varz. */
  readonly traffic = new LinkTraffic();
  /** The registered outbound connection to each remote cluster. */
  readonly outbound = new Map<string, GatewayConnection>();
  /** Registered inbound connections. */
  readonly inbound = new Set<GatewayConnection>();
  /** Remote clusters to dial, configured ones and those learned from peers. */
  readonly remotes = new Map<string, RemoteGateway>();
  readonly remoteInterest: RemoteInterest<GatewayConnection>;
  readonly clusterInterest = new ClusterInterest();
  private readonly recentSubscriptions = new RecentSubscriptions();
  readonly tracing: Tracing;
  /** `gateway { tls }`: accepted connections, and dialed ones without a remote's own tls. */
  readonly tls: MutualLinkTls | undefined;
  /** A configured remote's own `tls {}`, used to dial it. */
  private readonly remoteTls = new Map<string, MutualLinkTls>();

  private readonly compatVersion: string;
  private readonly productVersion: string;
  private readonly busTransport: BusTransport;
  private bus: BusEndpoint | undefined;
  private readonly dialer: GatewayDialer;
  private readonly knownAccounts: Set<string>;
  private readonly replyPrefix: string;
  private readonly clusterHash: string;
  /** Gateway URLs of the cluster's other servers (from route-mesh), for our INFO `gateway_urls`. */
  private clusterGatewayUrls: readonly string[] = [];
  private announcedState = '';
  private listener: NetServer | undefined;
  private bound: BoundAddress | undefined;
  private nextCid = 1;
  private stopping = false;
  private lastAccount: RouterAccount | undefined;

  constructor(config: RoleSetup) {
    const gateway = config.options.gateway;
    if (gateway === undefined) throw new Error('supercluster-gateway: no gateway configured');
    this.options = config.options;
    this.config = gateway;
    this.logger = config.logger;
    this.busTransport = config.bus;
    this.serverId = config.serverId;
    this.serverName = config.options.serverName ?? config.serverId;
    this.gatewayName = gateway.name;
    this.compatVersion = config.compatVersion;
    this.productVersion = config.productVersion;
    this.tracing = config.tracing ?? Tracing.off;
    this.tls = gateway.tls !== undefined ? new MutualLinkTls(gateway.tls, 'gateway') : undefined;
    for (const remote of gateway.gateways) if (remote.tls !== undefined) this.remoteTls.set(remote.name, new MutualLinkTls(remote.tls, 'gateway'));
    this.knownAccounts = new Set(knownAccountNames(config.options));
    this.clusterHash = gatewayHash(this.gatewayName);
    this.replyPrefix = gatewayReplyPrefix(this.clusterHash, gatewayHash(this.serverId));
    // Outbound gateways exist only once the bus is joined (start), so the endpoint is there when they subscribe.
    this.remoteInterest = new RemoteInterest(this.knownAccounts, {
      subscribe: (account, entry) => this.bus!.subscribe(account, entry),
      unsubscribe: (account, entry) => this.bus!.unsubscribe(account, entry),
    });
    this.dialer = new GatewayDialer(
      {
        connectRetries: () => this.config.connectRetries,
        connected: (name) => this.outbound.has(name),
        dialed: (socket, remote, url) => this.createGateway(socket, remote, url),
      },
      this.logger,
    );
  }

  // ---- lifecycle ----

  async start(): Promise<BoundAddress> {
    this.bus = await this.busTransport.join({ nodeId: this.serverId, role: 'supercluster-gateway', version: this.productVersion, routed: true }, this);
    this.bus.router.configureSharing(sharingOptionsOf(this.options));
    this.listener = createServer({ noDelay: true }, (socket) => this.createGateway(socket, undefined, undefined));
    this.bound = await listen(this.listener, this.config.host, this.config.port);
    this.logger.info(`Gateway name is ${this.gatewayName}`);
    this.logger.info(`Listening for gateways connections on ${joinHostPort(this.bound.host, this.bound.port)}`);
    this.announceState();
    for (const configured of this.config.gateways) {
      if (configured.name === this.gatewayName) continue;
      const urls: URL[] = [];
      for (const text of configured.urls) {
        const url = parseGatewayUrl(text);
        if (url !== undefined) urls.push(url);
        else this.logger.error(`Error parsing gateway URL "${text}"`);
      }
      const remote: RemoteGateway = { name: configured.name, urls, explicit: true };
      this.remotes.set(remote.name, remote);
      this.dialer.connect(remote);
    }
    return this.bound;
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    this.dialer.stop();
    this.recentSubscriptions.stop();
    const listener = this.listener;
    this.listener = undefined;
    await closeListenerAndLinks(listener, this.connections.values());
    await this.bus?.close();
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

  /** This server's gateway URL as peers should dial it. */
  gatewayUrl(): string {
    const port = this.bound?.port ?? this.config.port;
    if (this.config.advertise !== undefined && this.config.advertise !== '') {
      const advertised = parseAdvertise(this.config.advertise, port);
      return joinHostPort(advertised.host, advertised.port);
    }
    const host = this.config.host === '0.0.0.0' || this.config.host === '::' ? '127.0.0.1' : this.config.host;
    return joinHostPort(host, port);
  }

  // ---- connections ----

  /**
   * A socket we accepted (`remote` undefined) or dialed. With TLS configured (the gateway
   * block's, or the remote's own for a dialed one) it is TLS from the first byte, as in nats-server
   * 2.9: a dialed connection starts at once, an accepted one once the peer's certificate is verified.
   */
  private createGateway(socket: Socket, remote: RemoteGateway | undefined, url: URL | undefined): void {
    const tls = remote === undefined ? this.tls : this.dialTls(remote.name);
    if (tls === undefined || this.stopping) return this.openGateway(socket, remote, url);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const failed = (reason: string): void => this.logger.error(`${peer} - ${reason}`);
    if (remote === undefined) tls.accept(socket, (secured) => this.openGateway(secured, undefined, undefined), failed);
    else this.openGateway(tls.dial(socket, tlsServerName(remote, url!), failed), remote, url);
  }

  private openGateway(socket: Socket, remote: RemoteGateway | undefined, url: URL | undefined): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const conn = new GatewayConnection(this, socket, this.nextCid++, remote, url);
    this.connections.set(conn.cid, conn);
    const authTimeout = gatewayAuthTimeoutMs(this.config);
    // The inbound side speaks first; the outbound side answers the peer's INFO.
    conn.open(remote === undefined ? encodeGatewayInfo(this.identityInfo()) : undefined, authTimeout);
    this.logger.info(`${conn.label()} - Gateway connection created`);
  }

  /** The TLS to dial a remote cluster with: its own, else the gateway block's (also for clusters learned by gossip). */
  private dialTls(name: string): MutualLinkTls | undefined {
    return this.remoteTls.get(name) ?? this.tls;
  }

  private identityInfo(): Record<string, unknown> {
    const url = this.gatewayUrl();
    const colon = url.lastIndexOf(':');
    return gatewayInfo({
      serverId: this.serverId,
      serverName: this.serverName,
      version: this.compatVersion,
      gateway: this.gatewayName,
      host: url.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.slice(colon + 1)),
      urls: [url, ...this.clusterGatewayUrls.filter((other) => other !== url)],
      authRequired: this.config.user !== undefined,
      tlsRequired: this.tls !== undefined,
      maxPayload: this.options.maxPayload,
    });
  }

  /** CONNECT on an inbound connection: a gateway of a cluster we accept, with the right credentials. */
  processConnect(conn: GatewayConnection, connect: GatewayConnectInfo): void {
    if (typeof connect.gateway !== 'string' || connect.gateway === '') {
      conn.sendErr(WireError.clientOnGatewayPort);
      return conn.close(ClosedState.WrongPort);
    }
    if (!linkCredentialsPass(this.config, connect.user, connect.pass)) {
      conn.sendErr(WireError.authorizationViolation);
      return conn.close(ClosedState.AuthenticationViolation);
    }
    if (this.config.rejectUnknownCluster && !this.config.gateways.some((g) => g.name === connect.gateway)) {
      this.logger.error(`${conn.label()} - Rejecting connection from gateway "${connect.gateway}": unknown cluster`);
      return conn.close(ClosedState.WrongGateway);
    }
    conn.remoteName = connect.gateway;
    conn.remoteId = typeof connect.name === 'string' ? connect.name : '';
  }

  processInfo(conn: GatewayConnection, info: GatewayPeerInfo): void {
    if (conn.outbound) return this.processOutboundInfo(conn, info);
    if (!conn.connectReceived) return;
    if (!conn.registered) this.registerInbound(conn, info);
  }

  /** The INFO an inbound side sends first, then its interest commands and gossip. */
  private processOutboundInfo(conn: GatewayConnection, info: GatewayPeerInfo): void {
    if (conn.registered) {
      if (info.gateway_cmd === GatewayCommand.AllSubsStart || info.gateway_cmd === GatewayCommand.AllSubsComplete) {
        const start = info.gateway_cmd === GatewayCommand.AllSubsStart;
        const account = typeof info.gateway_cmd_payload === 'string' ? Buffer.from(info.gateway_cmd_payload, 'base64').toString('utf8') : '';
        if (account === '') {
          conn.sendErr(WireError.gatewayAccountAbsent(start));
          return conn.close(ClosedState.ProtocolViolation);
        }
        if (start) this.remoteInterest.startInterestOnly(conn, account);
        else this.remoteInterest.completeInterestOnly(conn, account);
      } else if (typeof info.gateway === 'string' && info.gateway !== conn.remoteName) {
        this.learnGateway(info.gateway, info.gateway_urls);
      } else {
        this.learnGateway(conn.remoteName, info.gateway_urls);
      }
      return;
    }
    const expected = conn.remoteName;
    if (typeof info.gateway !== 'string' || info.gateway === '') {
      conn.sendErr(WireError.gatewayWrongPort(expected));
      return conn.close(ClosedState.WrongPort);
    }
    if (info.gateway !== expected) {
      conn.sendErr(WireError.gatewayRejected(this.gatewayName, expected, info.gateway));
      return conn.close(ClosedState.WrongGateway);
    }
    this.dialer.done(expected);
    if (info.server_id === this.serverId || this.outbound.has(expected)) return conn.close(ClosedState.DuplicateRoute);
    conn.remoteId = info.server_id;
    conn.remoteHash = gatewayHash(expected);
    conn.headers = info.headers === true;
    const optimistic = info.gateway_iom !== true;
    if (optimistic) this.logger.info(`${conn.label()} - Gateway "${expected}" does not announce interest-only mode: its accounts start in Optimistic mode`);
    const url = conn.url!;
    const credentials =
      url.username !== ''
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : this.config.user !== undefined
          ? { user: this.config.user, pass: this.config.password ?? '' }
          : undefined;
    conn.queueProto(encodeRouteConnect(gatewayConnect(this.serverId, this.gatewayName, credentials, this.dialTls(expected) !== undefined)));
    conn.queueProto(encodeGatewayInfo(this.identityInfo()));
    conn.registered = true;
    conn.handshakeDone();
    this.outbound.set(expected, conn);
    this.remoteInterest.addGateway(conn, optimistic);
    this.learnGateway(expected, info.gateway_urls);
    // The other servers of our cluster hear of it over their routes and dial it too.
    this.announceState();
    this.logger.info(`${conn.label()} - Outbound gateway connection to "${expected}" (${info.server_id}) registered`);
  }

  /**
   * The outbound side's INFO after its CONNECT: register, then send it our cluster's interest
   * account by account (interest-only mode), and dial that cluster back if we have no outbound.
   */
  private registerInbound(conn: GatewayConnection, info: GatewayPeerInfo): void {
    if (typeof info.gateway !== 'string' || info.gateway === '') return conn.close(ClosedState.ProtocolViolation);
    conn.registered = true;
    conn.handshakeDone();
    conn.headers = info.headers === true;
    this.inbound.add(conn);
    this.logger.info(`${conn.label()} - Inbound gateway connection from "${info.gateway}" (${info.server_id}) registered`);
    const accounts = new Set(this.knownAccounts);
    for (const account of this.clusterInterest.accountsWithInterest()) if (this.knownAccounts.has(account)) accounts.add(account);
    for (const account of accounts) {
      for (const { subject, queue } of this.clusterInterest.ofAccount(account)) {
        if (queue !== undefined) conn.sendInterest(account, subject, queue, true);
      }
    }
    for (const account of accounts) {
      conn.queueProto(encodeGatewayCommand(this.gatewayName, GatewayCommand.AllSubsStart, account));
      for (const { subject, queue } of this.clusterInterest.ofAccount(account)) {
        if (queue === undefined) conn.sendInterest(account, subject, undefined, true);
      }
      conn.queueProto(encodeGatewayCommand(this.gatewayName, GatewayCommand.AllSubsComplete, account));
    }
    this.gossipGateways(conn, info.gateway);
    if (info.gateway !== this.gatewayName) this.learnGateway(info.gateway, info.gateway_urls);
  }

  /** A new inbound peer hears of the other clusters we know (gateway_cmd 1), so it can dial them. */
  private gossipGateways(conn: GatewayConnection, peerCluster: string): void {
    for (const remote of this.remotes.values()) {
      if (remote.name === peerCluster || remote.urls.length === 0) continue;
      conn.queueProto(encodeGatewayGossip(this.serverId, '', remote.name, remote.urls.map((url) => url.host)));
    }
  }

  /** URLs of a remote cluster from a peer (gossip): remembered and dialed if we have no outbound there. */
  private learnGateway(name: string, urls: unknown): void {
    if (name === this.gatewayName) return;
    let remote = this.remotes.get(name);
    if (remote === undefined) {
      remote = { name, urls: [], explicit: false };
      this.remotes.set(name, remote);
    }
    let added = false;
    if (Array.isArray(urls)) {
      for (const text of urls) {
        if (typeof text !== 'string') continue;
        const url = parseGatewayUrl(text);
        if (url !== undefined && !remote.urls.some((known) => known.host === url.host)) {
          remote.urls.push(url);
          added = true;
        }
      }
    }
    if (!this.outbound.has(name)) this.dialer.connect(remote);
    else if (added) this.announceState();
  }

  /**
   * Tells the node's route-mesh our gateway URL (for its route INFO) and the remote clusters we
   * reached, which its peers must dial too (nats-server's forwardNewGatewayToLocalCluster).
   */
  private announceState(): void {
    const gateways: GatewayUrls[] = [];
    for (const name of this.outbound.keys()) {
      const remote = this.remotes.get(name);
      if (remote !== undefined && remote.urls.length > 0) gateways.push({ name, urls: remote.urls.map((url) => url.host) });
    }
    const state: MemberState = { clientUrls: [], gatewayUrl: this.gatewayUrl(), gateways };
    const signature = JSON.stringify(state);
    if (signature === this.announcedState) return;
    this.announcedState = signature;
    this.bus?.announceState(state);
  }

  /**
   * route-mesh's news from the cluster: the other servers' gateway URLs (a change is sent to the
   * inbound gateways, as nats-server's sendAsyncGatewayInfo) and remote clusters they reached.
   */
  memberState(from: MemberInfo, state: MemberState): void {
    if (from.role !== 'route-mesh') return;
    const urls = state.clusterGatewayUrls ?? [];
    if (urls.length !== this.clusterGatewayUrls.length || urls.some((url, i) => url !== this.clusterGatewayUrls[i])) {
      this.clusterGatewayUrls = urls;
      if (this.bound !== undefined) {
        const info = encodeGatewayInfo(this.identityInfo());
        for (const conn of this.inbound) conn.queueProto(info);
      }
    }
    for (const gateway of state.gateways ?? []) this.learnGateway(gateway.name, gateway.urls);
  }

  connectionClosed(conn: GatewayConnection): void {
    this.connections.delete(conn.cid);
    this.traffic.closed(conn);
    this.logger.info(`${conn.label()} - Gateway connection closed: ${conn.closeReason}`);
    if (!conn.outbound) {
      this.inbound.delete(conn);
      return;
    }
    const name = conn.remoteName;
    if (this.outbound.get(name) === conn) {
      this.outbound.delete(name);
      this.remoteInterest.removeGateway(conn);
      this.announceState();
    } else if (!conn.registered) {
      this.dialer.done(name);
    }
    if (this.stopping || this.outbound.has(name) || conn.closeReason === ClosedState.DuplicateRoute) return;
    const remote = this.remotes.get(name);
    if (remote !== undefined) this.dialer.reconnect(remote);
  }

  // ---- remote clusters' interest (outbound connections) ----

  remoteSubscribed(conn: GatewayConnection, account: string, subject: string, queue: string | undefined): void {
    if (!conn.registered) return;
    if (!this.remoteInterest.subscribe(conn, account, subject, queue)) {
      this.logger.error(`${conn.label()} - Could not insert subscription: invalid subject "${subject}"`);
    }
  }

  remoteUnsubscribed(conn: GatewayConnection, account: string, subject: string, queue: string | undefined): void {
    if (conn.registered) this.remoteInterest.unsubscribe(conn, account, subject, queue);
  }

  /** A+ / A- on an outbound connection: the remote cluster wants an account's messages again, or none. */
  remoteAccountInterest(conn: GatewayConnection, account: string, present: boolean): void {
    if (!conn.registered) return;
    if (present) this.remoteInterest.acceptAccount(conn, account);
    else this.remoteInterest.refuseAccount(conn, account);
  }

  // ---- bus: membership, interest ----

  memberJoined(member: MemberInfo): void {
    this.logger.debug(`Bus member joined: ${member.role} ${member.memberId}`);
  }

  memberLeft(member: MemberInfo): void {
    this.logger.debug(`Bus member left: ${member.role} ${member.memberId}`);
    for (const change of this.clusterInterest.removeMember(member.memberId)) this.tellRemoteClusters(change);
  }

  interest(from: MemberInfo, change: InterestChange): void {
    if (!isClusterRole(from) || !this.knownAccounts.has(change.account)) return;
    if (change.add && this.outbound.size > 0) this.recentSubscriptions.add(change.account, change.subject, change.queue, Date.now());
    const result = this.clusterInterest.apply(from.memberId, change);
    if (result !== undefined) this.tellRemoteClusters(result);
  }

  private tellRemoteClusters(change: ClusterInterestChange): void {
    for (const conn of this.inbound) conn.sendInterest(change.account, change.subject, change.queue, change.present);
  }

  // ---- messages (hot path) ----

  /** The bus member messages from other clusters enter the router through. */
  get memberId(): string {
    return this.bus?.self.memberId ?? '';
  }

  /**
   * The router's message for a remote cluster (it chose the connection for the cluster's plain
   * interest, its catch-all, the queue groups named, or `_GR_.>`). A reply mapped for that
   * cluster goes to it alone, whatever its interest; any other message unless the peer declined
   * it, with the reply of a recent subscription prefixed so that the answer comes straight back here.
   */
  toGateway(
    conn: GatewayConnection,
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    header: Uint8Array | undefined,
    payload: Uint8Array,
    traceparent: string | undefined,
  ): void {
    if (isGatewayReply(subject)) {
      if (gatewayReplyClusterHash(subject) !== conn.remoteHash) return;
    } else {
      if (queues.length === 0 && this.remoteInterest.declines(conn, account, subject)) return;
      reply = this.replyFor(account, reply);
    }
    if (traceparent === undefined || !this.tracing.enabled) return conn.sendRoutedMsg(account, subject, reply, queues, header, payload);
    // A `gateway send` span whose trace context the header carries on.
    const span = startLinkSendSpan(this.tracing, GATEWAY_TRACE_SCOPE, this.memberId, conn, account, subject, traceparent);
    conn.sendRoutedMsg(account, subject, reply, queues, headerForSpan(span, header), payload);
    span?.end();
  }

  /**
   * The reply a request goes out with: prefixed with this server's `_GR_.` when it matches a
   * recent subscription (the other cluster may not know that interest yet), as nats-server does.
   */
  private replyFor(account: string, reply: string | undefined): string | undefined {
    if (reply === undefined || reply === '' || isGatewayReply(reply) || !this.recentSubscriptions.matches(account, reply)) return reply;
    return this.replyPrefix + reply;
  }

  /**
   * A message from another cluster, through the router: to this server's subscribers, leafs and
   * the other servers of the cluster with plain interest, and for each queue group the sender
   * chose us for, to one member. Never on to another cluster (the router's policy for messages
   * from gateways). A reply mapped for this cluster is delivered under its real subject; one
   * mapped for another cluster is dropped.
   */
  fromGateway(
    conn: GatewayConnection,
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    message: Buffer,
  ): void {
    const bus = this.bus;
    if (bus === undefined || !conn.registered) return;
    if (!this.knownAccounts.has(account)) return conn.refuseAccount(account);
    if (isGatewayReply(subject)) {
      if (gatewayReplyClusterHash(subject) !== this.clusterHash) return;
      subject = unmapGatewayReply(subject);
    }
    const target = this.routerAccount(bus, account);
    const span = this.tracing.enabled ? startLinkReceiveSpan(this.tracing, GATEWAY_TRACE_SCOPE, bus.self.memberId, conn, account, subject, headerSize, message) : undefined;
    bus.router.deliverRouted(target, conn, undefined, queues, subject, reply, headerSize, message, 0, message.length, span?.traceparent);
    span?.end();
  }

  /** The router's account, the last one kept (a gateway carries mostly one account). */
  private routerAccount(bus: BusEndpoint, name: string): RouterAccount {
    const last = this.lastAccount;
    if (last !== undefined && last.name === name) return last;
    return (this.lastAccount = bus.router.account(name));
  }
}
