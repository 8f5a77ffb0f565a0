import { subjectMatches } from '@nats-ts/routing';
import { nowNs, rfc3339Nano } from '../api/time.js';
import type { StoredMessage, StreamStore } from '../store/stream-store.js';
import type { ConsumerConfig } from './consumer-config.js';
import type { ConsumerFiles } from './consumer-files.js';
import { PullRequest, parsePullRequest } from './pull-request.js';

/** What a consumer needs from its stream and server: publishing, interest, retention, persistence. */
export interface ConsumerHost {
  readonly streamName: string;
  readonly store: StreamStore;
  /** Where the consumer is kept across restarts (durables of file streams). */
  readonly files: ConsumerFiles | undefined;
  /**
   * Publishes through the router: matched on `subject`, shown to subscribers as `deliverAs`
   * (the stored subject of a delivery) when given. True when anything took it.
   */
  publish(subject: string, deliverAs: string | undefined, reply: string | undefined, header: Uint8Array, payload: Uint8Array): boolean;
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
}

interface PendingAck {
  /** The consumer sequence of the latest delivery. */
  dseq: number;
  /** How many times it was delivered. */
  deliveries: number;
  /** When the latest delivery (or progress) happened, ms. */
  at: number;
}

/** The part of a consumer kept across restarts (durable consumers of file streams). */
export interface ConsumerState {
  /** The next stream sequence to look at, and the next consumer sequence to give. */
  sseq: number;
  dseq: number;
  pending: [seq: number, dseq: number, deliveries: number, at: number][];
  lastActiveNs: string;
}

const TOKEN_ACK = '+ACK';
const STATUS_HEADER_END = '\r\n\r\n';
/**
 * nats-server's push flow control window: it starts at 2 MB (a sixteenth of the most) and doubles
 * with each answer. A request goes out past half the window; delivery stops past all of it.
 */
const FLOW_CONTROL_MAX_WINDOW = 32 * 1024 * 1024;
const FLOW_CONTROL_FIRST_WINDOW = FLOW_CONTROL_MAX_WINDOW / 16;
const PUSH_INTEREST_POLL_MS = 100;
const EMPTY = new Uint8Array(0);

/**
 * One consumer of a stream, as nats-server 2.9 runs it: a cursor over the stream (its filter and
 * deliver policy), the deliveries awaiting acks, redelivery after ack_wait or backoff, and either
 * push delivery to a deliver subject (flow control, idle heartbeats) or pull requests waiting for
 * messages. Deliveries carry nats-server's `$JS.ACK` reply.
 */
export class Consumer {
  /** Next stream sequence to consider; next consumer sequence to give. */
  private sseq: number;
  private dseq = 1;
  private readonly pending = new Map<number, PendingAck>();
  /** Sequences to deliver again, oldest first. */
  private readonly redeliver: number[] = [];
  /** The last message per subject still to deliver first (deliver policy last_per_subject). */
  private lastPerSubject: number[] = [];
  private numPendingCount = 0;
  private numPendingStale = true;
  private readonly waiting: PullRequest[] = [];
  private lastActiveNs = 0n;
  private delivering = false;
  private closed = false;
  private ackTimer: NodeJS.Timeout | undefined;
  private pushTimer: NodeJS.Timeout | undefined;
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
  private deliveredSinceHeartbeat = false;
  /** Replay original / rate limit: no delivery before this time (ms). */
  private notBefore = 0;
  private lastDeliveredTimeNs = 0n;
  private lastActivityMs = Date.now();
  readonly ackPrefix: string;

  constructor(
    readonly name: string,
    public config: ConsumerConfig,
    readonly createdNs: bigint,
    private readonly host: ConsumerHost,
    state?: ConsumerState,
  ) {
    this.ackPrefix = `$JS.ACK.${host.streamName}.${name}.`;
    if (state !== undefined) {
      this.sseq = state.sseq;
      this.dseq = state.dseq;
      for (const [seq, dseq, deliveries, at] of state.pending) this.pending.set(seq, { dseq, deliveries, at });
      this.lastActiveNs = BigInt(state.lastActiveNs);
    } else {
      this.sseq = this.startSeq();
    }
    this.armAckTimer();
    this.armHeartbeat();
    this.armInactivity();
  }

