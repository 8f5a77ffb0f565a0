import { parseDuration } from '@nats-ts/config';
import { outputStall } from '@nats-ts/base';
import { subjectMatches } from '@nats-ts/routing';
import { rfc3339Nano } from '../api/time.js';
import type { PeekedMessage } from '../store/peeked-message.js';
import type { StreamStore } from '../store/stream-store.js';
import { samplePercent, type ConsumerConfig } from './consumer-config.js';
import type { ConsumerStateStore } from './consumer-files.js';
import { PullRequest, parsePullRequest } from './pull-request.js';

/** What a consumer needs from its stream and server: publishing, interest, retention, persistence. */
export interface ConsumerHost {
  readonly streamName: string;
  readonly store: StreamStore;
  /** Where the consumer is kept across restarts (consumers of file and Redis streams without mem_storage). */
  readonly files: ConsumerStateStore | undefined;
  /**
   * Publishes through the router: matched on `subject`, shown to subscribers as `deliverAs`
   * (the stored subject of a delivery) when given. True when anything took it.
   */
  publish(subject: string, deliverAs: string | undefined, reply: string | undefined, header: Uint8Array, payload: Uint8Array): boolean;
  /** A stored message's delivery: header and payload contiguous in `bytes[start, end)`. */
  publishSpan(subject: string, deliverAs: string | undefined, reply: string | undefined, headerSize: number, bytes: Uint8Array, start: number, end: number): boolean;
  hasInterest(subject: string): boolean;
  /** A message this consumer no longer needs (acked, terminated, or delivered without acks). */
  released(seq: number): void;
  /**
   * The consumer's state changed and should be written where it is kept; `ackReply`: an ack sent
   * as a request, answered once that state is written (at once for a consumer kept nowhere).
   */
  changed(consumer: Consumer, ackReply?: string): void;
  /** The consumer's inactivity ran out (inactive_threshold). */
  expired(consumer: Consumer): void;
  /** Advisories: a message reached max_deliver without an ack; a message was terminated (`+TERM`). */
  maxDeliveries(consumer: Consumer, seq: number, deliveries: number): void;
  terminated(consumer: Consumer, dseq: number, seq: number, deliveries: number): void;
  /** The ack metric of a sampled ack (sample_freq). */
  ackSampled(consumer: Consumer, dseq: number, seq: number, ackTimeNs: number, deliveries: number): void;
}

interface PendingAck {
  /** The consumer sequence of the first delivery: nats-server keeps it across redeliveries. */
  dseq: number;
  /** When the ack wait started (the latest delivery, progress, or a nak's delay), ms. */
  at: number;
}

/** The part of a consumer kept across restarts. */
export interface ConsumerState {
  /** The next stream sequence to look at, and the next consumer sequence to give. */
  sseq: number;
  dseq: number;
  /** Every delivery up to these consumer and stream sequences is acked. */
  ackFloor: [dseq: number, sseq: number];
  pending: [seq: number, dseq: number, at: number][];
  /** Redeliveries so far of the messages not yet acked. */
  redelivered: [seq: number, count: number][];
}

const STATUS_HEADER_END = '\r\n\r\n';
/**
 * nats-server's push flow control window: it starts at 2 MB (a sixteenth of the most) and doubles
 * with each answer. A request goes out past half the window; delivery stops past all of it.
 */
const FLOW_CONTROL_MAX_WINDOW = 32 * 1024 * 1024;
const FLOW_CONTROL_FIRST_WINDOW = FLOW_CONTROL_MAX_WINDOW / 16;
const PUSH_INTEREST_POLL_MS = 100;
/** Push deliveries per event-loop turn while a backlog drains. */
const PUSH_TURN_DELIVERIES = 512;
const DELIVERIES_PER_CLOCK_READ = 64;
/** Deliveries restored after a restart are looked at this soon (nats-server: 0.5 to 1.5 s). */
const RESTORED_PENDING_CHECK_MS = 1_000;
const DEFAULT_ACK_WAIT_NS = 30_000_000_000;
const EMPTY = new Uint8Array(0);
/** The ack bodies nats-server tells apart. */
const ACK_ACK = Buffer.from('+ACK', 'latin1');
const ACK_OK = Buffer.from('+OK', 'latin1');
const ACK_NEXT = Buffer.from('+NXT', 'latin1');
const ACK_NAK = Buffer.from('-NAK', 'latin1');
const ACK_PROGRESS = Buffer.from('+WPI', 'latin1');
const ACK_TERM = Buffer.from('+TERM', 'latin1');

/** Where the next message comes from (what delivering it moves). */
const enum Source {
  Redelivery,
  LastPerSubject,
  Cursor,
}

/**
 * One consumer of a stream, as nats-server 2.9 runs it: a cursor over the stream (its filter and
 * deliver policy), the deliveries awaiting acks and the ack floor, redelivery after ack_wait or
 * backoff, and either push delivery to a deliver subject (flow control, idle heartbeats) or pull
 * requests waiting for messages. Deliveries carry nats-server's `$JS.ACK` reply.
 */
