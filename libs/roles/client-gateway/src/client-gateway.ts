import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { Authenticator } from '@nats-ts/auth';
import { FlushQueue } from '@nats-ts/base';
import { encodeErr, encodeInfo, WireError } from '@nats-ts/protocol';
import { AccountRegistry, subjectMatches, type InterestRouter, type RouterAccount, type RouterEntry, type RouterOrigin, type SubscriberEntry } from '@nats-ts/routing';
import { sharingOptionsOf, type ServerOptions } from '@nats-ts/config';
import type { RoleSetup, WebsocketClientPeer } from '@nats-ts/lifecycle';
import { Tracing, type Logger } from '@nats-ts/observability';
import type { BusEndpoint, BusHandlers, BusTransport, MemberInfo, MemberState } from '@nats-ts/bus';
import { type BoundAddress, ClosedState, listen, type TlsAcceptor } from '@nats-ts/server-link';

import { ClientConnection } from './client-connection.js';
import { ClusterAdvertisement, clientConnectUrls } from './cluster-advertisement.js';
import { summarizeConnection, type ConnectionSummary } from './connection-summary.js';
import type { ClientSubscription } from './interest.js';
import { startReceiveSpan, traceDelivery } from './message-tracing.js';
import { SocketTransport, WebSocketTransport, type ConnectionTransport } from './transport.js';
import { addClosedTraffic, type AccountTraffic } from './system-account/account-statz.js';
import type { ClientEvents } from './system-account/client-events.js';

export interface GatewayStats {
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  slowConsumers: number;
  totalConnections: number;
}

/** Closed connections kept for /connz?state=closed, as nats-server keeps a ring of them. */
const CLOSED_RING_SIZE = 10_000;

/**
 * The client role: accepts client connections (TCP, TLS, WebSocket), authenticates them,
 * subscribes their interest into the process's interest router and publishes their messages
 * through it, which delivers them to local subscribers and every other kind of target.
 */
export class ClientGateway implements BusHandlers {
  options: Readonly<ServerOptions>;
  readonly logger: Logger;
  authenticator: Authenticator;
  readonly flushQueue = new FlushQueue();
  readonly connections = new Map<number, ClientConnection>();
  readonly closedConnections: ConnectionSummary[] = [];
  /** Per account, what its closed connections did here (its /accstatz totals outlive them). */
  readonly closedTraffic = new Map<string, AccountTraffic>();
  readonly stats: GatewayStats = { inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0, slowConsumers: 0, totalConnections: 0 };
  readonly startTime = Date.now();
  readonly serverId: string;
  readonly compatVersion: string;
  readonly productVersion: string;
  readonly tracing: Tracing;

  private nextCid = 1;
  private listener: NetServer | undefined;
  /** Sockets accepted while held (see `holdClients`); undefined when clients are served as they come. */
  private heldSockets: Socket[] | undefined;
  /** TLS handshakes of client connections, when `tls {}` is configured. */
  private tlsAcceptor: TlsAcceptor | undefined;
  private clientAddress: BoundAddress | undefined;
  private lameDuck = false;
  private readonly busTransport: BusTransport;
  private bus: BusEndpoint | undefined;
  /** Accounts before the bus is joined (tests that build a gateway without starting it). */
  private readonly unjoinedAccounts = new AccountRegistry<RouterEntry>();
  private readonly cluster = new ClusterAdvertisement();
  /** Told when client-gateway members of the bus come and go (the system responder's choice of replica). */
  private readonly membershipListeners: (() => void)[] = [];
  /** The system account's client events, when there is a system account (set by the role). */
  systemEvents: ClientEvents | undefined;
  private internalOrigin: RouterOrigin = { originKind: 'internal', originMember: '' };

  constructor(config: RoleSetup) {
    this.options = config.options;
    this.logger = config.logger;
    this.busTransport = config.bus;
    this.serverId = config.serverId;
    this.compatVersion = config.compatVersion;
    this.productVersion = config.productVersion;
    this.tracing = config.tracing ?? Tracing.off;
    this.authenticator = new Authenticator(this.options, this.logger);
  }