  get streamName(): string {
    return this.host.streamName;
  }

  get files(): ConsumerFiles | undefined {
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

  /** Messages were removed from the stream (purge, delete, expiry). */
  removedMessages(): void {
    this.numPendingStale = true;
    const first = this.host.store.state().firstSeq;
    if (this.sseq < first) this.sseq = first;
    for (const seq of [...this.pending.keys()]) if (this.host.store.subjectOf(seq) === undefined) this.pending.delete(seq);
    this.drive();
  }

  // ---- info ----

  numPending(): number {
    if (this.numPendingStale) {
      this.numPendingCount = this.host.store.countMatchingFrom(this.filter, this.sseq);
      this.numPendingStale = false;
    }
    return this.numPendingCount + this.lastPerSubject.length;
  }

  info(): Record<string, unknown> {
    const delivered: Record<string, unknown> = { consumer_seq: this.dseq - 1, stream_seq: this.lastDeliveredStreamSeq() };
    if (this.lastActiveNs > 0n) delivered.last_active = rfc3339Nano(this.lastActiveNs);
    const floor = this.ackFloor();
    const ackFloor: Record<string, unknown> = { consumer_seq: floor.dseq, stream_seq: floor.sseq };
    let redelivered = 0;
    for (const p of this.pending.values()) if (p.deliveries > 1) redelivered++;
    const out: Record<string, unknown> = {
      stream_name: this.host.streamName,
      name: this.name,
      created: rfc3339Nano(this.createdNs),
      config: this.config,
      delivered,
      ack_floor: ackFloor,
      num_ack_pending: this.pending.size,
      num_redelivered: redelivered,
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
      pending: [...this.pending].map(([seq, p]) => [seq, p.dseq, p.deliveries, p.at]),
      lastActiveNs: this.lastActiveNs.toString(),
    };
  }

  /** A new configuration a durable's re-create allowed. */
  update(config: ConsumerConfig): void {
    this.config = config;
    this.armAckTimer();
    this.armHeartbeat();
    this.armInactivity();
    this.drive();
  }

  // ---- acks ----

  /**
   * An ack on `reply`'s `$JS.ACK...` subject; the tokens after the consumer name are
   * `<deliveries>.<stream seq>.<consumer seq>.<time>.<pending>`.
   */
  ack(ackSubject: string, body: Uint8Array, reply: string | undefined): void {
    const tokens = ackSubject.slice(this.ackPrefix.length).split('.');
    if (tokens.length < 5) return;
    const seq = Number(tokens[1]);
    const dseq = Number(tokens[2]);
    if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(dseq)) return;
    const text = Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1');
    const kind = text.length === 0 ? TOKEN_ACK : text.slice(0, 4);
    this.lastActivityMs = Date.now();
    switch (kind) {
      case '+ACK':
        this.acked(seq, dseq);
        break;
      case '-NAK':
        this.nak(seq, text.slice(4));
        break;
      case '+WPI': {
        const p = this.pending.get(seq);
        if (p !== undefined) p.at = Date.now();
        break;
      }
      case '+TRM':
      case '+TER':
        // `+TERM`: no more deliveries of this message.
        if (this.pending.delete(seq)) this.release(seq);
        break;
      case '+NXT':
        this.acked(seq, dseq);
        if (reply !== undefined && !this.isPush) this.pull(reply, Buffer.from(text.slice(4).trim(), 'latin1'));
        return;
      default:
        return;
    }
    this.host.changed(this, reply === '' ? undefined : reply);
    this.drive();
  }

  private acked(seq: number, dseq: number): void {
    if (this.config.ack_policy === 'all') {
      for (const [pseq, p] of this.pending) {
        if (p.dseq <= dseq) {
          this.pending.delete(pseq);
          this.release(pseq);
        }
      }
      return;
    }
    if (this.pending.delete(seq)) this.release(seq);
  }