export class Consumer {
  /** Next stream sequence to consider; next consumer sequence to give. */
  private sseq: number;
  private dseq = 1;
  /** Nothing acked yet: 0 whatever the start (nats-server's floor starts there too). */
  private ackFloorDseq = 0;
  private ackFloorSseq = 0;
  /** Deliveries awaiting an ack, by stream sequence, in delivery order (so by stream sequence). */
  private readonly pending = new Map<number, PendingAck>();
  /** Redeliveries so far by stream sequence (nats-server's rdc): dropped on ack, kept past max_deliver. */
  private readonly redelivered = new Map<number, number>();
  /** Sequences to deliver again, in the order they became due. */
  private readonly redeliver = new Set<number>();
  /** The last message per subject still to deliver first (deliver policy last_per_subject). */
  private lastPerSubject: number[] = [];
  /** The stream's last sequence when that list was made: the cursor resumes there. */
  private lastPerSubjectResume = 0;
  private numPendingCount = 0;
  private numPendingStale = true;
  private readonly waiting: PullRequest[] = [];
  /** A no_wait request got messages during this drive: it ends once nothing more can go. */
  private noWaitServed = false;
  /** Delivery stopped at max_ack_pending (no_wait requests are not ended then). */
  private atMaxAckPending = false;
  /** The last delivery (or nak, progress) and the last ack, ms: Date.now() the hot path already reads. */
  private lastActiveMs = 0;
  private lastAckMs = 0;
  private delivering = false;
  private closed = false;
  /** The next message's source and delivery count, set by nextMessage. */
  private nextSource = Source.Cursor;
  private nextDeliveries = 1;
  /** One timer for the earliest ack wait to run out; `ackTimerDue` is when it fires (ms). */
  private ackTimer: NodeJS.Timeout | undefined;
  private ackTimerDue = 0;
  private readonly onAckTimer = (): void => this.checkAckWaits();
  private pushTimer: NodeJS.Timeout | undefined;
  /** A push backlog's next share is scheduled (the next turn, or the end of an output stall). */
  private pushResumeArmed = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private inactiveTimer: NodeJS.Timeout | undefined;
  private delayTimer: NodeJS.Timeout | undefined;
  /**
   * Push flow control: bytes sent and not yet covered by an answer, the window, and the request
   * in flight with the bytes its answer covers.
   */
  private unacknowledgedBytes = 0;
  private flowControlWindow = FLOW_CONTROL_FIRST_WINDOW;
  private flowControlSubject: string | undefined;
  private flowControlBytes = 0;
  private flowControlCounter = 0;
  /** When the last push delivery went out (ms): idle heartbeats count from there. */
  private lastPushMs = 0;
  /** replay_policy original: spacing applies up to the stream's last sequence at the start. */
  private replayUpTo = 0;
  /** The spacing before the next replayed message was waited for. */
  private replayWaited = false;
  /** Replay original / rate limit: no delivery before this time (ms). */
  private notBefore = 0;
  private lastDeliveredTimeNs = 0n;
  private lastActivityMs = Date.now();
  /** sample_freq as a percentage: the share of acks that send an ack metric. */
  private samplePercent: number;
  readonly ackPrefix: string;

  constructor(
    readonly name: string,
    public config: ConsumerConfig,
    readonly createdNs: bigint,
    private readonly host: ConsumerHost,
    state?: ConsumerState,
  ) {
    this.ackPrefix = `$JS.ACK.${host.streamName}.${name}.`;
    this.samplePercent = samplePercent(config.sample_freq);
    if (state !== undefined) {
      this.sseq = state.sseq;
      this.dseq = state.dseq;
      [this.ackFloorDseq, this.ackFloorSseq] = state.ackFloor;
      for (const [seq, dseq, at] of state.pending) this.pending.set(seq, { dseq, at });
      for (const [seq, count] of state.redelivered) this.redelivered.set(seq, count);
    } else {
      this.sseq = this.startSeq();
    }
    if (config.replay_policy === 'original') this.replayUpTo = host.store.state().lastSeq;
    if (this.pending.size > 0) this.armAckTimer(Math.min(this.ackWaitMs(1), RESTORED_PENDING_CHECK_MS));
    this.armHeartbeat();
    this.armInactivity();
  }

  get streamName(): string {
    return this.host.streamName;
  }

  get files(): ConsumerStateStore | undefined {
    return this.host.files;
  }

  get isPush(): boolean {
    return this.config.deliver_subject !== undefined && this.config.deliver_subject !== '';
  }

  private get filter(): string {
    const filter = this.config.filter_subject;
    return filter === undefined || filter === '' ? '>' : filter;
  }

  private get acksNone(): boolean {
    return this.config.ack_policy === 'none';
  }

  /** Whether a message on `subject` is one this consumer delivers. */
  wants(subject: string): boolean {
    const filter = this.config.filter_subject;
    return filter === undefined || filter === '' || subjectMatches(subject, filter);
  }

  /** Whether the consumer is done with `seq` (interest retention removes it once all are). */
  isDoneWith(seq: number): boolean {
    if (seq >= this.sseq || this.lastPerSubject.includes(seq)) return false;
    return this.acksNone || !this.pending.has(seq);
  }

  // ---- what the stream tells the consumer ----

  /** A message was stored; `removed`: the append also removed older ones (limits). */
  stored(seq: number, subject: string, removed: boolean): void {
    if (removed) this.numPendingStale = true;
    else if (seq >= this.sseq && this.wants(subject)) this.numPendingCount++;
    this.drive();
  }

  /** Messages were removed from the stream (purge, delete, expiry): the consumer moves past them. */
  removedMessages(): void {
    this.numPendingStale = true;
    const store = this.host.store;
    const first = store.state().firstSeq;
    if (this.sseq < first) this.sseq = first;
    for (const seq of [...this.pending.keys()]) {
      if (store.subjectOf(seq) === undefined) this.forget(seq);
    }
    for (const seq of [...this.redelivered.keys()]) if (store.subjectOf(seq) === undefined) this.redelivered.delete(seq);
    // As nats-server's purge: the floor moves up to what is left.
    if (this.ackFloorSseq < first - 1) {
      this.ackFloorSseq = first - 1;
      if (this.pending.size === 0) this.ackFloorDseq = this.dseq - 1;
    }
    this.drive();
  }