  // ---- lifecycle ----

  async start(): Promise<BoundAddress> {
    const o = this.options;
    this.bus = await this.busTransport.join({ nodeId: this.serverId, role: 'client-gateway', version: this.productVersion, routed: true }, this);
    this.bus.router.configureSharing(sharingOptionsOf(o));
    // Other servers, leaf nodes and processes send what accounts share here, as they hear of its interest.
    const bus = this.bus;
    this.internalOrigin = { originKind: 'internal', originMember: bus.self.memberId };
    bus.router.watchSharedInterest(({ account, subject }, add) => bus.announceInterest({ account, subject, weight: 1, add }));
    if (o.tls) {
      // node:tls is loaded only by a server that has TLS configured.
      const { TlsAcceptor, tlsFiles } = await import('@nats-ts/server-link/tls');
      this.tlsAcceptor = new TlsAcceptor({ files: tlsFiles(o.tls), requestCert: o.tls.verify, timeoutMs: o.tls.timeoutMs, kind: 'client' });
    }
    this.listener = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.acceptSocket(socket));
    // Dual-stack as nats-server's client listener: the default 0.0.0.0 also takes IPv6 clients.
    this.clientAddress = await listen(this.listener, o.host, o.port, true);
    this.logger.info(`Listening for client connections on ${hostPort(this.clientAddress)}`);
    this.advertiseClientUrls();
    if (this.tlsAcceptor) this.logger.info('TLS required for client connections');
    return this.clientAddress;
  }

  async shutdown(): Promise<void> {
    // A listener's close completes only once its connections are gone, so close them meanwhile.
    const listenersClosed = this.stopListening();
    for (const socket of this.heldSockets ?? []) socket.destroy();
    this.heldSockets = undefined;
    for (const conn of [...this.connections.values()]) conn.close(ClosedState.ServerShutdown);
    await listenersClosed;
    await this.bus?.close();
  }

  private stopListening(): Promise<void> {
    const l = this.listener;
    this.listener = undefined;
    return l ? new Promise<void>((resolve) => l.close(() => resolve())) : Promise.resolve();
  }

  /**
   * Lame duck mode, as nats-server: stop accepting, tell clients (INFO `ldm`), wait the grace
   * period, then close the clients spread over the rest of the lame duck duration.
   */
  async enterLameDuck(): Promise<void> {
    if (this.lameDuck) return;
    this.lameDuck = true;
    this.logger.info('Entering lame duck mode, stop accepting new clients');
    const listenersClosed = this.stopListening();
    const info = { ...this.baseInfo(), ldm: true };
    for (const conn of this.connections.values()) conn.sendInfo(info);
    const grace = this.options.lameDuckGracePeriodMs;
    await sleep(grace);
    const conns = [...this.connections.values()];
    if (conns.length === 0) return listenersClosed;
    // As nats-server: spread the closes over the rest of the duration, at most 1s apart,
    // batching when there are more clients than milliseconds.
    let spread = this.options.lameDuckDurationMs - grace;
    if (spread <= 0) spread = 1000;
    let pause = spread / conns.length;
    let batch = 1;
    if (pause < 1) {
      batch = Math.ceil(conns.length / spread);
      pause = 1;
    } else if (pause > 1000) {
      pause = 1000;
    }
    this.logger.info('Closing existing clients');
    for (let i = 0; i < conns.length; i += batch) {
      for (const conn of conns.slice(i, i + batch)) conn.close(ClosedState.ServerShutdown);
      if (i + batch < conns.length) await sleep(pause);
    }
    await listenersClosed;
  }

  /**
   * SIGHUP: new users, passwords, permissions and limits apply to existing connections; in
   * operator mode, new account JWTs too (revocations, signing keys, limits), as nats-server;
   * and the accounts' new imports, exports and mappings.
   */
  reload(options: Readonly<ServerOptions>): void {
    // The accounts' imports, exports and mappings first: a reload they refuse changes nothing here.
    this.bus?.router.reconfigureSharing(sharingOptionsOf(options));
    this.options = options;
    this.authenticator = new Authenticator(options, this.logger);
    const accountClients = new Map<string, number>();
    for (const conn of [...this.connections.values()]) {
      conn.applyLimits();
      if (conn.auth === undefined) continue;
      if (conn.auth.jwt) {
        this.recheckJwtClient(conn, accountClients);
        continue;
      }
      // As nats-server: a user that is gone or now in another account is closed quietly;
      // one whose credentials no longer pass gets an Authorization Violation.
      if (!this.authenticator.knowsSameBinding(conn.credentials, conn.auth)) {
        conn.close(ClosedState.ClientClosed);
        continue;
      }
      const result = this.authenticator.authenticate(conn.credentials, conn.peer());
      if (result === undefined) {
        conn.authViolation();
        continue;
      }
      conn.auth = result;
      conn.applyPermissions(result.permissions);
      conn.revokeDisallowedSubscriptions();
    }
  }

  /** A JWT client after a reload: closed when revoked, refused or past its account's `conn` limit (oldest kept). */
  private recheckJwtClient(conn: ClientConnection, accountClients: Map<string, number>): void {
    const result = this.authenticator.recheck(conn.credentials, conn.peer());
    if (result === 'revoked') return conn.revoked();
    if (result === 'account expired') return conn.accountExpired();
    if (result === undefined) return conn.authViolation();
    const seen = accountClients.get(result.account) ?? 0;
    const limit = result.limits?.maxAccountConnections ?? -1;
    if (limit !== -1 && seen >= limit) return conn.accountConnectionsExceeded();
    accountClients.set(result.account, seen + 1);
    conn.auth = result;
    conn.applyLimits();
    conn.applyPermissions(result.permissions);
    conn.revokeDisallowedSubscriptions();
  }

  get boundClientAddress(): BoundAddress | undefined {
    return this.clientAddress;
  }

  // ---- accepting ----

  /**
   * Holds the clients accepted from now on, paused and not yet sent INFO, until
   * `serveHeldClients()`: the process's later roles (JetStream) are not up yet, and a client
   * that connects must find them answering, as nats-server starts JetStream before it accepts.
   */
  holdClients(): void {
    this.heldSockets ??= [];
  }

  serveHeldClients(): void {
    const held = this.heldSockets;
    this.heldSockets = undefined;
    for (const socket of held ?? []) if (!socket.destroyed) this.acceptSocket(socket);
  }

  private acceptSocket(socket: Socket): void {
    if (this.heldSockets !== undefined) {
      this.heldSockets.push(socket);
      return;
    }
    // TLS starts on the socket as accepted; only plain TCP reads into the shared buffer.
    this.accept(new SocketTransport(socket, this.tlsAcceptor === undefined));
  }

  /** A client of the node's websocket listener (the process runner serves it, see WebsocketRoutes). */
  acceptWebsocket(ws: WebSocket, peer: WebsocketClientPeer): void {
    this.accept(new WebSocketTransport(ws, peer.remoteAddress, peer.remotePort, peer.tls));
  }

  private accept(transport: ConnectionTransport): void {
    const conn = new ClientConnection(this, transport, this.nextCid++);
    if (this.lameDuck) {
      transport.destroy();
      return;
    }
    if (this.connections.size >= this.options.maxConnections) {
      // As nats-server: INFO first, then the error, then close.
      transport.attach(conn);
      transport.write(encodeInfo(this.infoFor(conn)));
      transport.write(encodeErr(WireError.maxConnections));
      this.logger.error(`${conn.label()} - ${WireError.maxConnections}`);
      transport.end();
      return;
    }
    this.connections.set(conn.cid, conn);
    this.stats.totalConnections++;
    this.logger.debug(`${conn.label()} - Client connection created`);
    conn.open();
    if (this.tlsAcceptor && transport instanceof SocketTransport) {
      const onReady = (): void => this.logger.debug(`${conn.label()} - TLS handshake complete`);
      const onFail = (reason: string): void => {
        this.logger.error(`${conn.label()} - ${reason}`);
        conn.close(ClosedState.TLSHandshakeError);
      };
      if (this.options.allowNonTls) transport.upgradeToTlsIfClientStarts(this.tlsAcceptor, onReady, onFail);
      else transport.upgradeToTls(this.tlsAcceptor, onReady, onFail);
    }
  }

  connectionClosed(conn: ClientConnection): void {
    if (!this.connections.delete(conn.cid)) return;
    this.stats.inMsgs += conn.inMsgs;
    this.stats.inBytes += conn.inBytes;
    this.stats.outMsgs += conn.outMsgs;
    this.stats.outBytes += conn.outBytes;
    this.closedConnections.push(summarizeConnection(conn));
    addClosedTraffic(this.closedTraffic, conn);
    if (this.closedConnections.length > CLOSED_RING_SIZE) this.closedConnections.shift();
    this.logger.debug(`${conn.label()} - Client connection closed: ${conn.closeReason}`);
    this.systemEvents?.disconnected(conn);
  }

  // ---- INFO ----

  baseInfo(): Record<string, unknown> {
    const o = this.options;
    const addr = this.clientAddress;
    const info: Record<string, unknown> = {
      server_id: this.serverId,
      server_name: o.serverName ?? this.serverId,
      version: this.compatVersion,
      proto: 1,
      go: `nats-ts ${this.productVersion} (node ${process.version})`,
      host: o.host,
      port: addr?.port ?? o.port,
      headers: !o.noHeaderSupport,
      max_payload: o.maxPayload,
    };
    // The stream-store role runs when JetStream is on, in this process or on the bus.
    if (o.jetstream.enabled) info.jetstream = true;
    if (this.authenticator.required) info.auth_required = true;
    if (o.tls) {
      // With allow_non_tls nats-server offers TLS rather than requiring it.
      if (o.allowNonTls) info.tls_available = true;
      else info.tls_required = true;
      if (o.tls.verify) info.tls_verify = true;
    }
    this.cluster.addTo(info, o.noAdvertise);
    if (o.jetstream.enabled && o.jetstream.domain !== undefined) info.domain = o.jetstream.domain;
    if (this.lameDuck) info.ldm = true;
    return info;
  }

  // ---- cluster advertisement (INFO connect_urls) ----

  /** Tells the other bus members (a route-mesh gossips them to its peers) how clients reach us. */
  private advertiseClientUrls(): void {
    const urls = clientConnectUrls(this.options.clientAdvertise, this.options.host, this.clientAddress!.port);
    this.cluster.setOwnUrls(urls);
    this.bus?.announceState({ clientUrls: urls });
  }

  memberState(from: MemberInfo, state: MemberState): void {
    if (this.cluster.setMemberState(from.memberId, state)) this.sendInfoUpdate();
  }

  /** As nats-server: clients that understand async INFO learn of cluster changes at once. */
  private sendInfoUpdate(): void {
    for (const conn of this.connections.values()) conn.sendInfo(this.infoFor(conn));
  }

  infoFor(conn: ClientConnection): Record<string, unknown> {
    const info = this.baseInfo();
    info.client_id = conn.cid;
    info.client_ip = conn.transport.remoteAddress;
    return info;
  }

  // ---- interest ----

  /** The process's interest router (once the bus is joined). */
  get router(): InterestRouter | undefined {
    return this.bus?.router;
  }

  get accounts(): AccountRegistry<RouterEntry> {
    return this.bus?.router.accounts ?? this.unjoinedAccounts;
  }

  /** The bus member clients' messages enter the router through. */
  get memberId(): string {
    return this.bus?.self.memberId ?? '';
  }

  /** The authenticated clients of an account on this server (a JWT account's `conn` limit counts them). */
  clientsOfAccount(account: string): number {
    let count = 0;
    for (const conn of this.connections.values()) if (conn.auth?.account === account) count++;
    return count;
  }

  accountFor(name: string): RouterAccount {
    return this.accounts.getOrCreate(name);
  }

  addSubscription(conn: ClientConnection, sub: ClientSubscription): boolean {
    try {
      this.bus?.subscribe(conn.account!.name, sub);
    } catch {
      return false;
    }
    return true;
  }

  removeSubscription(conn: ClientConnection, sub: ClientSubscription): void {
    const account = conn.account;
    if (account !== undefined) this.bus?.unsubscribe(account.name, sub);
  }

  subjectMatches(subject: string, pattern: string): boolean {
    return subjectMatches(subject, pattern);
  }

  // ---- routing (hot path) ----

  /** A message published by a local client: through the router to every target, else no responders. */
  routeFromClient(src: ClientConnection, subject: string, reply: string | undefined, headerSize: number, data: Buffer, start: number, end: number): void {
    const router = this.bus?.router;
    if (router === undefined) return;
    let traceparent: string | undefined;
    let span: ReturnType<typeof startReceiveSpan>;
    if (this.tracing.enabled) {
      span = startReceiveSpan(this.tracing, this.memberId, src.account!.name, src.cid, subject, headerSize, data, start, end);
      traceparent = span?.traceparent;
    }
    const delivered = router.publish(src.account!, src, subject, reply, headerSize, data, start, end, traceparent);
    span?.end();
    if (!delivered && reply !== undefined && src.opts.noResponders) src.sendNoResponders(reply);
  }

  /** The traceparent of the message being delivered, when tracing is on and it carries one. */
  get activeTrace(): string | undefined {
    return this.tracing.enabled ? this.bus?.router.activeTrace : undefined;
  }

  /** Called by a connection delivering while `activeTrace` is set. */
  traceDelivery(conn: ClientConnection, sub: ClientSubscription, subject: string): void {
    traceDelivery(this.tracing, this.activeTrace!, this.memberId, conn.cid, sub, subject);
  }

  // ---- bus handlers ----

  memberJoined(member: MemberInfo): void {
    this.logger.debug(`Bus member joined: ${member.role} ${member.memberId}`);
    if (member.role === 'client-gateway') for (const listener of this.membershipListeners) listener();
  }

  memberLeft(member: MemberInfo): void {
    this.logger.debug(`Bus member left: ${member.role} ${member.memberId}`);
    if (this.cluster.setMemberState(member.memberId, undefined)) this.sendInfoUpdate();
    if (member.role === 'client-gateway') for (const listener of this.membershipListeners) listener();
  }

  onClientGatewaysChanged(listener: () => void): void {
    this.membershipListeners.push(listener);
  }

  /** Whether this is the node's first client-gateway replica by bus member id (false before the bus is joined). */
  isFirstClientGateway(): boolean {
    const bus = this.bus;
    if (bus === undefined) return false;
    return bus.members().every((m) => m.role !== 'client-gateway' || m.memberId > bus.self.memberId);
  }

  // ---- subscribers and messages of the server itself (the system account) ----

  subscribeInternal(account: string, entry: SubscriberEntry): void {
    this.bus?.subscribe(account, entry);
  }

  unsubscribeInternal(account: string, entry: SubscriberEntry): void {
    this.bus?.unsubscribe(account, entry);
  }

  /** Publishes a message of the server's own (a reply, an event) through the router. */
  publishInternal(account: string, subject: string, payload: Buffer): void {
    const router = this.bus?.router;
    router?.publish(router.account(account), this.internalOrigin, subject, undefined, 0, payload, 0, payload.length, undefined);
  }

  /** Accounts with at least one client connected here (nats-server's `active_accounts` counts accounts in use). */
  activeAccounts(): number {
    const names = new Set<string>();
    for (const conn of this.connections.values()) if (conn.account !== undefined) names.add(conn.account.name);
    return names.size;
  }

  /** Current interest of this role, for monitoring. */
  subscriptionCount(): number {
    let n = 0;
    for (const conn of this.connections.values()) n += conn.subs.size;
    return n;
  }
}

function hostPort(a: BoundAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