  private nak(seq: number, rest: string): void {
    if (!this.pending.has(seq)) return;
    let delayMs = 0;
    const json = rest.trim();
    if (json !== '') {
      try {
        const delay = (JSON.parse(json) as { delay?: unknown }).delay;
        if (typeof delay === 'number' && delay > 0) delayMs = delay / 1e6;
      } catch {
        // nats-server ignores a body it cannot read and redelivers at once.
      }
    }
    if (delayMs > 0) {
      // Redelivered when the ack wait would run out `delay` from now.
      const p = this.pending.get(seq)!;
      p.at = Date.now() + delayMs - this.ackWaitMs(p.deliveries);
      return;
    }
    if (!this.redeliver.includes(seq)) this.redeliver.push(seq);
  }

  private release(seq: number): void {
    this.host.released(seq);
  }

  // ---- pull ----

  /** A CONSUMER.MSG.NEXT request answered on `reply`. */
  pull(reply: string, body: Uint8Array): void {
    this.lastActivityMs = Date.now();
    if (this.isPush) return this.status(reply, '409 Consumer is push based');
    const request = parsePullRequest(body, reply, Date.now());
    if (typeof request === 'string') return this.status(reply, request);
    const c = this.config;
    if (c.max_batch !== undefined && c.max_batch > 0 && request.batch > c.max_batch) return this.status(reply, `409 Exceeded MaxRequestBatch of ${c.max_batch}`);
    if (c.max_expires !== undefined && c.max_expires > 0 && request.expiresNs > c.max_expires) return this.status(reply, `409 Exceeded MaxRequestExpires of ${goDuration(c.max_expires)}`);
    if (c.max_bytes !== undefined && c.max_bytes > 0 && request.maxBytes > c.max_bytes) {
      return this.status(reply, `409 Exceeded MaxRequestMaxBytes of ${c.max_bytes}`);
    }
    const maxWaiting = c.max_waiting ?? 512;
    if (this.waiting.length >= maxWaiting) return this.status(reply, '409 Exceeded MaxWaiting');
    if (request.noWait && !this.hasDeliverable()) return this.status(reply, '404 No Messages');
    this.waiting.push(request);
    this.drive();
    if (request.noWait && request.delivered < request.batch && this.waiting.includes(request)) this.endRequest(request, '408 Request Timeout');
    else if (!request.done) this.armRequestTimers(request);
  }

  private armRequestTimers(request: PullRequest): void {
    if (request.expiresNs > 0) {
      request.expiryTimer = setTimeout(() => this.endRequest(request, '408 Request Timeout'), Math.max(1, request.expiresNs / 1e6));
      request.expiryTimer.unref();
    }
    if (request.heartbeatNs > 0) {
      request.heartbeatTimer = setInterval(() => this.heartbeat(request.reply, undefined), Math.max(1, request.heartbeatNs / 1e6));
      request.heartbeatTimer.unref();
    }
  }

  private endRequest(request: PullRequest, status: string): void {
    const i = this.waiting.indexOf(request);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    request.stopTimers();
    if (status !== '') {
      this.host.publish(request.reply, undefined, undefined, headerBytes(`NATS/1.0 ${status}\r\nNats-Pending-Messages: ${request.batch - request.delivered}\r\nNats-Pending-Bytes: ${request.maxBytes > 0 ? request.maxBytes - request.bytes : 0}${STATUS_HEADER_END}`), EMPTY);
    }
  }

  private status(reply: string, line: string): void {
    this.host.publish(reply, undefined, undefined, headerBytes(`NATS/1.0 ${line}${STATUS_HEADER_END}`), EMPTY);
  }

  // ---- delivery ----

  /** Delivers what can be delivered now; called after anything that may allow more. */
  drive(): void {
    if (this.delivering || this.closed) return;
    this.delivering = true;
    try {
      for (;;) {
        if (this.isPush ? !this.pushReady() : this.waiting.length === 0) return;
        if (!this.acksNone && (this.config.max_ack_pending ?? 0) > 0 && this.pending.size >= this.config.max_ack_pending! && this.redeliver.length === 0) return;
        if (this.notBefore > Date.now()) return this.armDelay();
        const next = this.nextMessage();
        if (next === undefined) return;
        if (!this.deliver(next.msg, next.redelivery)) return;
      }
    } finally {
      this.delivering = false;
    }
  }

