import { EAGER_FLUSH_BYTES, type Flushable, type FlushQueue, outputStall } from '@nats-ts/base';
import { encodeErr, OutboundBuffer, PING_FRAME, PONG_FRAME, WireError } from '@nats-ts/protocol';
import type { Logger } from '@nats-ts/observability';
import { ClosedState } from './closed-state.js';

/** The limits a connection reads from the server options (live, so a reload applies). */
export interface ConnectionLimits {
  readonly maxPending: number;
  readonly writeDeadlineMs: number;
  readonly pingIntervalMs: number;
  readonly pingMax: number;
}

/** The role that owns a connection: its options, logger and write batching. */
export interface ConnectionHost {
  readonly options: ConnectionLimits;
  readonly logger: Logger;
  readonly flushQueue: FlushQueue;
}

/**
 * What every connection kind (client, route, gateway, leaf) shares, as nats-server's one client
 * type does: output batched into one write per event-loop turn, a slow reader cut off past
 * max_pending or the write deadline, the output stall that holds back the producers feeding a
 * backed-up output, PING/PONG with RTT and stale detection, the CONNECT deadline, and an orderly
 * close with a ClosedState. Each kind adds its transport, parser and verbs.
 */
export abstract class ConnectionCore implements Flushable {
  readonly start = Date.now();
  lastActivity = this.start;
  flushQueued = false;
  readonly out = new OutboundBuffer();

  inMsgs = 0;
  outMsgs = 0;
  inBytes = 0;
  outBytes = 0;
  rttMs = 0;
  closeReason: ClosedState | undefined;

  protected closed = false;
  /** Over half max_pending: client producers that feed it pause (outputStall). */
  private stalled = false;
  private pingsOut = 0;
  private rttStart = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private writeDeadlineTimer: NodeJS.Timeout | undefined;

  constructor(protected readonly host: ConnectionHost) {}

  get isClosed(): boolean {
    return this.closed;
  }

  abstract label(): string;
  /** Writes to the transport; false when it queued the bytes (the peer reads slower than we write). */
  protected abstract writeOut(data: Buffer): boolean;
  /** Bytes the transport still holds. */
  protected abstract transportPending(): number;
  /** After a write the transport took whole: it keeps none of the bytes, so the store can be reused. */
  protected abstract writesReleased(): boolean;
  protected abstract endTransport(): void;
  protected abstract destroyTransport(): void;
  /** The kind's part of closing: its parser, its state, its owner. */
  protected abstract connectionClosed(): void;

  // ---- timers ----

  /** Arms the CONNECT deadline (when given) and the first PING. */
  protected armTimers(authTimeoutMs: number | undefined, firstPingMs: number): void {
    if (authTimeoutMs !== undefined) this.authTimer = setTimeout(() => this.onAuthTimeout(), authTimeoutMs);
    this.pingTimer = setTimeout(() => this.pingTick(), firstPingMs);
  }

  /** CONNECT arrived (or the handshake completed) in time. */
  clearAuthTimer(): void {
    if (this.authTimer !== undefined) {
      clearTimeout(this.authTimer);
      this.authTimer = undefined;
    }
  }

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

  private pingTick(): void {
    this.pingTimer = undefined;
    if (this.closed) return;
    if (this.wantsPing()) {
      if (this.pingsOut + 1 > this.host.options.pingMax) {
        this.host.logger.debug(`${this.label()} - Stale Client Connection - Closing`);
        this.sendErr(WireError.staleConnection);
        return this.close(ClosedState.StaleConnection);
      }
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

  // ---- output ----

  sendErr(text: string): void {
    this.queueProto(encodeErr(text));
  }

  queueProto(frame: Uint8Array): void {
    if (this.closed) return;
    this.out.writeBytes(frame);
    this.scheduleFlush();
  }

  /** After writing to `out`: cut a reader that lets too much pile up, else write this turn. */
  protected scheduleFlush(): void {
    const pending = this.out.length + this.transportPending();
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

  /** Called by the flush queue once per event-loop turn. */
  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.out.length === 0) return;
    const ok = this.writeOut(this.out.take());
    if (ok && this.writesReleased()) this.out.reuseStore();
    this.updateStall();
    if (!ok && this.writeDeadlineTimer === undefined) {
      this.writeDeadlineTimer = setTimeout(() => this.slowConsumer(ClosedState.SlowConsumerWriteDeadline), this.host.options.writeDeadlineMs);
    }
  }

  /** The transport wrote what it held: the stall and the write deadline may end. */
  onDrain(): void {
    this.updateStall();
    if (this.writeDeadlineTimer !== undefined) {
      clearTimeout(this.writeDeadlineTimer);
      this.writeDeadlineTimer = undefined;
    }
  }

  /** A stalled connection leaves the stall once what it holds is back under half max_pending. */
  private updateStall(): void {
    if (this.stalled) this.stalled = outputStall.update(true, this.out.length + this.transportPending(), this.host.options.maxPending);
  }

  pendingBytes(): number {
    return this.closed ? 0 : this.out.length + this.transportPending();
  }

  // ---- close ----

  private slowConsumer(reason: ClosedState): void {
    if (this.closed) return;
    this.reportSlowConsumer(reason, this.out.length + this.transportPending());
    this.out.reset();
    this.markClosed(reason);
    this.destroyTransport();
  }

  /** The log line (and counters) of a slow consumer, before it is cut off. */
  protected reportSlowConsumer(_reason: ClosedState, _pending: number): void {
    this.host.logger.info(`${this.label()} - Slow Consumer Detected`);
  }

  /** Sends what is pending, then closes. */
  close(reason: ClosedState): void {
    if (this.closed) return;
    if (this.out.length > 0) this.writeOut(this.out.take());
    this.markClosed(reason);
    this.endTransport();
  }

  protected markClosed(reason: ClosedState): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    if (this.pingTimer !== undefined) clearTimeout(this.pingTimer);
    if (this.authTimer !== undefined) clearTimeout(this.authTimer);
    if (this.writeDeadlineTimer !== undefined) clearTimeout(this.writeDeadlineTimer);
    if (this.stalled) this.stalled = outputStall.update(true, 0, this.host.options.maxPending);
    this.connectionClosed();
  }
}
