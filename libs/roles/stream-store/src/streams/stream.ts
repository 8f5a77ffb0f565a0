import { jsError, type JsApiError } from '../api/js-errors.js';
import { goJson } from '../api/go-json.js';
import { nowNs, rfc3339Nano } from '../api/time.js';
import { fileStoreMessageSize, memoryStoreMessageSize } from '../store/message-size.js';
import type { Consumer } from '../consumers/consumer.js';
import type { StreamSourcing } from '../sourcing/stream-sourcing.js';
import type { PurgeRequest, StoreLimits, StoreState, StreamStore } from '../store/stream-store.js';
import { PublishHeaders } from './publish-headers.js';
import type { StreamConfig } from './stream-config.js';
import { SubjectTransform } from '@nats-ts/routing';

/** What a stream needs from its account: acks go out in batches, storage is counted per account. */
export interface StreamOwner {
  readonly domain: string | undefined;
  /** With the Redis store, this server (owning a file stream's lease, holding a memory stream), reported as nats-server's cluster leader; undefined without Redis. */
  readonly leader: string | undefined;
  /** Queues a reply (a publish ack) to go out once the stream's appends are flushed. */
  queueReply(stream: Stream, reply: string, body: string): void;
  /** nats-server's refusal when storing `size` more bytes of this storage would pass a limit. */
  storageRefusal(storage: 'file' | 'memory', size: number): JsApiError | undefined;
  /** The stream's stored bytes changed by `delta` (appends, removals, expiry). */
  usageChanged(storage: 'file' | 'memory', delta: number): void;
  /**
   * Queues a stored message's republished copy (`data`: its header block, `headerSize` bytes, then
   * its payload) to go out with the acks, before those queued after it.
   */
  republish(stream: Stream, subject: string, headerSize: number, data: Buffer): void;
}

/** A stream's republish config, ready for the publish path. */
interface Republisher {
  readonly transform: SubjectTransform;
  readonly headersOnly: boolean;
  /** `Nats-Stream: <name>\r\nNats-Subject: `, as bytes (latin1). */
  readonly streamLine: string;
}

interface DedupEntry {
  readonly id: string;
  readonly seq: number;
  readonly timeNs: bigint;
}

/**
 * One stream: its configuration, its store, and what a publish into it goes through (nats-server's
 * order of checks: expected stream, duplicate id, expected last subject sequence, expected last
 * sequence, expected last id, rollup, size, storage limits, discard new), then the append and
 * the ack.
 */
export class Stream {
  private ackPrefix: string;
  private readonly headers = new PublishHeaders();
  /** Message ids inside the duplicate window, oldest first in `dedupOrder`. */
  private readonly dedup = new Map<string, DedupEntry>();
  private dedupOrder: DedupEntry[] = [];
  private dedupHead = 0;
  /** The id of the last message stored (for Nats-Expected-Last-Msg-Id). */
  private lastMsgId = '';
  private expiryTimer: NodeJS.Timeout | undefined;
  /** The bytes last reported to the owner's usage. */
  private countedBytes = 0;
  private republisher: Republisher | undefined;
  readonly consumers = new Map<string, Consumer>();
  /** The feeds of a mirror or of sources; set by the account. */
  sourcing: StreamSourcing | undefined;

  constructor(
    public config: StreamConfig,
    readonly createdNs: bigint,
    readonly store: StreamStore,
    private readonly owner: StreamOwner,
  ) {
    this.ackPrefix = ackPrefix(config.name, owner.domain);
    this.republisher = republisher(config);
    this.rebuildDedup();
    this.scheduleExpiry();
    this.syncUsage();
  }

  get name(): string {
    return this.config.name;
  }