  private hasDeliverable(): boolean {
    if (this.redeliver.length > 0 || this.lastPerSubject.length > 0) return true;
    return this.host.store.nextSeqMatching(this.filter, this.sseq) !== 0;
  }

  private nextMessage(): { msg: StoredMessage; redelivery: boolean } | undefined {
    const store = this.host.store;
    while (this.redeliver.length > 0) {
      const seq = this.redeliver.shift()!;
      if (!this.pending.has(seq)) continue;
      const msg = store.load(seq);
      if (msg !== undefined) return { msg, redelivery: true };
      this.pending.delete(seq);
    }
    while (this.lastPerSubject.length > 0) {
      const msg = store.load(this.lastPerSubject.shift()!);
      if (msg !== undefined) return { msg, redelivery: false };
    }
    const msg = store.loadNextMatching(this.filter, this.sseq);
    return msg === undefined ? undefined : { msg, redelivery: false };
  }

  /** Sends one message; false when it could not go out (nobody listening, or a size refusal). */
  private deliver(msg: StoredMessage, redelivery: boolean): boolean {
    const c = this.config;
    if (c.replay_policy === 'original' && !redelivery && this.lastDeliveredTimeNs > 0n) {
      const gapMs = Number((msg.timeNs - this.lastDeliveredTimeNs) / 1_000_000n);
      if (gapMs > 0 && this.notBefore === 0) {
        this.notBefore = Date.now() + gapMs;
        this.armDelay();
        return false;
      }
    }
    this.notBefore = 0;
    const seq = msg.seq;
    const previous = this.pending.get(seq);
    const deliveries = redelivery && previous !== undefined ? previous.deliveries + 1 : 1;
    const dseq = this.dseq;
    const left = redelivery ? this.numPending() : Math.max(0, this.numPending() - 1);
    const reply = `${this.ackPrefix}${deliveries}.${seq}.${dseq}.${msg.timeNs}.${left}`;
    let header = msg.header;
    let payload = msg.data;
    if (c.headers_only) {
      header = appendHeader(msg.header, `Nats-Msg-Size: ${msg.data.length}`);
      payload = EMPTY;
    }
    let target: string;
    let request: PullRequest | undefined;
    if (this.isPush) {
      target = c.deliver_subject!;
    } else {
      request = this.waiting[0]!;
      target = request.reply;
      const size = msg.subject.length + reply.length + header.length + payload.length;
      if (request.maxBytes > 0 && size > request.maxBytes - request.bytes) {
        if (request.delivered === 0) this.endRequest(request, '409 Message Size Exceeds MaxBytes');
        else this.endRequest(request, '');
        return this.waiting.length > 0;
      }
      request.bytes += size;
    }
    const sent = this.host.publish(target, msg.subject, reply, header, payload);
    if (!sent && this.isPush) return false;
    // A consumed position: the cursor moves past new messages, the pending count with it.
    if (!redelivery) {
      if (seq >= this.sseq) {
        this.sseq = seq + 1;
        if (!this.numPendingStale && this.numPendingCount > 0) this.numPendingCount--;
      }
      this.lastDeliveredTimeNs = msg.timeNs;
    }
    this.dseq++;
    this.lastActiveNs = nowNs();
    this.lastActivityMs = Date.now();
    this.deliveredSinceHeartbeat = true;
    if (this.acksNone) this.release(seq);
    else this.pending.set(seq, { dseq, deliveries, at: Date.now() });
    if (request !== undefined && ++request.delivered >= request.batch) this.endRequest(request, '');
    if (this.isPush) this.afterPushDelivery(target.length + reply.length + header.length + payload.length);
    if (c.rate_limit_bps !== undefined && c.rate_limit_bps > 0) {
      this.notBefore = Date.now() + ((header.length + payload.length) * 8 * 1000) / c.rate_limit_bps;
    }
    this.host.changed(this);
    return true;
  }

