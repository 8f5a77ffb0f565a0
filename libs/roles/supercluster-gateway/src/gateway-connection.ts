import type { Socket } from 'node:net';
import {
  OutboundBuffer,
  PING_FRAME,
  PONG_FRAME,
  ProtocolErrorKind,
  RouteProtocolParser,
  encodeErr,
  protocolErrorText,
  writeAccountUnsub,
  writeRoutedMsg,
  writeRouteSub,
  writeRouteUnsub,
  type Flushable,
  type RouteDispatcher,
} from '@nats-ts/protocol';
import { asGatewayPeerInfo, parseJsonObject, type GatewayConnectInfo } from './gateway-info.js';
import type { RemoteGateway } from './gateway-dialer.js';
import type { SuperclusterGateway } from './supercluster-gateway.js';

/** Why a gateway connection closed, in nats-server's words (logs and /gatewayz). */
export type GatewayCloseReason =
  | 'Client Closed'
  | 'Duplicate Gateway'
  | 'Stale Connection'
  | 'Parse Error'
  | 'Protocol Violation'
  | 'Authentication Timeout'
  | 'Authentication Failure'
  | 'Wrong Port'
  | 'Wrong Gateway'
  | 'Server Shutdown'
  | 'Slow Consumer (Pending Bytes)'
  | 'Slow Consumer (Write Deadline)';

/** nats-server pings gateways at most this far apart, traffic or not. */
const MAX_GATEWAY_PING_MS = 15_000;

/**
 * One gateway connection. Outbound (we dialed): messages go out, the remote cluster's interest
 * comes in. Inbound (we accepted): messages come in, our cluster's interest goes out. Protocol
 * events are handed to the SuperclusterGateway, which owns the super-cluster logic.
 */
export class GatewayConnection implements RouteDispatcher, Flushable {
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

  /** The remote cluster's name: expected (outbound) or announced in CONNECT (inbound). */
  remoteName: string;
  remoteId = '';
  /** nats-server's hash of the remote cluster's name (outbound), as it appears in mapped replies. */
  remoteHash = '';
  /** The peer sends and accepts headers (its INFO). */
  headers = false;
  /** The peer runs accounts in interest-only mode from the start (INFO gateway_iom). */
  interestOnly = false;
  registered = false;
  connectReceived = false;
  /** Accounts we told the peer (A-) we do not know. */
  readonly refusedAccounts = new Set<string>();

  /** Fan-out scratch: the message counter when last chosen, and the queue groups it got. */
  mark = 0;
  readonly queueScratch: string[] = [];