  /** A message published on one of the stream's subjects (the hot path). */
  receive(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    const config = this.config;
    const canAck = reply !== undefined && reply !== '' && !config.no_ack;
    const h = this.headers;
    let rollup = '';
    let msgId = '';
    if (config.sealed) {
      if (canAck) this.refuse(reply, jsError('StreamSealed'));
      return;
    }
    if (headerSize > 0) {
      h.read(data, start, headerSize);
      if (h.expectedStream !== '' && h.expectedStream !== config.name) return this.refuse(canAck ? reply : undefined, jsError('StreamNotMatch'));
      msgId = h.msgId;
      if (msgId !== '') {
        const seen = this.duplicateOf(msgId);
        if (seen !== undefined) {
          if (canAck) this.owner.queueReply(this, reply, `${this.ackPrefix}${seen.seq},"duplicate": true}`);
          return;
        }
      }
      if (h.expectedLastSubjectSeq >= 0) {
        const last = this.store.lastSeqOfSubject(subject);
        if (last !== h.expectedLastSubjectSeq) return this.refuse(canAck ? reply : undefined, jsError('StreamWrongLastSequence', { seq: last }));
      }
      if (h.expectedLastSeq >= 0) {
        const last = this.store.state().lastSeq;
        if (last !== h.expectedLastSeq) return this.refuse(canAck ? reply : undefined, jsError('StreamWrongLastSequence', { seq: last }));
      }
      if (h.expectedLastMsgId !== '' && h.expectedLastMsgId !== this.lastMsgId) {
        return this.refuse(canAck ? reply : undefined, jsError('StreamWrongLastMsgID', { id: this.lastMsgId }));
      }
      if (h.rollup !== '') {
        if (!config.allow_rollup_hdrs || config.deny_purge) return this.refuse(canAck ? reply : undefined, jsError('StreamRollupFailed', { err: 'rollup not permitted' }));
        // nats-server drops a message with an unknown rollup value without an answer.
        if (h.rollup !== 'sub' && h.rollup !== 'all') return;
        rollup = h.rollup;
      }
    }
    const refusal = this.storeRefusal(subject, headerSize, end - start - headerSize);
    if (refusal !== undefined) return this.refuse(canAck ? reply : undefined, refusal);
    const seq = this.keep(0, subject, data.subarray(start, start + headerSize), data.subarray(start + headerSize, end), nowNs(), msgId);
    if (rollup === 'sub') this.purge({ filter: subject, keep: 1 });
    else if (rollup === 'all') this.purge({ keep: 1 });
    if (canAck) this.owner.queueReply(this, reply, `${this.ackPrefix}${seq}}`);
  }

  /**
   * A message of the mirror's origin at the origin's sequence (above the last one) and time.
   * Only the size and storage limits refuse it: its publish headers were the origin's to check.
   */
  storeMirrored(seq: number, subject: string, header: Uint8Array, payload: Uint8Array, timeNs: bigint): JsApiError | undefined {
    const refusal = this.storeRefusal(subject, header.length, payload.length);
    if (refusal !== undefined) return refusal;
    this.keep(seq, subject, header, payload, timeNs, '');
    return undefined;
  }

  /**
   * A message from one of the stream's sources (its Nats-Stream-Source header already added),
   * stamped with this server's time. As nats-server, a Nats-Msg-Id seen inside the duplicate
   * window drops it; the expected-* and rollup headers were the origin's to apply.
   */
  storeSourced(subject: string, header: Uint8Array, payload: Uint8Array): JsApiError | undefined {
    let msgId = '';
    if (header.length > 0) {
      this.headers.read(header, 0, header.length);
      msgId = this.headers.msgId;
      if (msgId !== '' && this.duplicateOf(msgId) !== undefined) return undefined;
    }
    const refusal = this.storeRefusal(subject, header.length, payload.length);
    if (refusal !== undefined) return refusal;
    this.keep(0, subject, header, payload, nowNs(), msgId);
    return undefined;
  }

  /**
   * The mirror's origin has nothing up to `seq` for it (deleted there, or filtered out): the
   * sequences up to it are used, as nats-server's skipMsgs leaves them.
   */
  skipTo(seq: number): void {
    if (seq <= this.store.state().lastSeq) return;
    this.store.restoreLastSeq(seq, nowNs());
    this.afterRemoval();
  }

  /** A store that cannot take it (Redis away), the size and storage limits, then discard new: the refusal of a message, if any. */
  private storeRefusal(subject: string, headerSize: number, payloadSize: number): JsApiError | undefined {
    const config = this.config;
    const unavailable = this.store.unavailable();
    if (unavailable !== undefined) return jsError('StreamStoreFailed', { err: unavailable });
    if (config.max_msg_size >= 0 && headerSize + payloadSize > config.max_msg_size) return jsError('StreamMessageExceedsMaximum');
    if (headerSize > 0xffff) return jsError('StreamHeaderExceedsMaximum');
    // Subjects are latin1 strings (one char per byte) in nats-ts.
    const size = (config.storage === 'memory' ? memoryStoreMessageSize : fileStoreMessageSize)(subject.length, headerSize, payloadSize);
    return this.owner.storageRefusal(config.storage, size) ?? this.discardNewRefusal(subject, size);
  }