  // ---- push ----

  private pushReady(): boolean {
    if (this.config.flow_control && this.unacknowledgedBytes > this.flowControlWindow) return false;
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
      headerBytes(`NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ${this.dseq - 1}\r\nNats-Last-Stream: ${this.lastDeliveredStreamSeq()}${stall}${STATUS_HEADER_END}`),
      EMPTY,
    );
  }

  private armHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const hb = this.config.idle_heartbeat ?? 0;
    if (!this.isPush || hb <= 0) return;
    this.heartbeatTimer = setInterval(() => {
      if (!this.deliveredSinceHeartbeat && this.host.hasInterest(this.config.deliver_subject!)) this.heartbeat(this.config.deliver_subject!, this.flowControlSubject);
      this.deliveredSinceHeartbeat = false;
    }, Math.max(1, hb / 1e6));
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

  private ackWaitMs(deliveries: number): number {
    const backoff = this.config.backoff;
    if (backoff !== undefined && backoff.length > 0) return backoff[Math.min(deliveries - 1, backoff.length - 1)]! / 1e6;
    return (this.config.ack_wait ?? 30_000_000_000) / 1e6;
  }

  private armAckTimer(): void {
    clearInterval(this.ackTimer);
    this.ackTimer = undefined;
    if (this.acksNone) return;
    const shortest = Math.min(this.ackWaitMs(1), ...(this.config.backoff ?? []).map((ns) => ns / 1e6));
    this.ackTimer = setInterval(() => this.checkAckWaits(), Math.min(1000, Math.max(10, shortest / 4)));
    this.ackTimer.unref();
  }

  /** Pending deliveries past their ack wait go out again, up to max_deliver deliveries. */
  private checkAckWaits(): void {
    const now = Date.now();
    const maxDeliver = this.config.max_deliver ?? -1;
    let due = false;
    for (const [seq, p] of this.pending) {
      if (now - p.at < this.ackWaitMs(p.deliveries)) continue;
      if (maxDeliver > 0 && p.deliveries >= maxDeliver) continue;
      if (!this.redeliver.includes(seq)) {
        this.redeliver.push(seq);
        due = true;
      }
    }
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

  private startSeq(): number {
    const store = this.host.store;
    const s = store.state();
    const c = this.config;
    switch (c.deliver_policy) {
      case 'last': {
        const last = store.loadLastMatching(this.filter);
        return last === undefined ? s.lastSeq + 1 : last.seq;
      }
      case 'new':
        return s.lastSeq + 1;
      case 'by_start_sequence':
        return Math.max(c.opt_start_seq ?? 1, 1);
      case 'by_start_time':
        return this.firstSeqAtOrAfter(c.opt_start_time ?? '');
      case 'last_per_subject': {
        const seqs = [...store.subjectCounts(this.filter).keys()].map((subject) => store.lastSeqOfSubject(subject)).filter((seq) => seq > 0);
        this.lastPerSubject = seqs.sort((a, b) => a - b);
        return s.lastSeq + 1;
      }
      default:
        return Math.max(s.firstSeq, 1);
    }
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

  private lastDeliveredStreamSeq(): number {
    return Math.max(0, this.sseq - 1);
  }

  private ackFloor(): { dseq: number; sseq: number } {
    if (this.pending.size === 0) return { dseq: this.dseq - 1, sseq: this.lastDeliveredStreamSeq() };
    let low: [number, PendingAck] | undefined;
    for (const entry of this.pending) if (low === undefined || entry[0] < low[0]) low = entry;
    return { dseq: low![1].dseq - 1, sseq: low![0] - 1 };
  }

  /** Stops the consumer; waiting pull requests learn it was deleted when `deleted`. */
  close(deleted: boolean): void {
    this.closed = true;
    for (const timer of [this.ackTimer, this.heartbeatTimer, this.inactiveTimer]) clearInterval(timer);
    clearTimeout(this.pushTimer);
    clearTimeout(this.delayTimer);
    for (const request of [...this.waiting]) this.endRequest(request, deleted ? '409 Consumer Deleted' : '');
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