  // ---- info ----

  numPending(): number {
    if (this.numPendingStale) {
      const from = this.lastPerSubject.length > 0 ? this.lastPerSubjectResume + 1 : this.sseq;
      this.numPendingCount = this.host.store.countMatchingFrom(this.filter, from);
      this.numPendingStale = false;
    }
    return this.numPendingCount + this.lastPerSubject.length;
  }

  info(): Record<string, unknown> {
    const delivered: Record<string, unknown> = { consumer_seq: this.dseq - 1, stream_seq: this.sseq - 1 };
    if (this.lastActiveMs > 0) delivered.last_active = rfc3339Nano(BigInt(this.lastActiveMs) * 1_000_000n);
    const ackFloor: Record<string, unknown> = { consumer_seq: this.ackFloorDseq, stream_seq: this.ackFloorSseq };
    if (this.lastAckMs > 0) ackFloor.last_active = rfc3339Nano(BigInt(this.lastAckMs) * 1_000_000n);
    const out: Record<string, unknown> = {
      stream_name: this.host.streamName,
      name: this.name,
      created: rfc3339Nano(this.createdNs),
      config: this.config,
      delivered,
      ack_floor: ackFloor,
      num_ack_pending: this.pending.size,
      num_redelivered: this.redelivered.size,
      num_waiting: this.waiting.length,
      num_pending: this.numPending(),
    };
    if (this.isPush && this.host.hasInterest(this.config.deliver_subject!)) out.push_bound = true;
    return out;
  }

  state(): ConsumerState {
    return {
      sseq: this.sseq,
      dseq: this.dseq,
      ackFloor: [this.ackFloorDseq, this.ackFloorSseq],
      pending: [...this.pending].map(([seq, p]) => [seq, p.dseq, p.at]),
      redelivered: [...this.redelivered],
    };
  }