  /**
   * Appends a message that passed the checks (at `seq`, or the next sequence when 0), tells the
   * consumers, remembers its id and republishes it; returns its sequence.
   */
  private keep(seq: number, subject: string, header: Uint8Array, payload: Uint8Array, timeNs: bigint, msgId: string): number {
    const config = this.config;
    // What to republish is settled before the append: the subject's last sequence before this one.
    // Interest retention stores nothing no consumer wants, and nats-server republishes nothing then.
    let republishTo: string | undefined;
    let lastOfSubject = 0;
    const republish = this.republisher;
    if (republish !== undefined && (config.retention !== 'interest' || this.anyConsumerWants(subject))) {
      republishTo = republish.transform.apply(subject);
      if (republishTo !== undefined) lastOfSubject = this.store.lastSeqOfSubject(subject);
    }

    const consumers = this.consumers;
    const before = consumers.size > 0 ? this.store.state().messages : 0;
    if (seq === 0) seq = this.store.append(subject, header, payload, timeNs);
    else this.store.appendAt(seq, subject, header, payload, timeNs);
    // Interest retention keeps a message only for the consumers that want it: with none,
    // nats-server takes its sequence and stores nothing.
    if (config.retention === 'interest' && !this.anyConsumerWants(subject)) this.store.remove(seq, false);
    else if (consumers.size > 0) {
      const removedOlder = this.store.state().messages !== before + 1;
      for (const consumer of consumers.values()) consumer.stored(seq, subject, removedOlder);
    }
    this.lastMsgId = msgId;
    if (msgId !== '') this.remember({ id: msgId, seq, timeNs });
    if (republishTo !== undefined) this.republish(republish!, republishTo, subject, seq, lastOfSubject, header, payload);
    this.syncUsage();
    if (this.expiryTimer === undefined) this.scheduleExpiry();
    return seq;
  }

  /** PURGE: removes messages as requested; consumers move past what is gone. */
  purge(request: PurgeRequest): number {
    const purged = this.store.purge(request);
    this.afterRemoval();
    return purged;
  }

  /** MSG.DELETE: false when the message is not there. */
  removeMessage(seq: number, erase: boolean): boolean {
    const removed = this.store.remove(seq, erase);
    if (removed) this.afterRemoval();
    return removed;
  }

  /**
   * A consumer is done with `seq`: a work queue removes it at once, interest retention once
   * every consumer that wants it is done with it.
   */
  released(seq: number): void {
    const retention = this.config.retention;
    if (retention === 'limits') return;
    // A work queue waits for its mirrors' and sources' consumers too, as nats-server's directs.
    if (retention === 'interest' || this.hasDirectConsumers()) {
      const subject = this.store.subjectOf(seq);
      if (subject === undefined) return;
      for (const consumer of this.consumers.values()) if (consumer.wants(subject) && !consumer.isDoneWith(seq)) return;
    }
    if (this.store.remove(seq, false)) this.syncUsage();
  }

  private hasDirectConsumers(): boolean {
    for (const consumer of this.consumers.values()) if (consumer.config.direct === true) return true;
    return false;
  }

  private anyConsumerWants(subject: string): boolean {
    for (const consumer of this.consumers.values()) if (consumer.wants(subject)) return true;
    return false;
  }

  private afterRemoval(): void {
    this.syncUsage();
    for (const consumer of this.consumers.values()) consumer.removedMessages();
  }

  /** Reports a change of the stored bytes to the owner; called after every change of the store. */
  syncUsage(): void {
    const bytes = this.store.state().bytes;
    if (bytes === this.countedBytes) return;
    this.owner.usageChanged(this.config.storage, bytes - this.countedBytes);
    this.countedBytes = bytes;
  }

  /** A new configuration (already checked by checkStreamUpdate). */
  update(config: StreamConfig): void {
    this.config = config;
    this.ackPrefix = ackPrefix(config.name, this.owner.domain);
    this.republisher = republisher(config);
    this.store.setLimits(storeLimits(config));
    this.syncUsage();
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.scheduleExpiry();
  }

  state(): StoreState {
    return this.store.state();
  }

