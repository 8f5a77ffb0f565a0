import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { encodeErr, encodeInfo, FlushQueue } from '@nats-ts/protocol';
import { AccountRegistry, subjectMatches, type Account, type SublistResult } from '@nats-ts/routing';
import type { ServerOptions } from '@nats-ts/config';
import type { RoleSetup, WebsocketRoutes } from '@nats-ts/lifecycle';
import { Tracing, type Logger } from '@nats-ts/observability';
import type { BusEndpoint, BusHandlers, BusMessage, BusTransport, InterestChange, MemberInfo, MemberState } from '@nats-ts/bus';
import { Authenticator } from './auth.js';
import { ClientConnection } from './client-connection.js';
import { ClusterAdvertisement, clientConnectUrls } from './cluster-advertisement.js';
import { ClientSubscription, MemberInterest, type Interest } from './interest.js';
import { startReceiveSpan, traceDelivery } from './message-tracing.js';
import { SocketTransport, type ConnectionTransport } from './transport.js';
import { WebSocketListener } from './websocket-listener.js';
import { WireError } from './wire-errors.js';
import { TlsAcceptor, listen, tlsFiles, type BoundAddress } from '@nats-ts/server-link';

export type ClientGatewayConfig = RoleSetup & {
  /** Websocket paths other roles serve (nats-server's /leafnode); the rest are clients. */
  websocketRoutes?: WebsocketRoutes;
};

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
 * keeps their interest in per-account sublists and routes their messages to local
 * subscribers and, over the bus, to the other roles of the node.
 */
export class ClientGateway implements BusHandlers {
  options: Readonly<ServerOptions>;
  readonly logger: Logger;
  authenticator: Authenticator;
  readonly accounts = new AccountRegistry<Interest>();
  readonly flushQueue = new FlushQueue();
  readonly connections = new Map<number, ClientConnection>();
  readonly closedConnections: ClientConnection[] = [];
  readonly stats: GatewayStats = { inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0, slowConsumers: 0, totalConnections: 0 };
  readonly startTime = Date.now();
  readonly serverId: string;
  readonly compatVersion: string;
  readonly productVersion: string;
  private readonly websocketRoutes: WebsocketRoutes | undefined;
  readonly tracing: Tracing;
  /**
   * The traceparent a traced message is routed under, set only while it is fanned out
   * (synchronously): its deliveries and bus copies continue the trace. Always undefined when
   * tracing is off.
   */
  activeTrace: string | undefined;

  private nextCid = 1;
  private listener: NetServer | undefined;
  private wsListener: WebSocketListener | undefined;
  /** TLS handshakes of client connections, when `tls {}` is configured. */
  private tlsAcceptor: TlsAcceptor | undefined;
  private clientAddress: BoundAddress | undefined;
  private lameDuck = false;
  private readonly busTransport: BusTransport;
  /** Interest other bus members announced, by member, account, subject and queue. */
  private readonly memberInterest = new Map<string, { account: Account<Interest>; interest: MemberInterest }>();
  private bus: BusEndpoint | undefined;
  private readonly cluster = new ClusterAdvertisement();

  constructor(config: ClientGatewayConfig) {
    this.options = config.options;
    this.logger = config.logger;
    this.busTransport = config.bus;
    this.serverId = config.serverId;
    this.compatVersion = config.compatVersion;
    this.productVersion = config.productVersion;
    this.websocketRoutes = config.websocketRoutes;
    this.tracing = config.tracing ?? Tracing.off;
    this.authenticator = new Authenticator(this.options);
  }

  // ---- lifecycle ----

