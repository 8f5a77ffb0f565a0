import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { OperatorTrust } from '@nats-ts/auth';
import type { BusEndpoint, BusHandlers, BusTransport, InterestChange, MemberInfo } from '@nats-ts/bus';
import { sharingOptionsOf, type LeafnodesConfig, type ServerOptions } from '@nats-ts/config';
import { Tracing, headerForSpan, startLinkReceiveSpan, startLinkSendSpan, type LinkTraceScope, type Logger } from '@nats-ts/observability';
import { FlushQueue, joinHostPort } from '@nats-ts/base';
import { encodeLeafInfo, WireError } from '@nats-ts/protocol';
import { MemberContributions, PermissionChecker, type ContributionDelta } from '@nats-ts/routing';
import { type BoundAddress, ClosedState, closeListenerAndLinks, LinkTraffic, listen } from '@nats-ts/server-link';
import type { RoleSetup } from '@nats-ts/lifecycle';
import { LeafConnection } from './leaf-connection.js';
import { leafIdentity, leafnodeUrls, processHubInfo, processLeafConnect } from './leaf-handshake.js';
import { hubInfo, leafNonce, nuid, type LeafConnectInfo, type LeafPeerInfo } from './leaf-info.js';
import { withJetStreamDenies } from './leaf-jetstream.js';
import { linkReaches, memberReaches } from './leaf-policy.js';
import { LeafRemote, type DialedStream, type LeafRemoteOwner } from './leaf-remote.js';
import { LeafTls } from './leaf-tls.js';
import { LinkInterest } from './link-interest.js';

/** Names the spans of traced messages crossing leaf connections (`leaf send`, `leaf receive`). */
const LEAF_TRACE_SCOPE: LinkTraceScope = { role: 'leaf-proxy', link: 'leaf' };

/** nats-server delays the next attempt this long after a loop or a hub with our cluster name. */
const LOOP_DELAY_MS = 30_000;

/**
 * The leaf node role, both sides of nats-server 2.9's leafnode protocol: it accepts leafs on
 * `leafnodes { listen }` (and from the websocket listener) and connects to the hubs in
 * `leafnodes { remotes }`. Each connection is bound to one account. Its interest (LS+/LS-)
 * becomes leaf entries in the process's interest router, which sends the messages for them as
 * LMSG under nats-server's leaf rules (leaf-policy.ts); messages from leafs are routed through
 * it; each connection is told the interest of the node's members and of the other connections.
 */
export class LeafProxy implements BusHandlers, LeafRemoteOwner {
  options: Readonly<ServerOptions>;
  readonly logger: Logger;
  readonly serverId: string;
  readonly serverName: string;
  readonly flushQueue = new FlushQueue();
  readonly connections = new Map<number, LeafConnection>();
  /** Messages and bytes over leaf connections, for /varz. */
  readonly traffic = new LinkTraffic();
  readonly links: LinkInterest<LeafConnection>;
  readonly remotes: LeafRemote[];

  readonly leaf: LeafnodesConfig;
  readonly supportsHeaders: boolean;
  readonly compatVersion: string;
  readonly productVersion: string;
  readonly tracing: Tracing;
  private readonly busTransport: BusTransport;
  private bus: BusEndpoint | undefined;
  /** The interest the node's other members announce (client-gateway, route-mesh, ...): what leafs hear as LS+/LS-. */
  private readonly members = new MemberContributions();
  private readonly loopSubjects = new Map<string, string>();
  readonly tls: LeafTls | undefined;
  private listener: NetServer | undefined;
  private bound: BoundAddress | undefined;
  private nextCid = 1;
  private stopping = false;
  /** Operator mode: the accounts leaf JWT users belong to. */
  trust: OperatorTrust | undefined;