  /** nats-server's StreamInfo: config, created, state (with subject counts and deleted on request). */
  info(options: { subjectsFilter?: string; deletedDetails?: boolean } = {}): Record<string, unknown> {
    const info: Record<string, unknown> = { config: this.config, created: rfc3339Nano(this.createdNs), state: this.stateJson(options) };
    // Where it lives: the server holding it (a file stream's Redis lease; a memory stream is only there).
    const leader = this.owner.leader;
    if (leader !== undefined) info.cluster = { leader };
    return info;
  }

  stateJson(options: { subjectsFilter?: string; deletedDetails?: boolean } = {}): Record<string, unknown> {
    const s = this.store.state();
    const out: Record<string, unknown> = {
      messages: s.messages,
      bytes: s.bytes,
      first_seq: s.firstSeq,
      first_ts: rfc3339Nano(s.firstTimeNs),
      last_seq: s.lastSeq,
      last_ts: rfc3339Nano(s.lastTimeNs),
    };
    if (s.numSubjects > 0) out.num_subjects = s.numSubjects;
    if (options.subjectsFilter !== undefined && options.subjectsFilter !== '') {
      const counts = this.store.subjectCounts(options.subjectsFilter);
      if (counts.size > 0) {
        // Go writes map keys sorted.
        const subjects: Record<string, number> = {};
        for (const key of [...counts.keys()].sort()) subjects[key] = counts.get(key)!;
        out.subjects = subjects;
      }
    }
    if (s.numDeleted > 0) {
      out.num_deleted = s.numDeleted;
      if (options.deletedDetails) out.deleted = this.store.deletedSeqs();
    }
    out.consumer_count = this.publicConsumerCount();
    return out;
  }

  /** The consumers but the direct ones (a mirror's or a source's on this stream), which nats-server does not list or count. */
  publicConsumerCount(): number {
    let count = 0;
    for (const consumer of this.consumers.values()) if (consumer.config.direct !== true) count++;
    return count;
  }

  /** Stops timers and closes the store (the server stops). */
  close(): void {
    this.sourcing?.stop();
    clearTimeout(this.expiryTimer);
    for (const consumer of this.consumers.values()) consumer.close(false);
    this.store.close();
  }

  /** Stops timers and removes everything stored (the stream is deleted). */
  destroy(): void {
    this.sourcing?.stop();
    clearTimeout(this.expiryTimer);
    for (const consumer of this.consumers.values()) consumer.close(true);
    this.consumers.clear();
    this.store.destroy();
    this.owner.usageChanged(this.config.storage, -this.countedBytes);
    this.countedBytes = 0;
  }

  /**
   * nats-server's republished copy: the message's header block (or a new one) with Nats-Stream,
   * Nats-Subject, Nats-Sequence and Nats-Last-Sequence added, and with headers_only Nats-Msg-Size
   * instead of the payload.
   */
  private republish(r: Republisher, to: string, subject: string, seq: number, last: number, headerBlock: Uint8Array, payload: Uint8Array): void {
    const payloadSize = payload.length;
    // A header block loses its closing CRLF and gets the lines, then the CRLF again.
    const ownHeader = headerBlock.length > 2 ? headerBlock.length - 2 : 0;
    const added = `${ownHeader > 0 ? '' : 'NATS/1.0\r\n'}${r.streamLine}${subject}\r\nNats-Sequence: ${seq}\r\nNats-Last-Sequence: ${last}\r\n${
      r.headersOnly ? `Nats-Msg-Size: ${payloadSize}\r\n` : ''
    }\r\n`;
    const header = ownHeader + added.length;
    const size = header + (r.headersOnly ? 0 : payloadSize);
    const out = Buffer.allocUnsafe(size);
    if (ownHeader > 0) out.set(headerBlock.subarray(0, ownHeader), 0);
    out.write(added, ownHeader, 'latin1');
    if (!r.headersOnly) out.set(payload, header);
    this.owner.republish(this, to, header, out);
  }

  private refuse(reply: string | undefined, error: JsApiError): void {
    if (reply === undefined) return;
    this.owner.queueReply(this, reply, goJson({ error, stream: this.config.name, seq: 0 }));
  }