  async start(): Promise<{ client: BoundAddress; websocket?: BoundAddress }> {
    const o = this.options;
    this.bus = await this.busTransport.join({ nodeId: this.serverId, role: 'client-gateway', version: this.productVersion }, this);
    if (o.tls) this.tlsAcceptor = new TlsAcceptor({ files: tlsFiles(o.tls), requestCert: o.tls.verify, timeoutMs: o.tls.timeoutMs, kind: 'client' });
    this.listener = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.acceptSocket(socket));
    // Dual-stack as nats-server's client listener: the default 0.0.0.0 also takes IPv6 clients.
    this.clientAddress = await listen(this.listener, o.host, o.port, true);
    this.logger.info(`Listening for client connections on ${hostPort(this.clientAddress)}`);
    this.advertiseClientUrls();
    if (this.tlsAcceptor) this.logger.info('TLS required for client connections');
    let websocket: BoundAddress | undefined;
    if (o.websocket) {
      this.wsListener = new WebSocketListener(o.websocket, this.logger, (t) => this.accept(t), this.websocketRoutes);
      websocket = await this.wsListener.start();
      this.logger.info(`Listening for websocket clients on ${o.websocket.tls ? 'wss' : 'ws'}://${hostPort(websocket)}`);
    }
    return { client: this.clientAddress, websocket };
  }

  async shutdown(): Promise<void> {
    // A listener's close completes only once its connections are gone, so close them meanwhile.
    const listenersClosed = this.stopListening();
    for (const conn of [...this.connections.values()]) conn.close('Server Shutdown');
    await listenersClosed;
    await this.bus?.close();
  }

  private stopListening(): Promise<void> {
    const l = this.listener;
    const ws = this.wsListener;
    this.listener = undefined;
    this.wsListener = undefined;
    return Promise.all([l ? new Promise<void>((resolve) => l.close(() => resolve())) : undefined, ws?.close()]).then(() => undefined);
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
      for (const conn of conns.slice(i, i + batch)) conn.close('Lame Duck Mode');
      if (i + batch < conns.length) await sleep(pause);
    }
    await listenersClosed;
  }

  /** SIGHUP: new users, passwords, permissions and limits apply to existing connections. */
  reload(options: Readonly<ServerOptions>): void {
    this.options = options;
    this.authenticator = new Authenticator(options);
    for (const conn of [...this.connections.values()]) {
      conn.applyLimits();
      if (conn.auth === undefined) continue;
      // As nats-server: a user that is gone or now in another account is closed quietly;
      // one whose credentials no longer pass gets an Authorization Violation.
      if (!this.authenticator.knowsSameBinding(conn.credentials, conn.auth)) {
        conn.close('Client Closed');
        continue;
      }
      const result = this.authenticator.authenticate(conn.credentials);
      if (result === undefined) {
        conn.authViolation();
        continue;
      }
      conn.auth = result;
      conn.applyPermissions(result.permissions);
      conn.revokeDisallowedSubscriptions();
    }
  }

  get boundClientAddress(): BoundAddress | undefined {
    return this.clientAddress;
  }

  // ---- accepting ----

  private acceptSocket(socket: Socket): void {
    // TLS starts on the socket as accepted; only plain TCP reads into the shared buffer.
    this.accept(new SocketTransport(socket, this.tlsAcceptor === undefined));
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
        conn.close('TLS Handshake Error');
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
    this.closedConnections.push(conn);
    if (this.closedConnections.length > CLOSED_RING_SIZE) this.closedConnections.shift();
    this.logger.debug(`${conn.label()} - Client connection closed: ${conn.closeReason}`);
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
    if (this.authenticator.required) info.auth_required = true;
    if (o.tls) {
      // With allow_non_tls nats-server offers TLS rather than requiring it.
      if (o.allowNonTls) info.tls_available = true;
      else info.tls_required = true;
      if (o.tls.verify) info.tls_verify = true;
    }
    this.cluster.addTo(info, o.noAdvertise);
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

  accountFor(name: string): Account<Interest> {
    return this.accounts.getOrCreate(name);
  }

  addSubscription(conn: ClientConnection, sub: ClientSubscription): boolean {
    const account = conn.account!;
    try {
      account.sublist.insert(sub);
    } catch {
      return false;
    }
    this.bus?.announceInterest({ account: account.name, subject: sub.subject, queue: sub.queue, weight: 1, add: true });
    return true;
  }

  removeSubscription(conn: ClientConnection, sub: ClientSubscription): void {
    const account = conn.account;
    if (account === undefined) return;
    if (account.sublist.remove(sub)) {
      this.bus?.announceInterest({ account: account.name, subject: sub.subject, queue: sub.queue, weight: 1, add: false });
    }
  }

  subjectMatches(subject: string, pattern: string): boolean {
    return subjectMatches(subject, pattern);
  }

  // ---- routing (hot path) ----

  /** A message published by a local client: local subscribers, bus members with interest, no responders. */
  routeFromClient(src: ClientConnection, subject: string, reply: string | undefined, headerSize: number, data: Buffer, start: number, end: number): void {
    if (this.tracing.enabled) {
      const span = startReceiveSpan(this.tracing, this.bus?.self.memberId ?? '', src.account!.name, src.cid, subject, headerSize, data, start, end);
      if (span !== undefined) {
        this.routeTraced(span.traceparent, () => this.routeLocally(src, subject, reply, headerSize, data, start, end));
        span.end();
        return;
      }
    }
    this.routeLocally(src, subject, reply, headerSize, data, start, end);
  }

  private routeLocally(src: ClientConnection, subject: string, reply: string | undefined, headerSize: number, data: Buffer, start: number, end: number): void {
    const account = src.account!;
    const delivered = this.fanOut(account.sublist.match(subject), src, account.name, subject, reply, headerSize, data, start, end, undefined);
    if (!delivered && reply !== undefined && src.opts.noResponders) src.sendNoResponders(reply);
  }

  // Traced messages only: the closure is no cost on the untraced path.
  private routeTraced(traceparent: string, route: () => void): void {
    this.activeTrace = traceparent;
    try {
      route();
    } finally {
      this.activeTrace = undefined;
    }
  }

  /** Called by a connection delivering while `activeTrace` is set. */
  traceDelivery(conn: ClientConnection, sub: ClientSubscription, subject: string): void {
    traceDelivery(this.tracing, this.activeTrace!, this.bus?.self.memberId ?? '', conn.cid, sub, subject);
  }

  /**
   * Delivers to every plain subscriber and to one member of each queue group. A bus member
   * with interest gets one copy, naming the queue groups it was chosen for (as a route's RMSG
   * does). `fromBus` messages go to local subscribers only, so they never loop back, and only
   * to the queue groups the sender chose this node for.
   */
  private fanOut(
    result: SublistResult<Interest>,
    src: ClientConnection | undefined,
    account: string,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    fromBus: BusMessage | undefined,
  ): boolean {
    let delivered = false;
    let targets: MemberTargets | undefined;
    const plain = result.plain;
    for (let i = 0; i < plain.length; i++) {
      const sub = plain[i]!;
      if (sub instanceof ClientSubscription) {
        if (sub.conn === src && !src.echo) continue;
        sub.conn.deliver(sub, subject, reply, headerSize, data, start, end);
        delivered = true;
      } else if (fromBus === undefined) {
        (targets ??= new MemberTargets()).add(sub.memberId);
      }
    }
    const queues = result.queues;
    for (let q = 0; q < queues.length; q++) {
      const group = queues[q]!;
      if (fromBus !== undefined && !fromBus.queues?.includes(group[0]!.queue!)) continue;
      const chosen = pickQueueMember(group, src, fromBus === undefined);
      if (chosen === undefined) continue;
      if (chosen instanceof ClientSubscription) chosen.conn.deliver(chosen, subject, reply, headerSize, data, start, end);
      else (targets ??= new MemberTargets()).add(chosen.memberId).push(chosen.queue!);
      delivered = true;
    }
    if (targets !== undefined) {
      this.sendToMembers(targets, account, subject, reply, headerSize, data, start, end);
      delivered = true;
    }
    return delivered;
  }

  private sendToMembers(
    targets: MemberTargets,
    account: string,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
  ): void {
    const bus = this.bus;
    if (bus === undefined) return;
    const header = headerSize > 0 ? data.subarray(start, start + headerSize) : undefined;
    const payload = data.subarray(start + headerSize, end);
    for (let i = 0; i < targets.ids.length; i++) {
      const queues = targets.queues[i]!;
      bus.send(targets.ids[i]!, {
        account,
        subject,
        reply,
        header,
        payload,
        originMemberId: bus.self.memberId,
        queues: queues.length > 0 ? queues : undefined,
        traceparent: this.activeTrace,
      });
    }
  }

  // ---- bus handlers ----

  memberJoined(member: MemberInfo): void {
    this.logger.debug(`Bus member joined: ${member.role} ${member.memberId}`);
  }

  memberLeft(member: MemberInfo): void {
    this.logger.debug(`Bus member left: ${member.role} ${member.memberId}`);
    if (this.cluster.setMemberState(member.memberId, undefined)) this.sendInfoUpdate();
    for (const [key, entry] of this.memberInterest) {
      if (entry.interest.memberId !== member.memberId) continue;
      entry.account.sublist.remove(entry.interest);
      this.memberInterest.delete(key);
    }
  }

  interest(from: MemberInfo, change: InterestChange): void {
    const key = `${from.memberId} ${change.account} ${change.subject} ${change.queue ?? ''}`;
    const existing = this.memberInterest.get(key);
    if (change.add) {
      if (existing !== undefined) {
        existing.interest.weight = change.weight;
        return;
      }
      const account = this.accountFor(change.account);
      const interest = new MemberInterest(change.subject, change.queue, from.memberId, change.weight, from.role === 'supercluster-gateway');
      account.sublist.insert(interest);
      this.memberInterest.set(key, { account, interest });
    } else if (existing !== undefined) {
      existing.account.sublist.remove(existing.interest);
      this.memberInterest.delete(key);
    }
  }

  message(_from: MemberInfo, msg: BusMessage): void {
    const account = this.accounts.get(msg.account);
    if (account === undefined) return;
    const header = msg.header;
    const headerSize = header !== undefined && header.length > 0 ? header.length : 0;
    const body = headerSize > 0 ? Buffer.concat([header!, msg.payload]) : msg.payload;
    this.stats.inMsgs++;
    this.stats.inBytes += body.length;
    const traceparent = this.tracing.enabled ? msg.traceparent : undefined;
    if (traceparent !== undefined) {
      this.routeTraced(traceparent, () => this.fanOut(account.sublist.match(msg.subject), undefined, msg.account, msg.subject, msg.reply, headerSize, body, 0, body.length, msg));
      return;
    }
    this.fanOut(account.sublist.match(msg.subject), undefined, msg.account, msg.subject, msg.reply, headerSize, body, 0, body.length, msg);
  }

  /** Current interest of this role, for monitoring. */
  subscriptionCount(): number {
    let n = 0;
    for (const conn of this.connections.values()) n += conn.subs.size;
    return n;
  }
}