  /** A new configuration a durable's re-create allowed. */
  update(config: ConsumerConfig): void {
    this.config = config;
    this.samplePercent = samplePercent(config.sample_freq);
    // The ack waits may have changed: looked at again now.
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.pending.size > 0) this.armAckTimer(0);
    this.armHeartbeat();
    this.armInactivity();
    this.drive();
  }

  // ---- acks ----

  /**
   * A message on this consumer's `$JS.ACK.<stream>.<consumer>.` subject; the tokens after that
   * are `<deliveries>.<stream seq>.<consumer seq>.<time>.<pending>`. The body says what it is,
   * as nats-server reads it: empty, `+ACK` or `+OK` (ack), `-NAK` with an optional delay,
   * `+WPI` (in progress), `+TERM`, or `+NXT` with a pull request. An ack sent as a request is
   * answered, whatever its body, except `+NXT` whose answer is the next messages.
   */
  ack(ackSubject: string, body: Uint8Array, reply: string | undefined): void {
    const from = this.ackPrefix.length;
    const seqAt = ackSubject.indexOf('.', from) + 1;
    const dseqAt = seqAt === 0 ? 0 : ackSubject.indexOf('.', seqAt) + 1;
    const timeAt = dseqAt === 0 ? 0 : ackSubject.indexOf('.', dseqAt) + 1;
    const pendingAt = timeAt === 0 ? 0 : ackSubject.indexOf('.', timeAt) + 1;
    if (pendingAt === 0 || ackSubject.indexOf('.', pendingAt) >= 0) return;
    const deliveries = ackNumber(ackSubject, from, seqAt - 1);
    const seq = ackNumber(ackSubject, seqAt, dseqAt - 1);
    const dseq = ackNumber(ackSubject, dseqAt, timeAt - 1);
    if (seq <= 0) return;
    this.lastActivityMs = Date.now();
    // The body's bytes are compared: no string is made for an ack.
    if (body.length === 0 || isToken(body, ACK_ACK) || isToken(body, ACK_OK)) {
      this.acked(seq, dseq, deliveries);
    } else if (hasPrefix(body, ACK_NEXT)) {
      this.acked(seq, dseq, deliveries);
      this.host.changed(this);
      if (reply !== undefined) this.pull(reply, body.subarray(ACK_NEXT.length));
      else this.drive();
      return;
    } else if (hasPrefix(body, ACK_NAK)) {
      this.nak(seq, dseq, Buffer.from(body.buffer, body.byteOffset + ACK_NAK.length, body.length - ACK_NAK.length).toString('latin1'));
    } else if (isToken(body, ACK_PROGRESS)) {
      this.progress(seq);
    } else if (isToken(body, ACK_TERM)) {
      const p = this.pending.get(seq);
      if (p !== undefined) this.host.terminated(this, p.dseq, seq, (this.redelivered.get(seq) ?? 0) + 1);
      this.acked(seq, dseq, undefined);
    }
    this.host.changed(this, reply);
    this.drive();
  }

  /**
   * nats-server's processAckMsg: the ack floor moves as its does. `sampledDeliveries`: the ack's
   * delivery count, for the acks nats-server samples (+ACK, +NXT; not +TERM).
   */
  private acked(seq: number, dseq: number, sampledDeliveries: number | undefined): void {
    const policy = this.config.ack_policy;
    if (policy === 'explicit') {
      const p = this.pending.get(seq);
      if (p !== undefined) {
        // The ack's own consumer sequence and delivery count, as nats-server reports them.
        if (sampledDeliveries !== undefined && this.shouldSample()) this.host.ackSampled(this, dseq, seq, (Date.now() - p.at) * 1_000_000, sampledDeliveries);
        this.pending.delete(seq);
        // The floor counts first deliveries.
        dseq = p.dseq;
      }
      const wasRedelivered = this.redelivered.delete(seq);
      this.redeliver.delete(seq);
      if (this.pending.size === 0) {
        this.ackFloorDseq = this.dseq - 1;
        this.ackFloorSseq = this.sseq - 1;
      } else if (dseq === this.ackFloorDseq + 1) {
        this.ackFloorDseq = dseq;
        this.ackFloorSseq = seq;
        // Up to the next one still pending (pending is in stream order).
        for (const next of this.pending.keys()) {
          if (next <= seq) continue;
          this.ackFloorDseq = this.pending.get(next)!.dseq - 1;
          this.ackFloorSseq = next - 1;
          break;
        }
      }
      // One given up on past max_deliver is released too.
      if (p !== undefined || wasRedelivered) this.release(seq);
    } else if (policy === 'all') {
      if (dseq <= this.ackFloorDseq || seq <= this.ackFloorSseq) return;
      this.ackFloorDseq = dseq;
      this.ackFloorSseq = seq;
      const done: number[] = [];
      for (const pseq of this.pending.keys()) if (pseq <= seq) done.push(pseq);
      for (const pseq of this.redelivered.keys()) if (pseq <= seq) this.redelivered.delete(pseq);
      for (const pseq of done) {
        this.pending.delete(pseq);
        this.redeliver.delete(pseq);
        this.release(pseq);
      }
    } else {
      return;
    }
    this.lastAckMs = this.lastActivityMs;
  }

  /** nats-server's shouldSample: every ack at 100% or more, else a random draw of 0..99 at most the percentage. */
  private shouldSample(): boolean {
    const percent = this.samplePercent;
    if (percent <= 0) return false;
    return percent >= 100 || Math.floor(Math.random() * 100) <= percent;
  }

  /** `-NAK`: redelivered at once, or after the delay given as `{"delay": ns}` or a Go duration. */
  private nak(seq: number, dseq: number, rest: string): void {
    if (dseq <= this.ackFloorDseq || dseq > this.dseq) return;
    const p = this.pending.get(seq);
    if (p === undefined) return;
    const delayMs = nakDelayMs(rest.trim());
    if (delayMs === undefined) {
      this.redeliver.add(seq);
      return;
    }
    // As nats-server: the ack wait (the configured one) runs out `delay` from now.
    this.redeliver.delete(seq);
    const now = Date.now();
    p.at = Math.round(now - (this.config.ack_wait ?? DEFAULT_ACK_WAIT_NS) / 1e6 + delayMs);
    this.lastActiveMs = now;
    this.armAckTimer(Math.max(0, delayMs));
  }

  /** `+WPI`: the ack wait starts again. */
  private progress(seq: number): void {
    const p = this.pending.get(seq);
    if (p === undefined) return;
    p.at = this.lastActivityMs;
    this.lastActiveMs = p.at;
  }

  /** A pending delivery the consumer gives up on (its message is gone). */
  private forget(seq: number): void {
    this.pending.delete(seq);
    this.redeliver.delete(seq);
  }

  private release(seq: number): void {
    this.host.released(seq);
  }

  // ---- pull ----

  /** A CONSUMER.MSG.NEXT request answered on `reply`, checked in nats-server's order. */
  pull(reply: string, body: Uint8Array): void {
    this.lastActivityMs = Date.now();
    if (this.isPush) return this.status(reply, '409 Consumer is push based');
    const request = parsePullRequest(body, reply);
    if (typeof request === 'string') return this.status(reply, request);
    const c = this.config;
    if (c.max_batch !== undefined && c.max_batch > 0 && request.batch > c.max_batch) return this.status(reply, `409 Exceeded MaxRequestBatch of ${c.max_batch}`);
    if (c.max_expires !== undefined && c.max_expires > 0 && request.expiresNs > c.max_expires) return this.status(reply, `409 Exceeded MaxRequestExpires of ${goDuration(c.max_expires)}`);
    if (c.max_bytes !== undefined && c.max_bytes > 0 && request.maxBytes > c.max_bytes) {
      return this.status(reply, `409 Exceeded MaxRequestMaxBytes of ${c.max_bytes}`);
    }
    if (request.noWait) {
      const available = this.numPending() + this.redeliver.size;
      if (available === 0 && request.expiresNs === 0) return this.status(reply, '404 No Messages');
      if (available > 0) {
        let asked = 0;
        for (const other of this.waiting) asked += other.batch - other.delivered;
        if (available < asked) return this.status(reply, '408 Requests Pending');
      }
    }
    if (this.waiting.length >= (c.max_waiting ?? 512)) return this.status(reply, '409 Exceeded MaxWaiting');
    // An expiry in the past: nats-server times it out before anything goes to it.
    if (request.expiresNs < 0) return this.status(reply, `408 Request Timeout\r\nNats-Pending-Messages: ${request.batch}\r\nNats-Pending-Bytes: ${request.maxBytes}`);
    this.waiting.push(request);
    this.drive();
    if (request.done) return;
    // A no_wait request waits only while nothing came (nats-server parks it until something does).
    if (request.expiresNs > 0) {
      request.expiryTimer = setTimeout(() => this.endRequest(request, '408 Request Timeout', true), Math.max(1, request.expiresNs / 1e6));
      request.expiryTimer.unref();
    }
    if (request.heartbeatNs > 0) this.armRequestHeartbeat(request, request.heartbeatNs / 1e6);
  }

  /** A pull request's idle heartbeat: sent when nothing went to it for its interval. */
  private armRequestHeartbeat(request: PullRequest, inMs: number): void {
    request.heartbeatTimer = setTimeout(() => {
      if (request.done) return;
      const intervalMs = request.heartbeatNs / 1e6;
      const idleMs = Date.now() - request.lastSentMs;
      if (idleMs >= intervalMs) {
        this.heartbeat(request.reply, undefined);
        request.lastSentMs = Date.now();
        this.armRequestHeartbeat(request, intervalMs);
      } else {
        this.armRequestHeartbeat(request, intervalMs - idleMs);
      }
    }, Math.max(1, inMs));
    request.heartbeatTimer.unref();
  }

  /** Ends a waiting request, with a status (and what it still wanted when `pendingHeaders`). */
  private endRequest(request: PullRequest, status: string, pendingHeaders: boolean): void {
    const i = this.waiting.indexOf(request);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    request.stopTimers();
    if (status === '') return;
    const left = pendingHeaders ? `\r\nNats-Pending-Messages: ${request.batch - request.delivered}\r\nNats-Pending-Bytes: ${request.maxBytes > 0 ? request.maxBytes - request.bytes : 0}` : '';
    this.host.publish(request.reply, undefined, undefined, headerBytes(`NATS/1.0 ${status}${left}${STATUS_HEADER_END}`), EMPTY);
  }

  private status(reply: string, line: string): void {
    this.host.publish(reply, undefined, undefined, headerBytes(`NATS/1.0 ${line}${STATUS_HEADER_END}`), EMPTY);
  }

  // ---- delivery ----

  /** Delivers what can be delivered now; called after anything that may allow more. */
  drive(): void {
    if (this.delivering || this.closed) return;
    this.delivering = true;
    this.noWaitServed = false;
    this.atMaxAckPending = false;
    try {
      // A push consumer's interest is looked up once: a delivery nobody takes stops the loop.
      const push = this.isPush;
      if (push && !this.pushReady()) return;
      if (push) outputStall.producing();
      let budget = PUSH_TURN_DELIVERIES;
      // The clock is read once per share of deliveries, not per message: ack timers count in
      // milliseconds and a share takes well under one.
      let now = Date.now();
      let sinceClock = 0;
      for (;;) {
        if (push ? !this.withinFlowControlWindow() : this.waiting.length === 0) break;
        if (this.notBefore > 0 && this.notBefore > (now = Date.now())) {
          this.armDelay();
          break;
        }
        const msg = this.nextMessage();
        if (msg === undefined || !this.deliver(msg, now)) break;
        if (++sinceClock === DELIVERIES_PER_CLOCK_READ) {
          now = Date.now();
          sinceClock = 0;
        }
        // A push backlog goes out a share per event-loop turn, so the socket writes between
        // shares, and waits while the subscriber's connection is stalled, as a client publisher does.
        if (push && (--budget === 0 || outputStall.mustWait)) {
          this.resumePush(outputStall.mustWait);
          break;
        }
      }
      // nats-server ends a no_wait request that got messages once the stream runs dry.
      if (this.noWaitServed && !this.atMaxAckPending) {
        for (const request of this.waiting.filter((r) => r.noWait && r.delivered > 0)) this.endRequest(request, '408 Request Timeout', true);
      }
    } finally {
      this.delivering = false;
    }
  }

  /**
   * The next message to deliver, without taking it (deliver does, once it went out): a
   * redelivery first (past max_deliver it is dropped from the pending ones, as nats-server
   * drops it), then, below max_ack_pending, the last per subject and the cursor's next.
   * Peeked: its buffers are the store's until the next store call, so deliver encodes it at once.
   */
  private nextMessage(): PeekedMessage | undefined {
    return (this.redeliver.size > 0 ? this.nextRedelivery() : undefined) ?? this.nextNew();
  }

  private nextRedelivery(): PeekedMessage | undefined {
    const store = this.host.store;
    const maxDeliver = this.config.max_deliver ?? -1;
    for (const seq of this.redeliver) {
      if (!this.pending.has(seq)) {
        this.redeliver.delete(seq);
        continue;
      }
      const redeliveries = (this.redelivered.get(seq) ?? 0) + 1;
      if (maxDeliver > 0 && redeliveries + 1 > maxDeliver) {
        this.redeliver.delete(seq);
        this.pending.delete(seq);
        this.redelivered.set(seq, redeliveries);
        this.host.maxDeliveries(this, seq, redeliveries);
        this.host.changed(this);
        continue;
      }
      const msg = store.peek(seq);
      if (msg === undefined) {
        this.forget(seq);
        continue;
      }
      this.nextSource = Source.Redelivery;
      this.nextDeliveries = redeliveries + 1;
      return msg;
    }
    return undefined;
  }

  private nextNew(): PeekedMessage | undefined {
    const store = this.host.store;
    const maxAckPending = this.config.max_ack_pending ?? 0;
    if (!this.acksNone && maxAckPending > 0 && this.pending.size >= maxAckPending) {
      this.atMaxAckPending = true;
      return undefined;
    }
    this.nextDeliveries = 1;
    const deliverable = store.deliverableSeq();
    while (this.lastPerSubject.length > 0) {
      const msg = store.peek(this.lastPerSubject[0]!);
      if (msg !== undefined && msg.seq > deliverable) return undefined;
      if (msg !== undefined) {
        this.nextSource = Source.LastPerSubject;
        return msg;
      }
      this.takeLastPerSubject();
    }
    this.nextSource = Source.Cursor;
    const msg = store.peekNextMatching(this.filter, this.sseq);
    // Not yet where the store keeps it (Redis): delivered once it is (driven after the write).
    return msg !== undefined && msg.seq > deliverable ? undefined : msg;
  }

  /** The head of the last-per-subject list was delivered (or is gone). */
  private takeLastPerSubject(): void {
    this.lastPerSubject.shift();
    if (this.lastPerSubject.length === 0 && this.sseq < this.lastPerSubjectResume) this.sseq = this.lastPerSubjectResume;
  }

  /** Sends the message nextMessage chose; false when nothing more can go out now. */
  private deliver(msg: PeekedMessage, now: number): boolean {
    const c = this.config;
    const source = this.nextSource;
    const deliveries = this.nextDeliveries;
    // Only replay_policy original looks at the time between deliveries.
    const timeNs = this.replayUpTo > 0 ? msg.timeNs() : 0n;
    if (this.replayUpTo > 0 && this.lastDeliveredTimeNs > 0n) {
      if (this.sseq > this.replayUpTo) {
        // Caught up: what is published from now on goes out at once.
        this.replayUpTo = 0;
      } else if (!this.replayWaited) {
        const gapMs = Number((timeNs - this.lastDeliveredTimeNs) / 1_000_000n);
        if (gapMs > 1) {
          this.replayWaited = true;
          this.notBefore = Date.now() + gapMs;
          this.armDelay();
          return false;
        }
      }
    }
    const seq = msg.seq;
    const dseq = this.dseq;
    const left = source === Source.Cursor || source === Source.LastPerSubject ? Math.max(0, this.numPending() - 1) : this.numPending();
    const reply = `${this.ackPrefix}${deliveries}.${seq}.${dseq}.${msg.timeDecimal()}.${left}`;
    // What goes out: the stored span, or with headers_only a header of its own and no payload.
    let headerSize = msg.headerLength;
    let bytes = msg.bytes;
    let start = msg.start;
    let end = msg.end;
    if (c.headers_only) {
      bytes = appendHeader(msg.header, `Nats-Msg-Size: ${msg.dataLength}`);
      headerSize = bytes.length;
      start = 0;
      end = bytes.length;
    }
    const size = end - start;
    let target: string;
    let request: PullRequest | undefined;
    if (this.isPush) {
      target = c.deliver_subject!;
    } else {
      request = this.waiting[0]!;
      target = request.reply;
      const requestSize = msg.subject.length + reply.length + size;
      if (request.maxBytes > 0 && requestSize > request.maxBytes - request.bytes) {
        this.endRequest(request, '409 Message Size Exceeds MaxBytes', true);
        return this.waiting.length > 0;
      }
      request.bytes += requestSize;
    }
    if (!this.host.publishSpan(target, msg.subject, reply, headerSize, bytes, start, end)) {
      if (request === undefined) return false;
      // Nobody waits on that inbox any more: the request is dropped, as nats-server drops it.
      this.endRequest(request, '', false);
      return this.waiting.length > 0;
    }
    this.notBefore = 0;
    this.replayWaited = false;
    if (this.replayUpTo > 0) this.lastDeliveredTimeNs = timeNs;
    if (source === Source.Redelivery) {
      this.redeliver.delete(seq);
      this.redelivered.set(seq, deliveries - 1);
    } else {
      if (source === Source.LastPerSubject) this.takeLastPerSubject();
      else if (!this.numPendingStale && this.numPendingCount > 0) this.numPendingCount--;
      if (seq >= this.sseq) this.sseq = seq + 1;
    }
    this.dseq++;
    this.lastActiveMs = now;
    this.lastActivityMs = now;
    if (this.acksNone) {
      this.ackFloorDseq = dseq;
      this.ackFloorSseq = seq;
      this.release(seq);
    } else {
      const p = this.pending.get(seq);
      if (p === undefined) this.pending.set(seq, { dseq, at: now });
      else p.at = now;
      this.armAckTimer(this.ackWaitMs(deliveries), now);
    }
    if (request !== undefined) {
      request.lastSentMs = now;
      if (request.noWait) this.noWaitServed = true;
      if (++request.delivered >= request.batch || (request.maxBytes > 0 && request.bytes === request.maxBytes)) this.endRequest(request, '', false);
      else if (this.waiting.length > 1) {
        // Requests take turns, as in nats-server's wait queue.
        this.waiting.shift();
        this.waiting.push(request);
      }
    } else {
      this.lastPushMs = now;
      this.afterPushDelivery(target.length + reply.length + size);
    }
    if (c.rate_limit_bps !== undefined && c.rate_limit_bps > 0) {
      this.notBefore = now + (size * 8 * 1000) / c.rate_limit_bps;
    }
    this.host.changed(this);
    return true;
  }

  // ---- push ----

  private resumePush(stalled: boolean): void {
    if (this.pushResumeArmed) return;
    this.pushResumeArmed = true;
    const resume = (): void => {
      this.pushResumeArmed = false;
      this.drive();
    };
    if (stalled) outputStall.wait(resume);
    else setImmediate(resume);
  }

  private withinFlowControlWindow(): boolean {
    return !this.config.flow_control || this.unacknowledgedBytes <= this.flowControlWindow;
  }

  private pushReady(): boolean {
    if (!this.withinFlowControlWindow()) return false;
    if (this.host.hasInterest(this.config.deliver_subject!)) {
      this.lastActivityMs = Date.now();
      return true;
    }
    // Deliveries start when someone subscribes to the deliver subject: looked for now and then.
    if (this.pushTimer === undefined) {
      this.pushTimer = setTimeout(() => {
        this.pushTimer = undefined;
        this.drive();
      }, PUSH_INTEREST_POLL_MS);
      this.pushTimer.unref();
    }
    return false;
  }

  private afterPushDelivery(size: number): void {
    if (!this.config.flow_control) return;
    this.unacknowledgedBytes += size;
    if (this.flowControlSubject === undefined) {
      if (this.unacknowledgedBytes <= this.flowControlWindow / 2) return;
      // Four characters after the consumer name, as nats-server's.
      this.flowControlCounter = (this.flowControlCounter + 1) % 36 ** 4;
      this.flowControlSubject = `$JS.FC.${this.host.streamName}.${this.name}.${this.flowControlCounter.toString(36).padStart(4, '0')}`;
      this.flowControlBytes = this.unacknowledgedBytes;
      this.host.publish(this.config.deliver_subject!, undefined, this.flowControlSubject, headerBytes(`NATS/1.0 100 FlowControl Request${STATUS_HEADER_END}`), EMPTY);
    } else if (this.unacknowledgedBytes - this.flowControlBytes >= this.flowControlWindow) {
      // A whole window went out past the request: its answer covers this too.
      this.flowControlBytes += size;
    }
  }

  /** The answer to a flow control request (`$JS.FC.<stream>.<consumer>.<id>`). */
  flowControlAnswered(subject: string): void {
    if (subject !== this.flowControlSubject) return;
    this.flowControlWindow = Math.min(2 * this.flowControlWindow, FLOW_CONTROL_MAX_WINDOW);
    this.unacknowledgedBytes = Math.max(0, this.unacknowledgedBytes - this.flowControlBytes);
    this.flowControlSubject = undefined;
    this.lastActivityMs = Date.now();
    this.drive();
  }

  private heartbeat(subject: string, stalled: string | undefined): void {
    const stall = stalled !== undefined ? `\r\nNats-Consumer-Stalled: ${stalled}` : '';
    this.host.publish(
      subject,
      undefined,
      undefined,
      headerBytes(`NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ${this.dseq - 1}\r\nNats-Last-Stream: ${this.sseq - 1}${stall}${STATUS_HEADER_END}`),
      EMPTY,
    );
  }

  /** A push consumer's idle heartbeat: sent when nothing was delivered for its interval. */
  private armHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const hb = this.config.idle_heartbeat ?? 0;
    if (!this.isPush || hb <= 0) return;
    this.scheduleHeartbeat(hb / 1e6);
  }

  private scheduleHeartbeat(inMs: number): void {
    this.heartbeatTimer = setTimeout(() => {
      const intervalMs = (this.config.idle_heartbeat ?? 0) / 1e6;
      const idleMs = Date.now() - this.lastPushMs;
      if (idleMs < intervalMs) return this.scheduleHeartbeat(intervalMs - idleMs);
      if (this.host.hasInterest(this.config.deliver_subject!)) this.heartbeat(this.config.deliver_subject!, this.flowControlSubject);
      this.scheduleHeartbeat(intervalMs);
    }, Math.max(1, inMs));
    this.heartbeatTimer.unref();
  }

  private armDelay(): void {
    if (this.delayTimer !== undefined) return;
    this.delayTimer = setTimeout(
      () => {
        this.delayTimer = undefined;
        this.drive();
      },
      Math.max(1, this.notBefore - Date.now()),
    );
    this.delayTimer.unref();
  }

  // ---- redelivery ----

  /** The ack wait of a message delivered `deliveries` times: the backoff's step, or ack_wait. */
  private ackWaitMs(deliveries: number): number {
    const backoff = this.config.backoff;
    if (backoff !== undefined && backoff.length > 0) return backoff[Math.min(deliveries - 1, backoff.length - 1)]! / 1e6;
    return (this.config.ack_wait ?? DEFAULT_ACK_WAIT_NS) / 1e6;
  }

  /** Makes the ack timer fire within `inMs` (it may already fire sooner). */
  private armAckTimer(inMs: number, now = Date.now()): void {
    const due = now + inMs;
    if (this.ackTimer !== undefined) {
      if (this.ackTimerDue <= due) return;
      clearTimeout(this.ackTimer);
    }
    this.ackTimerDue = due;
    this.ackTimer = setTimeout(this.onAckTimer, Math.max(1, Math.ceil(inMs)));
    this.ackTimer.unref();
  }

  /** Pending deliveries past their ack wait are queued to go again; the timer waits for the next. */
  private checkAckWaits(): void {
    this.ackTimer = undefined;
    if (this.closed) return;
    const now = Date.now();
    let nextMs = Infinity;
    let due = false;
    for (const [seq, p] of this.pending) {
      const leftMs = p.at + this.ackWaitMs((this.redelivered.get(seq) ?? 0) + 1) - now;
      if (leftMs > 0) {
        if (leftMs < nextMs) nextMs = leftMs;
      } else if (!this.redeliver.has(seq)) {
        this.redeliver.add(seq);
        due = true;
      }
    }
    if (nextMs !== Infinity) this.armAckTimer(nextMs);
    if (due) this.drive();
  }

  // ---- inactivity ----

  /** Ephemerals always have a threshold; nats-server 2.9 removes a durable given one too. */
  private armInactivity(): void {
    clearInterval(this.inactiveTimer);
    this.inactiveTimer = undefined;
    const threshold = this.config.inactive_threshold ?? 0;
    if (threshold <= 0) return;
    const thresholdMs = threshold / 1e6;
    this.inactiveTimer = setInterval(() => {
      const active = this.isPush ? this.host.hasInterest(this.config.deliver_subject!) : this.waiting.length > 0;
      if (active) this.lastActivityMs = Date.now();
      else if (Date.now() - this.lastActivityMs >= thresholdMs) this.host.expired(this);
    }, Math.min(1000, Math.max(50, thresholdMs / 4)));
    this.inactiveTimer.unref();
  }

  // ----

  /** nats-server's selectStartingSeqNo: the deliver policy's start, kept within the stream. */
  private startSeq(): number {
    const store = this.host.store;
    const s = store.state();
    const c = this.config;
    let seq: number;
    if ((c.opt_start_seq ?? 0) > 0) {
      seq = c.opt_start_seq!;
    } else {
      switch (c.deliver_policy) {
        case 'last':
          seq = store.loadLastMatching(this.filter)?.seq ?? 0;
          break;
        case 'last_per_subject': {
          const seqs = [...store.subjectCounts(this.filter).keys()].map((subject) => store.lastSeqOfSubject(subject)).filter((last) => last > 0);
          this.lastPerSubject = seqs.sort((a, b) => a - b);
          this.lastPerSubjectResume = s.lastSeq;
          seq = this.lastPerSubject[0] ?? s.lastSeq;
          break;
        }
        case 'by_start_time':
          seq = this.firstSeqAtOrAfter(c.opt_start_time ?? '');
          break;
        case 'new':
          seq = s.lastSeq + 1;
          break;
        default:
          seq = s.firstSeq;
      }
    }
    if (s.firstSeq === 0) return 1;
    if (seq < s.firstSeq) return s.firstSeq;
    if (seq > s.lastSeq) return s.lastSeq + 1;
    return seq;
  }

  /** The first stored sequence whose time is at or after `time` (binary search over the stream). */
  private firstSeqAtOrAfter(time: string): number {
    const store = this.host.store;
    const s = store.state();
    const since = Date.parse(time);
    if (Number.isNaN(since) || s.messages === 0) return s.lastSeq + 1;
    const sinceNs = BigInt(since) * 1_000_000n;
    let lo = s.firstSeq;
    let hi = s.lastSeq + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const next = store.nextSeqMatching('>', mid);
      const msg = next === 0 ? undefined : store.load(next);
      if (msg === undefined || msg.timeNs >= sinceNs) hi = mid;
      else lo = next + 1;
    }
    return lo;
  }

  /** Stops the consumer; waiting pull requests learn it was deleted when `deleted`. */
  close(deleted: boolean): void {
    this.closed = true;
    this.files?.closeState(this.name);
    clearInterval(this.inactiveTimer);
    for (const timer of [this.ackTimer, this.heartbeatTimer, this.pushTimer, this.delayTimer]) clearTimeout(timer);
    for (const request of [...this.waiting]) this.endRequest(request, deleted ? '409 Consumer Deleted' : '', false);
  }
}