  /** Discard new: the limit refuses the message instead of removing old ones. */
  private discardNewRefusal(subject: string, size: number): JsApiError | undefined {
    const config = this.config;
    if (config.discard !== 'new') return undefined;
    const s = this.store.state();
    if (config.max_msgs > 0 && s.messages >= config.max_msgs) return jsError('StreamStoreFailed', { err: 'maximum messages exceeded' });
    if (config.max_bytes > 0 && s.bytes + size > config.max_bytes) return jsError('StreamStoreFailed', { err: 'maximum bytes exceeded' });
    if (config.discard_new_per_subject && config.max_msgs_per_subject > 0 && this.store.countOfSubject(subject) >= config.max_msgs_per_subject) {
      return jsError('StreamStoreFailed', { err: 'maximum messages per subject exceeded' });
    }
    return undefined;
  }

  private duplicateOf(id: string): DedupEntry | undefined {
    this.forgetExpiredIds(nowNs());
    return this.dedup.get(id);
  }

  private remember(entry: DedupEntry): void {
    this.dedup.set(entry.id, entry);
    this.dedupOrder.push(entry);
  }

  private forgetExpiredIds(now: bigint): void {
    const window = BigInt(this.config.duplicate_window ?? 0);
    const order = this.dedupOrder;
    let head = this.dedupHead;
    while (head < order.length && now - order[head]!.timeNs >= window) {
      const entry = order[head]!;
      if (this.dedup.get(entry.id) === entry) this.dedup.delete(entry.id);
      head++;
    }
    if (head > 1024 && head * 2 > order.length) {
      this.dedupOrder = order.slice(head);
      head = 0;
    }
    this.dedupHead = head;
  }

  /** After a restart: the ids of the messages still inside the duplicate window, as nats-server rebuilds them. */
  private rebuildDedup(): void {
    const s = this.store.state();
    if (s.messages === 0) return;
    const since = nowNs() - BigInt(this.config.duplicate_window ?? 0);
    const found: DedupEntry[] = [];
    const headers = new PublishHeaders();
    for (let seq = s.lastSeq; seq >= s.firstSeq && seq > 0; seq--) {
      const msg = this.store.load(seq);
      if (msg === undefined) continue;
      if (msg.timeNs < since) break;
      if (msg.header.length === 0) continue;
      headers.read(msg.header, 0, msg.header.length);
      if (headers.msgId !== '') found.push({ id: headers.msgId, seq, timeNs: msg.timeNs });
      if (seq === s.lastSeq) this.lastMsgId = headers.msgId;
    }
    for (let i = found.length - 1; i >= 0; i--) this.remember(found[i]!);
  }

  /** A timer for the oldest message's max_age, re-armed after each expiry. */
  private scheduleExpiry(): void {
    const maxAge = this.config.max_age;
    if (maxAge <= 0) return;
    const s = this.store.state();
    if (s.messages === 0) return;
    const dueNs = s.firstTimeNs + BigInt(maxAge) - nowNs();
    const delayMs = dueNs <= 0n ? 0 : Number(dueNs / 1_000_000n) + 1;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      if (this.store.expire(nowNs()) > 0) this.afterRemoval();
      this.scheduleExpiry();
    }, delayMs);
    this.expiryTimer.unref();
  }
}

/** The limits the store itself enforces: discard new leaves counts and bytes to the stream's checks. */
export function storeLimits(config: StreamConfig): StoreLimits {
  const discardOld = config.discard !== 'new';
  return {
    maxMsgs: discardOld ? config.max_msgs : -1,
    maxBytes: discardOld ? config.max_bytes : -1,
    maxMsgsPerSubject: config.discard_new_per_subject ? -1 : config.max_msgs_per_subject,
    maxAgeNs: BigInt(config.max_age),
  };
}

function republisher(config: StreamConfig): Republisher | undefined {
  const r = config.republish;
  if (r === undefined) return undefined;
  // Published subjects are byte strings (latin1); the config's are text.
  const bytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
  const transform = SubjectTransform.from(bytes(r.src ?? '>'), bytes(r.dest));
  if (transform === undefined) return undefined;
  return { transform, headersOnly: r.headers_only === true, streamLine: `Nats-Stream: ${bytes(config.name)}\r\nNats-Subject: ` };
}

/** nats-server writes the ack by hand, with a space after the commas. */
function ackPrefix(stream: string, domain: string | undefined): string {
  const name = goJson(stream);
  return domain === undefined ? `{"stream":${name}, "seq":` : `{"stream":${name}, "domain":${goJson(domain)}, "seq":`;
}
