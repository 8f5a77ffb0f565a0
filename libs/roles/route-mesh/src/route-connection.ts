import type { Socket } from 'node:net';
import {
  OutboundBuffer,
  PING_FRAME,
  PONG_FRAME,
  ProtocolErrorKind,
  RouteProtocolParser,
  encodeErr,
  protocolErrorText,
  writeRoutedMsg,
  writeRouteSub,
  writeRouteUnsub,
  type RouteDispatcher,
} from '@nats-ts/protocol';
import type { Flushable } from '@nats-ts/protocol';
import { asPeerInfo, parseJsonObject, type PeerInfo, type RouteConnectInfo } from './route-info.js';
import type { RouteMesh } from './route-mesh.js';

/** Why a route connection closed, in nats-server's words (logs and /routez). */
export type RouteCloseReason =
  | 'Client Closed'
  | 'Duplicate Route'
  | 'Cluster Name Conflict'
  | 'Duplicate Server Name'
  | 'Stale Connection'
  | 'Parse Error'
  | 'Protocol Violation'
  | 'Authentication Timeout'
  | 'Authentication Failure'
  | 'Wrong Port'
  | 'Wrong Gateway'
  | 'Server Shutdown'
  | 'Slow Consumer (Pending Bytes)'
  | 'Slow Consumer (Write Deadline)'
  | 'Cluster Name Changed';

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
export class RouteConnection implements RouteDispatcher, Flushable {
  readonly start = Date.now();
  lastActivity = this.start;
  flushQueued = false;
  readonly out = new OutboundBuffer();
  readonly remoteAddress: string;
  readonly remotePort: number;

  inMsgs = 0;
  outMsgs = 0;
  inBytes = 0;
  outBytes = 0;
  rttMs = 0;

  /** Set on routes we dialed; a surviving duplicate inherits it. */
  origin: RouteOrigin | undefined;
  /** Redial when this connection drops even though we did not dial it (it replaced a dialed duplicate). */
  retry = false;
  /** The peer's server id, from its CONNECT and then its INFO. */
  remoteId = '';
  remoteName = '';
  /** The peer's first INFO, kept to gossip it to the other routes. */
  remoteInfo: PeerInfo | undefined;
  headers = false;
  /** Client URLs the peer advertises for clients' connect_urls. */
  connectUrls: readonly string[] = [];
  /** Registered as the route to its server (not a duplicate, not refused). */
  registered = false;
  infoReceived = false;

  /** Fan-out scratch: the message counter when this route was last chosen, and the queue groups it got. */
  mark = 0;
  readonly queueScratch: string[] = [];

