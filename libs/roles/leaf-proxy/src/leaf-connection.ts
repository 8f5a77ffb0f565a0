import type { Duplex } from 'node:stream';
import {
  OutboundBuffer,
  PING_FRAME,
  PONG_FRAME,
  ProtocolErrorKind,
  createLeafParser,
  encodeErr,
  protocolErrorText,
  writeLeafMsg,
  writeLeafSub,
  writeLeafUnsub,
  type Flushable,
  type LeafDispatcher,
  type RouteProtocolParser,
} from '@nats-ts/protocol';
import { PermissionChecker } from '@nats-ts/routing';
import { parseJsonObject, type LeafConnectInfo, type LeafPeerInfo } from './leaf-info.js';
import type { LeafProxy } from './leaf-proxy.js';
import type { DialedStream, LeafRemote } from './leaf-remote.js';

/** Why a leaf connection closed, in nats-server's words (logs). */
export type LeafCloseReason =
  | 'Client Closed'
  | 'Server Shutdown'
  | 'Stale Connection'
  | 'Parse Error'
  | 'Protocol Violation'
  | 'Authentication Timeout'
  | 'Authentication Failure'
  | 'Wrong Port'
  | 'Duplicate Remote LeafNode Connection'
  | 'Loop Detected'
  | 'Cluster Name Conflict'
  | 'Slow Consumer (Pending Bytes)'
  | 'Slow Consumer (Write Deadline)'
  | 'TLS Handshake Error';

const LOOP_SUBJECT_PREFIX = '$LDS.';

/**
 * One leaf node connection, either side: a leaf that connected to us (we are its hub) or a hub
 * we connected to (`remote` set; we are the spoke). Parses what the other side sends, keeps the
 * interest we told it about (nats-server's smap: plain interest on 0↔1, queue groups with their
 * weight on every change), batches output, pings, and hands everything else to the proxy.
 */
export class LeafConnection implements LeafDispatcher, Flushable {
  readonly start = Date.now();
  lastActivity = this.start;
  flushQueued = false;
  readonly out = new OutboundBuffer();

  inMsgs = 0;
  outMsgs = 0;
  inBytes = 0;
  outBytes = 0;
  rttMs = 0;

  /** The account this connection is bound to (set at CONNECT on the hub side, from the remote on ours). */
  account: string;
  remoteId = '';
  remoteName = '';
  remoteCluster = '';
  headers = false;
  /** Handshake complete: interest and messages flow. */
  registered = false;
  /** `deny_exports`/CONNECT `deny_pub` (what we may not send), `deny_imports` (what we may not ask for). */
  perms: PermissionChecker;
  /** What we dialed (URL, stream kind), on the leaf side. */
  dialed: DialedStream | undefined;
  /** Fan-out scratch: message counter when this connection was last chosen, and the queue groups it got. */
  mark = 0;
  readonly queueScratch: string[] = [];

  private readonly smap = new Map<string, number>();
  private readonly parser: RouteProtocolParser;
  private socket: Duplex;
  private closed = false;
  closeReason: LeafCloseReason | undefined;
  private awaitingConnectInfo = false;
  private pingsOut = 0;
  private rttStart = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private writeDeadlineTimer: NodeJS.Timeout | undefined;
  private readonly onDataBound = (chunk: Buffer): void => this.onData(chunk);
  private readonly onDrainBound = (): void => this.onDrain();
  private readonly onCloseBound = (): void => this.markClosed('Client Closed');

  constructor(
    private readonly proxy: LeafProxy,
    socket: Duplex,
    readonly cid: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
    /** The remote we dialed this connection for; undefined when the leaf connected to us. */
    readonly remote: LeafRemote | undefined,
  ) {
    this.socket = socket;
    this.account = remote?.account ?? '$G';
    this.perms = new PermissionChecker(
      remote !== undefined ? { publish: { deny: remote.config.denyExports }, subscribe: { deny: remote.config.denyImports } } : undefined,
    );
    this.parser = createLeafParser(this);
  }

