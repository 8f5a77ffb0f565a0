import type { Duplex } from 'node:stream';
import { EAGER_FLUSH_BYTES, type Flushable, type FlushQueue, outputStall } from '@nats-ts/base';
import { encodeErr, OutboundBuffer, PING_FRAME, PONG_FRAME, ProtocolErrorKind, protocolErrorText, type RouteProtocolParser, WireError, writeRoutedMsg } from '@nats-ts/protocol';
import type { Logger } from '@nats-ts/observability';
import { ClosedState } from './closed-state.js';

/** The limits a link reads from the server options (live, so a reload applies). */
export interface LinkLimits {
  readonly maxPending: number;
  readonly writeDeadlineMs: number;
  readonly pingIntervalMs: number;
  readonly pingMax: number;
}

/** The role that owns a link: its options, logger and write batching. */
export interface LinkHost {
  readonly options: LinkLimits;
  readonly logger: Logger;
  readonly flushQueue: FlushQueue;
}

/**
 * One connection to another server (route, gateway or leaf node), without its protocol:
 * output batched into one write per event-loop turn, a slow peer cut off past max_pending or
 * the write deadline, PING/PONG with RTT and nats-server's stale detection, the CONNECT
 * deadline, and an orderly close. Each role's connection adds its parser and verbs.
 */
export abstract class ServerLink implements Flushable {
  readonly start = Date.now();
  lastActivity = this.start;
  flushQueued = false;
  readonly out = new OutboundBuffer();

  inMsgs = 0;
  outMsgs = 0;
  inBytes = 0;
  outBytes = 0;
  rttMs = 0;
  /** The peer sends and accepts message headers (its INFO or CONNECT). */
  headers = false;
  closeReason: ClosedState | undefined;
  /** The router's fan-out scratch (RouterLink): the pass that last chose this link, and the queue groups it got. */
  mark = 0;
  readonly queueScratch: string[] = [];

  protected socket: Duplex;
  protected closed = false;
  /** Over half max_pending: client producers that feed it pause (outputStall). */
  private stalled = false;
  private pingsOut = 0;
  private rttStart = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private writeDeadlineTimer: NodeJS.Timeout | undefined;
  private readonly onDataBound = (chunk: Buffer): void => this.onData(chunk);
  private readonly onDrainBound = (): void => this.onDrain();
  private readonly onCloseBound = (): void => this.markClosed(ClosedState.ClientClosed);