  private readonly parser: RouteProtocolParser;
  private closed = false;
  closeReason: RouteCloseReason | undefined;
  private pingsOut = 0;
  private rttStart = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private writeDeadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mesh: RouteMesh,
    private readonly socket: Socket,
    readonly rid: number,
    origin: RouteOrigin | undefined,
  ) {
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

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Starts the conversation: a dialing side sends CONNECT and INFO at once, an accepting side
   * INFO (and, with cluster authorization, expects CONNECT before anything else).
   */
  open(connect: Buffer | undefined, info: Buffer, authTimeoutMs: number | undefined): void {
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.onDrain());
    this.socket.on('error', () => this.markClosed('Client Closed'));
    this.socket.on('close', () => this.markClosed('Client Closed'));
    if (connect !== undefined) this.queueProto(connect);
    this.queueProto(info);
    if (authTimeoutMs !== undefined) {
      this.parser.setConnectRequired(true);
      this.authTimer = setTimeout(() => this.onAuthTimeout(), authTimeoutMs);
    }
    // As nats-server: the first PING goes out after at most a second, then every ping interval.
    const interval = this.mesh.options.pingIntervalMs;
    this.pingTimer = setTimeout(() => this.pingTick(), Math.min(interval, 1000));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    this.parser.parse(chunk);
  }

  private onDrain(): void {
    if (this.writeDeadlineTimer !== undefined) {
      clearTimeout(this.writeDeadlineTimer);
      this.writeDeadlineTimer = undefined;
    }
  }

  // ---- parser events ----

  onConnect(json: Buffer): void {
    const connect = parseJsonObject(json);
    if (connect === undefined) {
      this.mesh.logger.error(`${this.label()} - Route parser ERROR: invalid CONNECT`);
      return this.close('Protocol Violation');
    }
    if (this.authTimer !== undefined) {
      clearTimeout(this.authTimer);
      this.authTimer = undefined;
    }
    this.parser.setConnectRequired(false);
    this.mesh.processConnect(this, connect as RouteConnectInfo);
  }

  onInfo(json: Buffer): void {
    const info = asPeerInfo(parseJsonObject(json));
    if (info === undefined) {
      this.mesh.logger.error(`${this.label()} - Route parser ERROR: invalid INFO`);
      return this.close('Parse Error');
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

  onPing(): void {
    this.queueProto(PONG_FRAME);
  }

  onPong(): void {
    this.pingsOut = 0;
    if (this.rttStart > 0) {
      this.rttMs = performance.now() - this.rttStart;
      this.rttStart = 0;
    }
  }

  onErr(text: string): void {
    this.mesh.logger.error(`${this.label()} - Router Error ${text}`);
    this.close('Parse Error');
  }

  onParseError(kind: ProtocolErrorKind, detail?: string): void {
    this.mesh.logger.error(`${this.label()} - Route parser ERROR: ${detail ?? kind}`);
    const text = protocolErrorText(kind);
    if (text !== undefined) this.sendErr(text);
    this.close(kind === ProtocolErrorKind.AuthorizationViolation ? 'Authentication Failure' : 'Parse Error');
  }

  // ---- output ----

  sendInterest(account: string, subject: string, queue: string | undefined, weight: number): void {
    if (weight > 0) writeRouteSub(this.out, account, subject, queue, weight);
    else writeRouteUnsub(this.out, account, subject, queue);
    this.scheduleFlush();
  }

  /** Forwards a message; headers are dropped for a peer without header support, as nats-server does. */
  sendMsg(account: string, subject: string, reply: string | undefined, queues: readonly string[] | undefined, header: Uint8Array | undefined, payload: Uint8Array): void {
    if (this.closed) return;
    const withHeader = header !== undefined && header.length > 0 && this.headers ? header : undefined;
    writeRoutedMsg(this.out, account, subject, reply, queues, withHeader, payload);
    this.outMsgs++;
    this.outBytes += payload.length + (withHeader?.length ?? 0);
    this.scheduleFlush();
  }

  sendErr(text: string): void {
    this.queueProto(encodeErr(text));
  }

  queueProto(frame: Uint8Array): void {
    if (this.closed) return;
    this.out.writeBytes(frame);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.out.length + this.socket.writableLength > this.mesh.options.maxPending) {
      this.slowConsumer('Slow Consumer (Pending Bytes)');
      return;
    }
    this.mesh.flushQueue.schedule(this);
  }

  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.out.length === 0) return;
    const ok = this.socket.write(this.out.take());
    if (!ok && this.writeDeadlineTimer === undefined) {
      this.writeDeadlineTimer = setTimeout(() => this.slowConsumer('Slow Consumer (Write Deadline)'), this.mesh.options.writeDeadlineMs);
    }
  }

  pendingBytes(): number {
    return this.closed ? 0 : this.out.length + this.socket.writableLength;
  }

  // ---- timers, close ----

  private pingTick(): void {
    this.pingTimer = undefined;
    if (this.closed) return;
    const o = this.mesh.options;
    if (this.pingsOut + 1 > o.pingMax) {
      this.mesh.logger.debug(`${this.label()} - Stale Client Connection - Closing`);
      this.sendErr('Stale Connection');
      return this.close('Stale Connection');
    }
    // As nats-server, traffic from the peer within the interval makes a PING unnecessary, once the RTT is known.
    if (this.rttMs === 0 || Date.now() - this.lastActivity >= o.pingIntervalMs) {
      this.pingsOut++;
      this.rttStart = performance.now();
      this.queueProto(PING_FRAME);
    }
    this.pingTimer = setTimeout(() => this.pingTick(), o.pingIntervalMs);
  }

  private onAuthTimeout(): void {
    this.authTimer = undefined;
    if (this.closed) return;
    this.sendErr('Authentication Timeout');
    this.close('Authentication Timeout');
  }

  private slowConsumer(reason: RouteCloseReason): void {
    if (this.closed) return;
    this.mesh.logger.info(`${this.label()} - Slow Consumer Detected`);
    this.out.reset();
    this.markClosed(reason);
    this.socket.destroy();
  }

  /** Sends what is pending, then closes. */
  close(reason: RouteCloseReason): void {
    if (this.closed) return;
    if (this.out.length > 0) this.socket.write(this.out.take());
    this.markClosed(reason);
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private markClosed(reason: RouteCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.parser.stop();
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);
    if (this.authTimer !== undefined) clearTimeout(this.authTimer);
    if (this.writeDeadlineTimer !== undefined) clearTimeout(this.writeDeadlineTimer);
    this.mesh.routeClosed(this);
  }

  label(): string {
    return `${this.remoteAddress}:${this.remotePort} - rid:${this.rid}`;
  }
}