function hasPrefix(body: Uint8Array, token: Uint8Array): boolean {
  if (body.length < token.length) return false;
  for (let i = 0; i < token.length; i++) if (body[i] !== token[i]) return false;
  return true;
}

function isToken(body: Uint8Array, token: Uint8Array): boolean {
  return body.length === token.length && hasPrefix(body, token);
}

/** A number token of an ack subject, as nats-server's parseAckReplyNum: -1 unless all digits. */
function ackNumber(subject: string, from: number, to: number): number {
  if (to <= from) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = subject.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * The delay after `-NAK`, as nats-server reads it: JSON `{"delay": <ns>}` or a Go duration (ms);
 * undefined for none, and for one it cannot read (a plain nak then).
 */
function nakDelayMs(arg: string): number | undefined {
  if (arg === '') return undefined;
  if (arg.startsWith('{')) {
    try {
      const delay: unknown = (JSON.parse(arg) as { delay?: unknown } | null)?.delay;
      if (delay === undefined || delay === null) return 0;
      return typeof delay === 'number' && Number.isSafeInteger(delay) ? delay / 1e6 : undefined;
    } catch {
      return undefined;
    }
  }
  try {
    return parseDuration(arg);
  } catch {
    return undefined;
  }
}

function headerBytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** Adds one header line to a header block (or makes one). */
function appendHeader(header: Uint8Array, line: string): Uint8Array {
  if (header.length === 0) return headerBytes(`NATS/1.0\r\n${line}${STATUS_HEADER_END}`);
  // The block ends with an empty line: the new one goes before it.
  return Buffer.concat([header.subarray(0, header.length - 2), headerBytes(`${line}${STATUS_HEADER_END}`)]);
}

/** A duration as Go prints it (`2s`, `1.5s`, `1m30s`), for nats-server's status texts. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const ms = ns / 1e6;
  if (ms < 1000) return ns % 1e6 === 0 ? `${ms}ms` : `${ns / 1e3}µs`;
  let seconds = ns / 1e9;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const s = `${Number(seconds.toFixed(9))}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${minutes}m${s}`;
  return s;
}
