import type { Socket } from 'node:net';
import { parseJsonObject } from '@nats-ts/base';
import { type RouteDispatcher, RouteProtocolParser, writeRouteSub, writeRouteUnsub } from '@nats-ts/protocol';
import type { RouterLink, RouterOrigin } from '@nats-ts/routing';
import { ClosedState, ServerLink } from '@nats-ts/server-link';
import { asPeerInfo, type PeerInfo, type RouteConnectInfo } from './route-info.js';
import type { RouteMesh } from './route-mesh.js';

/** Where a route we dialed came from: kept so it can be redialed when it drops. */
export interface RouteOrigin {
  readonly url: URL;
  /** Listed in the configuration (retried forever) rather than learned by gossip. */
  readonly explicit: boolean;
}

/**
 * One connection to a route peer: reads and parses its bytes, buffers and batches what we send,
 * pings it, and hands every protocol event to the mesh, which owns the cluster logic.
 */
export class RouteConnection extends ServerLink implements RouteDispatcher, RouterLink, RouterOrigin {
  /** What the router knows a message from this route by. */
  readonly originKind = 'route';
  readonly remoteAddress: string;
  readonly remotePort: number;

  /** Set on routes we dialed; a surviving duplicate inherits it. */
  origin: RouteOrigin | undefined;
  /** Redial when this connection drops even though we did not dial it (it replaced a dialed duplicate). */
  retry = false;
  /** The peer's server id, from its CONNECT and then its INFO. */
  remoteId = '';
  remoteName = '';
  /** The peer's first INFO, kept to gossip it to the other routes. */
  remoteInfo: PeerInfo | undefined;
  /** Client URLs the peer advertises for clients' connect_urls. */
  connectUrls: readonly string[] = [];
  /** The peer's gateway URL (its INFO `gateway_url`), when it has a gateway. */
  gatewayUrl: string | undefined;
  /** Gateway gossip this peer has been sent (GatewayGossip keys). */
  readonly toldGateways = new Set<string>();
  /** Registered as the route to its server (not a duplicate, not refused). */
  registered = false;
  infoReceived = false;

  protected readonly parser: RouteProtocolParser;
  protected readonly parserName = 'Route';

  constructor(
    private readonly mesh: RouteMesh,
    socket: Socket,
    readonly rid: number,
    origin: RouteOrigin | undefined,
  ) {
    super(mesh, socket);
    this.origin = origin;
    this.parser = new RouteProtocolParser(this);
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    socket.setNoDelay(true);
  }

  /** Whether we dialed this connection, or it took over a dialed duplicate (nats-server's did_solicit). */
  get didSolicit(): boolean {
    return this.origin !== undefined;
  }

  /**
   * Starts the conversation: a dialing side sends CONNECT and INFO at once, an accepting side
   * INFO (and, with cluster authorization, expects CONNECT before anything else).
   */
  open(connect: Buffer | undefined, info: Buffer, authTimeoutMs: number | undefined): void {
    if (connect !== undefined) this.queueProto(connect);
    this.queueProto(info);
    if (authTimeoutMs !== undefined) this.parser.setConnectRequired(true);
    this.startLink(authTimeoutMs);
  }

  protected linkClosed(): void {
    this.mesh.routeClosed(this);
  }

  // ---- parser events ----

  onConnect(json: Buffer): void {
    const connect = parseJsonObject(json);
    if (connect === undefined) {
      return this.refuseControl('CONNECT', 'invalid');
    }
    this.clearAuthTimer();
    this.parser.setConnectRequired(false);
    this.mesh.processConnect(this, connect as RouteConnectInfo);
  }

  onInfo(json: Buffer): void {
    const info = asPeerInfo(parseJsonObject(json));
    if (info === undefined) {
      return this.refuseControl('INFO', 'invalid');
    }
    this.mesh.processInfo(this, info);
  }

  onSub(_origin: string | undefined, account: string, subject: string, queue: string | undefined, weight: number): void {
    this.mesh.peerSubscribed(this, account, subject, queue, weight);
  }

  onUnsub(account: string, subject: string, queue: string | undefined): void {
    this.mesh.peerUnsubscribed(this, account, subject, queue);
  }

  onMsg(
    _origin: string | undefined,
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    message: Buffer,
  ): void {
    this.inMsgs++;
    this.inBytes += message.length;
    this.mesh.fromRoute(this, account, subject, reply, queues, headerSize, message);
  }

  onErr(text: string): void {
    this.mesh.logger.error(`${this.label()} - Router Error ${text}`);
    this.close(ClosedState.ParseError);
  }

  // ---- output ----

  sendInterest(account: string, subject: string, queue: string | undefined, weight: number): void {
    if (weight > 0) writeRouteSub(this.out, account, subject, queue, weight);
    else writeRouteUnsub(this.out, account, subject, queue);
    this.scheduleFlush();
  }

  get originMember(): string {
    return this.mesh.memberId;
  }

  protected sendRoutedParts(
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    header: Uint8Array | undefined,
    payload: Uint8Array,
    traceparent: string | undefined,
  ): void {
    if (traceparent === undefined || !this.mesh.tracing.enabled) this.sendRoutedMsg(account, subject, reply, queues, header, payload);
    else this.mesh.sendTraced(this, traceparent, account, subject, reply, queues, header, payload);
  }

  label(): string {
    return `${this.remoteAddress}:${this.remotePort} - rid:${this.rid}`;
  }
}