  constructor(config: RoleSetup) {
    const leaf = config.options.leafnodes;
    if (leaf === undefined) throw new Error('leaf-proxy: no leafnodes configured');
    this.options = config.options;
    this.leaf = leaf;
    this.logger = config.logger;
    this.busTransport = config.bus;
    this.serverId = config.serverId;
    this.serverName = config.options.serverName ?? config.serverId;
    this.compatVersion = config.compatVersion;
    this.productVersion = config.productVersion;
    this.tracing = config.tracing ?? Tracing.off;
    this.supportsHeaders = !config.options.noHeaderSupport;
    this.tls = leaf.tls !== undefined ? new LeafTls(leaf.tls) : undefined;
    this.trust = operatorTrust(config.options);
    // Connections exist only once the bus is joined (start), so the endpoint is there when they subscribe.
    this.links = new LinkInterest(
      {
        subscribe: (account, entry) => this.bus!.subscribe(account, entry),
        unsubscribe: (account, entry) => this.bus!.unsubscribe(account, entry),
        reweigh: (account, entry, weight) => this.bus!.reweigh(account, entry, weight),
      },
      (conn, subject, queue, delta) => this.linkInterestChanged(conn, subject, queue, delta),
    );
    this.remotes = leaf.remotes.map((remote) => new LeafRemote(remote, this));
  }

  // ---- lifecycle ----