  constructor(
    protected readonly host: LinkHost,
    socket: Duplex,
  ) {
    this.socket = socket;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The link's protocol parser (route grammar; leaf mode for leaf connections), dispatching to the subclass. */
  protected abstract readonly parser: RouteProtocolParser;
  /** Names the parser in logs, as nats-server: `Route`, `Gateway`, `Leafnode`. */
  protected abstract readonly parserName: string;
  /** Tells the owning role the link is gone. */
  protected abstract linkClosed(): void;
  abstract label(): string;

  /**
   * The router's delivery (RouterLink.sendRouted): `data[start, end)` holds the header block then
   * the payload, handed to the connection's encoder as two views.
   */
  sendRouted(
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
  ): void {
    const header = headerSize > 0 ? data.subarray(start, start + headerSize) : undefined;
    this.sendRoutedParts(account, subject, reply, queues, header, data.subarray(start + headerSize, end), traceparent);
  }

  /**
   * `RMSG` on a route or gateway; headers are dropped for a peer without header support, as
   * nats-server does.
   */
  sendRoutedMsg(account: string, subject: string, reply: string | undefined, queues: readonly string[] | undefined, header: Uint8Array | undefined, payload: Uint8Array): void {
    if (this.closed) return;
    const withHeader = this.headerToSend(header);
    writeRoutedMsg(this.out, account, subject, reply, queues, withHeader, payload);
    this.countSent(payload, withHeader);
  }

  /** The header block as the peer may get it: none for a peer without header support. */
  protected headerToSend(header: Uint8Array | undefined): Uint8Array | undefined {
    return header !== undefined && header.length > 0 && this.headers ? header : undefined;
  }

  /** A message was written to the output: counted, and flushed this event-loop turn. */
  protected countSent(payload: Uint8Array, header: Uint8Array | undefined): void {
    this.outMsgs++;
    this.outBytes += payload.length + (header?.length ?? 0);
    this.scheduleFlush();
  }

  /**
   * A CONNECT or INFO the link cannot take: logged and closed as nats-server does (a CONNECT as a
   * protocol violation, an INFO as a parse error).
   */
  protected refuseControl(verb: 'CONNECT' | 'INFO', problem: 'invalid' | 'unexpected'): void {
    this.host.logger.error(`${this.label()} - ${this.parserName} parser ERROR: ${problem} ${verb}`);
    this.close(verb === 'CONNECT' ? ClosedState.ProtocolViolation : ClosedState.ParseError);
  }

  /** Sends a routed message on the link, under a send span when it is traced. */
  protected abstract sendRoutedParts(
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    header: Uint8Array | undefined,
    payload: Uint8Array,
    traceparent: string | undefined,
  ): void;

  /**
   * Whether this tick sends a PING. As nats-server, by default not after recent traffic from the
   * peer once the RTT is known; gateways and leaf spokes ping regardless.
   */
  protected wantsPing(): boolean {
    return this.rttMs === 0 || Date.now() - this.lastActivity >= this.pingIntervalMs();
  }

  protected pingIntervalMs(): number {
    return this.host.options.pingIntervalMs;
  }

  /**
   * Starts reading and the timers: with an auth timeout, CONNECT must arrive before it; the
   * first PING goes out after at most a second, then every ping interval.
   */
  protected startLink(authTimeoutMs: number | undefined): void {
    this.attach(this.socket);
    if (authTimeoutMs !== undefined) this.authTimer = setTimeout(() => this.onAuthTimeout(), authTimeoutMs);
    this.pingTimer = setTimeout(() => this.pingTick(), Math.min(this.pingIntervalMs(), 1000));
  }

  /** The stream changed under us (TLS started after the plaintext INFO): read and write the new one. */
  replaceSocket(socket: Duplex): void {
    this.detach(this.socket);
    this.socket = socket;
    this.attach(socket);
  }

  protected attach(socket: Duplex): void {
    socket.on('data', this.onDataBound);
    socket.on('drain', this.onDrainBound);
    socket.on('error', this.onCloseBound);
    socket.on('close', this.onCloseBound);
  }

  protected detach(socket: Duplex): void {
    socket.off('data', this.onDataBound);
    socket.off('drain', this.onDrainBound);
    socket.off('error', this.onCloseBound);
    socket.off('close', this.onCloseBound);
  }

  /** CONNECT arrived (or the handshake completed) in time. */
  clearAuthTimer(): void {
    if (this.authTimer !== undefined) {
      clearTimeout(this.authTimer);
      this.authTimer = undefined;
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    this.parser.parse(chunk);
  }

  private onDrain(): void {
    this.updateStall();
    if (this.writeDeadlineTimer !== undefined) {
      clearTimeout(this.writeDeadlineTimer);
      this.writeDeadlineTimer = undefined;
    }
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

  /** Bytes the parser refused: nats-server's -ERR where it sends one, then the connection closes. */
  onParseError(kind: ProtocolErrorKind, detail?: string): void {
    this.host.logger.error(`${this.label()} - ${this.parserName} parser ERROR: ${detail ?? kind}`);
    const text = protocolErrorText(kind);
    if (text !== undefined) this.sendErr(text);
    this.close(kind === ProtocolErrorKind.AuthorizationViolation ? ClosedState.AuthenticationViolation : ClosedState.ParseError);
  }

  // ---- output ----

  sendErr(text: string): void {
    this.queueProto(encodeErr(text));
  }

  queueProto(frame: Uint8Array): void {
    if (this.closed) return;
    this.out.writeBytes(frame);
    this.scheduleFlush();
  }

  /** After writing to `out`: cut a peer that lets too much pile up, else write this turn. */
  protected scheduleFlush(): void {
    const pending = this.out.length + this.socket.writableLength;
    const maxPending = this.host.options.maxPending;
    if (pending > maxPending) {
      this.slowConsumer(ClosedState.SlowConsumerPendingBytes);
      return;
    }
    if (pending > maxPending / 2 && !this.stalled) this.stalled = outputStall.update(false, pending, maxPending);
    if (this.stalled) outputStall.feeding();
    if (this.out.length >= EAGER_FLUSH_BYTES) this.flush();
    else this.host.flushQueue.schedule(this);
  }

  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.out.length === 0) return;
    const ok = this.socket.write(this.out.take());
    // Nothing left in the socket's queue: the kernel has every taken byte, the store is free.
    if (ok && this.socket.writableLength === 0) this.out.reuseStore();
    this.updateStall();
    if (!ok && this.writeDeadlineTimer === undefined) {
      this.writeDeadlineTimer = setTimeout(() => this.slowConsumer(ClosedState.SlowConsumerWriteDeadline), this.host.options.writeDeadlineMs);
    }
  }

  /** A stalled link leaves the stall once what it holds is back under half max_pending. */
  private updateStall(): void {
    if (this.stalled) this.stalled = outputStall.update(true, this.out.length + this.socket.writableLength, this.host.options.maxPending);
  }

  pendingBytes(): number {
    return this.closed ? 0 : this.out.length + this.socket.writableLength;
  }

  // ---- timers, close ----

  private pingTick(): void {
    this.pingTimer = undefined;
    if (this.closed) return;
    if (this.pingsOut + 1 > this.host.options.pingMax) {
      this.host.logger.debug(`${this.label()} - Stale Client Connection - Closing`);
      this.sendErr(WireError.staleConnection);
      return this.close(ClosedState.StaleConnection);
    }
    if (this.wantsPing()) {
      this.pingsOut++;
      this.rttStart = performance.now();
      this.queueProto(PING_FRAME);
    }
    this.pingTimer = setTimeout(() => this.pingTick(), this.pingIntervalMs());
  }

  private onAuthTimeout(): void {
    this.authTimer = undefined;
    if (this.closed) return;
    this.sendErr(WireError.authenticationTimeout);
    this.close(ClosedState.AuthenticationTimeout);
  }

  private slowConsumer(reason: ClosedState): void {
    if (this.closed) return;
    this.host.logger.info(`${this.label()} - Slow Consumer Detected`);
    this.out.reset();
    this.markClosed(reason);
    this.socket.destroy();
  }

  /** Sends what is pending, then closes. */
  close(reason: ClosedState): void {
    if (this.closed) return;
    if (this.out.length > 0) this.socket.write(this.out.take());
    this.markClosed(reason);
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  protected markClosed(reason: ClosedState): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.parser.stop();
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);
    if (this.authTimer !== undefined) clearTimeout(this.authTimer);
    if (this.writeDeadlineTimer !== undefined) clearTimeout(this.writeDeadlineTimer);
    if (this.stalled) this.stalled = outputStall.update(true, 0, this.host.options.maxPending);
    this.linkClosed();
  }
}