  /** We dialed it: we are the spoke, the other side our hub. */
  get isSolicited(): boolean {
    return this.remote !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Starts reading; on the hub side CONNECT must come first, within the auth timeout. */
  open(authTimeoutMs: number | undefined): void {
    this.attach(this.socket);
    if (!this.isSolicited) {
      this.parser.setConnectRequired(true);
      this.authTimer = setTimeout(() => this.onAuthTimeout(), authTimeoutMs ?? 2000);
    }
    const interval = this.proxy.options.pingIntervalMs;
    this.pingTimer = setTimeout(() => this.pingTick(), Math.min(interval, 1000));
  }

  /** The stream changed under us (TLS started after the plaintext INFO): read and write the new one. */
  replaceSocket(socket: Duplex): void {
    this.detach(this.socket);
    this.socket = socket;
    this.attach(socket);
  }

  private attach(socket: Duplex): void {
    socket.on('data', this.onDataBound);
    socket.on('drain', this.onDrainBound);
    socket.on('error', this.onCloseBound);
    socket.on('close', this.onCloseBound);
  }

  private detach(socket: Duplex): void {
    socket.off('data', this.onDataBound);
    socket.off('drain', this.onDrainBound);
    socket.off('error', this.onCloseBound);
    socket.off('close', this.onCloseBound);
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
    if (connect === undefined || this.isSolicited) {
      this.proxy.logger.error(`${this.label()} - Leafnode parser ERROR: unexpected CONNECT`);
      return this.close('Protocol Violation');
    }
    if (this.authTimer !== undefined) {
      clearTimeout(this.authTimer);
      this.authTimer = undefined;
    }
    this.parser.setConnectRequired(false);
    this.proxy.processConnect(this, connect as LeafConnectInfo);
  }

  onInfo(json: Buffer): void {
    const info = parseJsonObject(json);
    if (info === undefined || typeof info.server_id !== 'string') {
      this.proxy.logger.error(`${this.label()} - Leafnode parser ERROR: invalid INFO`);
      return this.close('Parse Error');
    }
    if (!this.isSolicited) return;
    const peer = info as LeafPeerInfo;
    if (this.remoteId === '') {
      this.proxy.processHubInfo(this, peer);
    } else if (peer.connect_info === true && this.awaitingConnectInfo) {
      this.awaitingConnectInfo = false;
      this.proxy.register(this);
    } else if (Array.isArray(peer.leafnode_urls)) {
      this.remote!.learnUrls(peer.leafnode_urls);
    }
  }

  /** The CONNECT went out; registration waits for the hub's INFO with connect_info when it promised one. */
  awaitConnectInfo(): void {
    this.awaitingConnectInfo = true;
  }

  onSub(_origin: string | undefined, _account: string, subject: string, queue: string | undefined, weight: number): void {
    if (!this.registered) return;
    if (subject.startsWith(LOOP_SUBJECT_PREFIX) && subject === this.proxy.loopSubject(this.account)) {
      this.proxy.loopDetected(this);
      return;
    }
    this.proxy.linkSubscribed(this, subject, queue, weight);
  }

  onUnsub(_account: string, subject: string, queue: string | undefined): void {
    if (this.registered) this.proxy.linkUnsubscribed(this, subject, queue);
  }

  onMsg(
    _origin: string | undefined,
    _account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    message: Buffer,
  ): void {
    this.inMsgs++;
    this.inBytes += message.length;
    if (!this.registered) return;
    // deny_imports: what we did not ask for is not let in either.
    if (this.isSolicited && !this.perms.canSubscribe(subject)) return;
    this.proxy.fromLeaf(this, subject, reply, queues, headerSize, message);
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
    this.proxy.logger.error(`${this.label()} - Leafnode Error ${text}`);
    this.proxy.leafError(this, text);
    this.close('Parse Error');
  }

  onParseError(kind: ProtocolErrorKind, detail?: string): void {
    this.proxy.logger.error(`${this.label()} - Leafnode parser ERROR: ${detail ?? kind}`);
    const text = protocolErrorText(kind);
    if (text !== undefined) this.sendErr(text);
    this.close(kind === ProtocolErrorKind.AuthorizationViolation ? 'Authentication Failure' : 'Parse Error');
  }

  // ---- interest we tell the other side ----

  /**
   * Adds `delta` subscriptions of subject/queue to what the other side knows of our interest:
   * LS+ when plain interest appears, LS- when it goes, and a queue group's new weight on every
   * change. `checked` false skips the import permission (loop detection subjects).
   */
  adjustInterest(subject: string, queue: string | undefined, delta: number, checked = true): void {
    if (delta === 0 || this.closed) return;
    if (checked && !this.perms.canSubscribe(subject, queue)) return;
    const key = queue === undefined ? subject : `${subject} ${queue}`;
    const before = this.smap.get(key) ?? 0;
    const after = Math.max(0, before + delta);
    if (after === 0) {
      if (before === 0) return;
      this.smap.delete(key);
      writeLeafUnsub(this.out, subject, queue);
    } else {
      this.smap.set(key, after);
      if (queue === undefined && before > 0) return;
      writeLeafSub(this.out, subject, queue, after);
    }
    this.scheduleFlush();
  }

  // ---- output ----

  /** Forwards a message; headers are cut for a side without header support, as nats-server does. */
  sendMsg(subject: string, reply: string | undefined, queues: readonly string[] | undefined, header: Uint8Array | undefined, payload: Uint8Array): void {
    if (this.closed) return;
    const withHeader = header !== undefined && header.length > 0 && this.headers ? header : undefined;
    writeLeafMsg(this.out, subject, reply, queues, withHeader, payload);
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
    if (this.out.length + this.socket.writableLength > this.proxy.options.maxPending) {
      this.slowConsumer('Slow Consumer (Pending Bytes)');
      return;
    }
    this.proxy.flushQueue.schedule(this);
  }

  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.out.length === 0) return;
    const ok = this.socket.write(this.out.take());
    if (!ok && this.writeDeadlineTimer === undefined) {
      this.writeDeadlineTimer = setTimeout(() => this.slowConsumer('Slow Consumer (Write Deadline)'), this.proxy.options.writeDeadlineMs);
    }
  }

  pendingBytes(): number {
    return this.closed ? 0 : this.out.length + this.socket.writableLength;
  }

  // ---- timers, close ----

  private pingTick(): void {
    this.pingTimer = undefined;
    if (this.closed) return;
    const o = this.proxy.options;
    if (this.pingsOut + 1 > o.pingMax) {
      this.proxy.logger.debug(`${this.label()} - Stale Client Connection - Closing`);
      this.sendErr('Stale Connection');
      return this.close('Stale Connection');
    }
    // As nats-server: a spoke always pings; a hub skips the PING after recent traffic from the leaf.
    if (this.isSolicited || this.rttMs === 0 || Date.now() - this.lastActivity >= o.pingIntervalMs) {
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

  private slowConsumer(reason: LeafCloseReason): void {
    if (this.closed) return;
    this.proxy.logger.info(`${this.label()} - Slow Consumer Detected`);
    this.out.reset();
    this.markClosed(reason);
    this.socket.destroy();
  }

  /** Sends what is pending, then closes. */
  close(reason: LeafCloseReason): void {
    if (this.closed) return;
    if (this.out.length > 0) this.socket.write(this.out.take());
    this.markClosed(reason);
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private markClosed(reason: LeafCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.parser.stop();
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);
    if (this.authTimer !== undefined) clearTimeout(this.authTimer);
    if (this.writeDeadlineTimer !== undefined) clearTimeout(this.writeDeadlineTimer);
    this.proxy.leafClosed(this);
  }

  label(): string {
    return `${this.remoteAddress}:${this.remotePort} - lid:${this.cid}`;
  }
}