  async start(): Promise<BoundAddress | undefined> {
    this.bus = await this.busTransport.join({ nodeId: this.serverId, role: 'leaf-proxy', version: this.productVersion, routed: true }, this);
    this.bus.router.configureSharing(sharingOptionsOf(this.options));
    if (this.leaf.port !== 0) {
      this.listener = createServer({ noDelay: true }, (socket) => this.accept(socket));
      this.bound = await listen(this.listener, this.leaf.host, this.leaf.port);
      this.logger.info(`Listening for leafnode connections on ${joinHostPort(this.bound.host, this.bound.port)}`);
    }
    for (const remote of this.remotes) remote.start();
    return this.bound;
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const remote of this.remotes) remote.stop();
    const listener = this.listener;
    this.listener = undefined;
    await closeListenerAndLinks(listener, this.connections.values());
    await this.bus?.close();
  }

  reload(options: Readonly<ServerOptions>): void {
    // The accounts' imports, exports and mappings first: a reload they refuse changes nothing here.
    this.bus?.router.reconfigureSharing(sharingOptionsOf(options));
    this.options = options;
    this.trust = operatorTrust(options);
  }

  reconnectMs(): number {
    return this.leaf.reconnectMs;
  }

  get boundAddress(): BoundAddress | undefined {
    return this.bound;
  }

  /** Whether this node accepts leaf connections (a leafnodes port), which websocket leafs need too. */
  get accepting(): boolean {
    return this.leaf.port !== 0;
  }

  // ---- hub side: accepted leafs ----

  /** A leaf connected to the leafnodes port: INFO in plaintext, then TLS when configured. */
  private accept(socket: Socket): void {
    if (this.stopping) return void socket.destroy();
    const cid = this.nextCid++;
    const remoteAddress = socket.remoteAddress ?? '';
    const remotePort = socket.remotePort ?? 0;
    const nonce = leafNonce();
    socket.write(this.firstInfo(cid, socket.localAddress, nonce));
    if (this.tls === undefined) return this.openAccepted(socket, cid, remoteAddress, remotePort, nonce, false);
    this.tls.accept(
      socket,
      (secured) => this.openAccepted(secured, cid, remoteAddress, remotePort, nonce, false),
      (reason) => this.logger.error(`${remoteAddress}:${remotePort} - lid:${cid} - ${reason}`),
    );
  }

  /**
   * A leaf that connected through the websocket listener's `/leafnode` path. As nats-server, it
   * needs a leafnodes port to be accepted at all.
   */
  acceptWebsocket(stream: Duplex, remoteAddress: string, remotePort: number, localAddress: string | undefined): void {
    if (this.stopping || !this.accepting) return void stream.destroy();
    const cid = this.nextCid++;
    const nonce = leafNonce();
    stream.write(this.firstInfo(cid, localAddress, nonce));
    this.openAccepted(stream, cid, remoteAddress, remotePort, nonce, true);
  }

  private openAccepted(stream: Duplex, cid: number, remoteAddress: string, remotePort: number, nonce: string, websocket: boolean): void {
    if (this.stopping) return void stream.destroy();
    const conn = new LeafConnection(this, stream, cid, remoteAddress, remotePort, undefined);
    conn.nonce = nonce;
    conn.viaWebsocket = websocket;
    this.connections.set(cid, conn);
    conn.open(this.leaf.authTimeoutMs ?? this.options.auth.timeoutMs);
    this.logger.debug(`${conn.label()} - Leafnode connection created`);
  }

  private firstInfo(cid: number, localAddress: string | undefined, nonce: string): Buffer {
    return encodeLeafInfo(hubInfo(leafIdentity(this), cid, leafnodeUrls(this, localAddress), { nonce }), true);
  }

  processConnect(conn: LeafConnection, connect: LeafConnectInfo): void {
    processLeafConnect(this, conn, connect);
  }

  // ---- leaf side: remotes we dial ----

  dialed(remote: LeafRemote, dialed: DialedStream): void {
    if (this.stopping) return void dialed.stream.destroy();
    const conn = new LeafConnection(this, dialed.stream, this.nextCid++, dialed.remoteAddress, dialed.remotePort, remote);
    this.connections.set(conn.cid, conn);
    conn.dialed = dialed;
    conn.open(undefined);
  }

  processHubInfo(conn: LeafConnection, info: LeafPeerInfo): void {
    processHubInfo(this, conn, info);
  }

  // ---- both sides ----

  /** The handshake is complete: the other side hears all the interest it may see, and our loop detection subject. */
  register(conn: LeafConnection): void {
    conn.perms = new PermissionChecker(withJetStreamDenies(conn.basePermissions, this.options.jetstream, conn.peerDomain));
    conn.registered = true;
    this.logger.info(
      `${conn.label()} - Leafnode connection created${conn.isSolicited ? ` for account: ${conn.account}` : ''} ${conn.remoteName !== '' ? `- remote: ${conn.remoteName}` : ''}`.trimEnd(),
    );
    conn.adjustInterest(this.loopSubject(conn.account), undefined, 1, false);
    for (const member of this.members.inAccount(conn.account)) {
      if (memberReaches(member.remote, conn)) conn.adjustInterest(member.subject, member.queue, member.weight);
    }
    for (const other of this.connections.values()) {
      if (other === conn || !other.registered || other.account !== conn.account || !linkReaches(other, conn)) continue;
      for (const sub of this.links.subscriptionsOf(other).values()) conn.adjustInterest(sub.subject, sub.queue, sub.weight);
    }
  }

  /** Each account's `$LDS.` subject: a leaf that sends it back to us closes a loop. */
  loopSubject(account: string): string {
    let subject = this.loopSubjects.get(account);
    if (subject === undefined) {
      subject = `$LDS.${nuid()}`;
      this.loopSubjects.set(account, subject);
    }
    return subject;
  }

  loopDetected(conn: LeafConnection): void {
    const text = WireError.leafLoopDetected(conn.account, LOOP_DELAY_MS / 1000);
    this.logger.error(`${conn.label()} - ${text}`);
    conn.sendErr(text);
    conn.remote?.delayNextAttempt(LOOP_DELAY_MS);
    conn.close(ClosedState.ProtocolViolation);
  }

  /** An -ERR from the other side; after a loop or a cluster name conflict the reconnect waits, as nats-server's. */
  leafError(conn: LeafConnection, text: string): void {
    if (text.includes('Loop detected') || text.includes('same cluster name')) conn.remote?.delayNextAttempt(LOOP_DELAY_MS);
  }

  leafClosed(conn: LeafConnection): void {
    this.connections.delete(conn.cid);
    this.traffic.closed(conn);
    this.logger.info(`${conn.label()} - Leafnode connection closed: ${conn.closeReason}${conn.account !== '' ? ` - Account: ${conn.account}` : ''}`);
    if (conn.registered) this.links.removeConn(conn);
    if (!this.stopping) conn.remote?.connectionClosed();
  }

  // ---- interest ----

  linkSubscribed(conn: LeafConnection, subject: string, queue: string | undefined, weight: number): void {
    if (!this.links.add(conn, subject, queue, weight)) {
      this.logger.error(`${conn.label()} - Could not insert subscription: invalid subject "${subject}"`);
    }
  }

  linkUnsubscribed(conn: LeafConnection, subject: string, queue: string | undefined): void {
    this.links.remove(conn, subject, queue);
  }

  /** A connection's interest changed: the other connections that may see it hear of it (the bus told the node's members). */
  private linkInterestChanged(conn: LeafConnection, subject: string, queue: string | undefined, delta: number): void {
    for (const other of this.connections.values()) {
      if (other !== conn && other.registered && other.account === conn.account && linkReaches(conn, other)) {
        other.adjustInterest(subject, queue, delta);
      }
    }
  }

  memberJoined(member: MemberInfo): void {
    this.logger.debug(`Bus member joined: ${member.role} ${member.memberId}`);
  }

  memberLeft(member: MemberInfo): void {
    this.logger.debug(`Bus member left: ${member.role} ${member.memberId}`);
    for (const change of this.members.removeMember(member.memberId)) this.tellLinks(change);
  }

  interest(from: MemberInfo, change: InterestChange): void {
    const delta = this.members.apply(from.memberId, change, isRemoteRole(from.role));
    if (delta !== undefined) this.tellLinks(delta);
  }

  private tellLinks(change: ContributionDelta): void {
    const member = change.contribution;
    for (const conn of this.connections.values()) {
      if (conn.registered && conn.account === member.account && memberReaches(member.remote, conn)) {
        conn.adjustInterest(member.subject, member.queue, change.delta);
      }
    }
  }

  // ---- messages (hot path) ----

  /** The bus member messages from leafs enter the router through. */
  get memberId(): string {
    return this.bus?.self.memberId ?? '';
  }

  /** Sends a traced message on a leaf connection under a `leaf send` span whose trace context the header carries on. */
  sendTraced(
    conn: LeafConnection,
    traceparent: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    header: Uint8Array | undefined,
    payload: Uint8Array,
  ): void {
    const span = startLinkSendSpan(this.tracing, LEAF_TRACE_SCOPE, this.memberId, conn, conn.account, subject, traceparent);
    conn.sendMsg(subject, reply, queues, headerForSpan(span, header), payload);
    span?.end();
  }

  /**
   * A message from a leaf connection, through the router: to every entry with plain interest the
   * leaf rules let it reach and, for each queue group it names, to one member, another leaf
   * connection only when no other member has the group.
   */
  fromLeaf(conn: LeafConnection, subject: string, reply: string | undefined, queues: readonly string[], headerSize: number, message: Buffer): void {
    const bus = this.bus;
    if (bus === undefined) return;
    const account = conn.account;
    const span = this.tracing.enabled ? startLinkReceiveSpan(this.tracing, LEAF_TRACE_SCOPE, bus.self.memberId, conn, account, subject, headerSize, message) : undefined;
    bus.router.deliverRouted(bus.router.account(account), conn, undefined, queues, subject, reply, headerSize, message, 0, message.length, span?.traceparent);
    span?.end();
  }
}

/** Roles whose interest is other servers' (learned over routes or gateways). */
function isRemoteRole(role: string): boolean {
  return role === 'route-mesh' || role === 'supercluster-gateway';
}

function operatorTrust(options: Readonly<ServerOptions>): OperatorTrust | undefined {
  return options.trust === undefined ? undefined : new OperatorTrust(options.trust.trustedKeys, options.trust.accountJwts);
}