/** The bus members one message goes to, each with the queue groups it was chosen for. */
class MemberTargets {
  readonly ids: string[] = [];
  readonly queues: string[][] = [];

  add(memberId: string): string[] {
    const i = this.ids.indexOf(memberId);
    if (i >= 0) return this.queues[i]!;
    this.ids.push(memberId);
    const q: string[] = [];
    this.queues.push(q);
    return q;
  }
}

function pickQueueMember(group: readonly Interest[], src: ClientConnection | undefined, allowMembers: boolean): Interest | undefined {
  const n = group.length;
  const start = (Math.random() * n) | 0;
  let remote: MemberInterest | undefined;
  let otherCluster: MemberInterest | undefined;
  for (let i = 0; i < n; i++) {
    const sub = group[(start + i) % n]!;
    if (sub instanceof ClientSubscription) {
      if (sub.conn.isClosed || (sub.conn === src && !src.echo)) continue;
      // Local members are preferred over members reached through another role, as nats-server does.
      return sub;
    }
    if (!allowMembers) continue;
    // Geo-affinity: a member in this cluster (through a route) before one in another cluster.
    if (sub.viaGateway) otherCluster ??= sub;
    else remote ??= sub;
  }
  return remote ?? otherCluster;
}

function hostPort(a: BoundAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