  private readonly parser: RouteProtocolParser;
  private closed = false;
  closeReason: GatewayCloseReason | undefined;
  private pingsOut = 0;
  private rttStart = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private writeDeadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly gateway: SuperclusterGateway,
    private readonly socket: Socket,
    readonly cid: number,
    /** Set for a connection we dialed. */
    readonly remote: RemoteGateway | undefined,
    readonly url: URL | undefined,
  ) {
    this.parser = new RouteProtocolParser(this);
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.remoteName = remote?.name ?? '';
    socket.setNoDelay(true);
  }

  get outbound(): boolean {
    return this.remote !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Inbound: our INFO at once, then CONNECT is required first. Outbound: we wait for the peer's INFO. */
  open(info: Buffer | undefined, authTimeoutMs: number): void {
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.onDrain());
    this.socket.on('error', () => this.markClosed('Client Closed'));
    this.socket.on('close', () => this.markClosed('Client Closed'));
    if (info !== undefined) {
      this.queueProto(info);
      this.parser.setConnectRequired(true);
    }
    this.authTimer = setTimeout(() => this.onAuthTimeout(), authTimeoutMs);
    this.pingTimer = setTimeout(() => this.pingTick(), Math.min(this.pingIntervalMs(), 1000));
  }

  private pingIntervalMs(): number {
    return Math.min(this.gateway.options.pingIntervalMs, MAX_GATEWAY_PING_MS);
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

  /** The handshake is over: no more authentication deadline. */
  handshakeDone(): void {
    if (this.authTimer !== undefined) {
      clearTimeout(this.authTimer);
      this.authTimer = undefined;
    }
  }

  // ---- parser events ----

  onConnect(json: Buffer): void {
    const connect = parseJsonObject(json);
    if (connect === undefined || this.outbound) {
      this.gateway.logger.error(`${this.label()} - Gateway parser ERROR: invalid CONNECT`);
      return this.close('Protocol Violation');
    }
    this.parser.setConnectRequired(false);
    this.connectReceived = true;
    this.gateway.processConnect(this, connect as GatewayConnectInfo);
  }

  onInfo(json: Buffer): void {
    const info = asGatewayPeerInfo(parseJsonObject(json));
    if (info === undefined) {
      this.gateway.logger.error(`${this.label()} - Gateway parser ERROR: invalid INFO`);
      return this.close('Parse Error');
    }
    this.gateway.processInfo(this, info);
  }

  onSub(_origin: string | undefined, account: string, subject: string, queue: string | undefined): void {
    // Interest flows from inbound to outbound only.
    if (this.outbound) this.gateway.remoteSubscribed(this, account, subject, queue);
  }

  onUnsub(account: string, subject: string, queue: string | undefined): void {
    if (this.outbound) this.gateway.remoteUnsubscribed(this, account, subject, queue);
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
    // Messages flow from outbound to inbound only.
    if (!this.outbound) this.gateway.fromGateway(this, account, subject, reply, queues, headerSize, message);
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
    this.gateway.logger.error(`${this.label()} - Gateway Error ${text}`);
    this.close('Parse Error');
  }

  onParseError(kind: ProtocolErrorKind, detail?: string): void {
    this.gateway.logger.error(`${this.label()} - Gateway parser ERROR: ${detail ?? kind}`);
    const text = protocolErrorText(kind);
    if (text !== undefined) this.sendErr(text);
    this.close(kind === ProtocolErrorKind.AuthorizationViolation ? 'Authentication Failure' : 'Parse Error');
  }

  // ---- output ----

  /** Interest-only mode: RS+ (queue groups with weight 1) or RS-. */
  sendInterest(account: string, subject: string, queue: string | undefined, present: boolean): void {
    if (present) writeRouteSub(this.out, account, subject, queue, 1);
    else writeRouteUnsub(this.out, account, subject, queue);
    this.scheduleFlush();
  }

  /** `A- <account>` once: the peer stops sending messages of an account we do not know. */
  refuseAccount(account: string): void {
    if (this.refusedAccounts.has(account)) return;
    this.refusedAccounts.add(account);
    writeAccountUnsub(this.out, account);
    this.scheduleFlush();
  }

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
    if (this.out.length + this.socket.writableLength > this.gateway.options.maxPending) {
      this.slowConsumer('Slow Consumer (Pending Bytes)');
      return;
    }
    this.gateway.flushQueue.schedule(this);
  }

  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.out.length === 0) return;
    const ok = this.socket.write(this.out.take());
    if (!ok && this.writeDeadlineTimer === undefined) {
      this.writeDeadlineTimer = setTimeout(() => this.slowConsumer('Slow Consumer (Write Deadline)'), this.gateway.options.writeDeadlineMs);
    }
  }

  pendingBytes(): number {
    return this.closed ? 0 : this.out.length + this.socket.writableLength;
  }

  // ---- timers, close ----

  private pingTick(): void {
    this.pingTimer = undefined;
    if (this.closed) return;
    if (this.pingsOut + 1 > this.gateway.options.pingMax) {
      this.gateway.logger.debug(`${this.label()} - Stale Client Connection - Closing`);
      this.sendErr('Stale Connection');
      return this.close('Stale Connection');
    }
    // Before the handshake the inbound side accepts nothing but CONNECT.
    if (this.registered) {
      this.pingsOut++;
      this.rttStart = performance.now();
      this.queueProto(PING_FRAME);
    }
    this.pingTimer = setTimeout(() => this.pingTick(), this.pingIntervalMs());
  }

  private onAuthTimeout(): void {
    this.authTimer = undefined;
    if (this.closed || this.registered) return;
    this.sendErr('Authentication Timeout');
    this.close('Authentication Timeout');
  }

  private slowConsumer(reason: GatewayCloseReason): void {
    if (this.closed) return;
    this.gateway.logger.info(`${this.label()} - Slow Consumer Detected`);
    this.out.reset();
    this.markClosed(reason);
    this.socket.destroy();
  }

  /** Sends what is pending, then closes. */
  close(reason: GatewayCloseReason): void {
    if (this.closed) return;
    if (this.out.length > 0) this.socket.write(this.out.take());
    this.markClosed(reason);
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private markClosed(reason: GatewayCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.parser.stop();
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);
    if (this.authTimer !== undefined) clearTimeout(this.authTimer);
    if (this.writeDeadlineTimer !== undefined) clearTimeout(this.writeDeadlineTimer);
    this.gateway.connectionClosed(this);
  }

  label(): string {
    return `${this.remoteAddress}:${this.remotePort} - gid:${this.cid}`;
  }
}
