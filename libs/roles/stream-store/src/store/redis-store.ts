// The Redis store (a stream of storage 'file' when the server has `jetstream { redis }`). The
// StreamStore calls are synchronous, so the stream is held in this process as the memory store
// holds it (the index, and each message as its Redis record) and every change is written
// through to Redis: each public operation (an append with the removals its limits cause, a
// removal, a purge...) becomes a run of operations for the apply script (redis-scripts.ts),
// and flush() sends what is pending as script calls in one pipeline, cut only between
// operations so that each one lands whole. committed() says when Redis has it.
//
// The store owns its stream through a lease (a fencing token with a lifetime, `redis_lease`)
// taken at create or open and renewed while it is open: another server takes the stream only
// once the lease ran out. A store whose lease was taken (it could not renew in time) is
// refused by every script and told through leaseLost(), and from
// the first failed write on it takes nothing more (unavailable() says why) — what it holds may
// then be ahead of Redis, and only what Redis confirmed was acked. Too few replicas confirming
// (`redis_min_replicas`) fails that write's acks only: Redis still holds what the store does.
//
// A message record: time (int64 ns, big-endian), subject length (u32), header length (u32),
// then the subject (latin1), the header block and the data.
import { IndexedStreamStore } from './indexed-stream-store.js';
import { fileStoreMessageSize } from './message-size.js';
import { PeekedMessage } from './peeked-message.js';
import { SequenceIndex } from './sequence-index.js';
import { ReplicaShortfall, type LeaseHolder, type RedisArg, type RedisStoreConnection, type RedisStreamName } from './redis-connection.js';
import type { PurgeRequest, StoreLimits, StoredMessage } from './stream-store.js';

const RECORD_HEAD = 16;
/** Script arguments, and their bytes, per call before a batch is cut (at the next operation's start). */
const MAX_ARGS_PER_CALL = 8192;
const MAX_BYTES_PER_CALL = 4 << 20;
/** Messages, and record bytes, of one packed run (op P) before the next run begins. */
const RUN_MESSAGES = 1024;
const RUN_BYTES = 1 << 20;

/**
 * Messages of consecutive sequences appended since the last other operation: sent as one P
 * operation, the records each behind its length in one argument (Redis and the client handle
 * one large argument far faster than five small ones per message).
 */
interface PackedRun {
  /** Where its P operation is in `ops`: the letter, then the first sequence, the last time and the records. */
  readonly at: number;
  readonly parts: Buffer[];
  bytes: number;
  nextSeq: number;
  lastTimeNs: bigint;
}

/** A stream kept in Redis, as opened: its store, and the config and consumers kept with it. */
export interface OpenedRedisStream {
  readonly store: RedisStore;
  readonly config: string;
  readonly created: string;
  readonly consumers: { name: string; meta: string; state: string | undefined }[];
}

export class RedisStore extends IndexedStreamStore implements LeaseHolder {
  readonly storage = 'file' as const;
  /** Each stored message's record, as written to Redis. */
  private readonly records = new Map<number, Buffer>();
  private readonly peeked = new PeekedMessage();
  /** The pending operations (script arguments), not sent yet. */
  private ops: RedisArg[] = [];
  /** Where in `ops` each operation after the first begins: batches are cut only there. */
  private boundaries: number[] = [];
  /** The run of messages the next consecutive append joins; its P operation is completed when it ends. */
  private run: PackedRun | undefined;
  /** Settles when every write sent so far has; rejects when one failed. */
  private lastWrite: Promise<void> | undefined;
  private failure: string | undefined;
  private isClosed = false;
  /** Another store took the stream: this one's holder should let it go. */
  lost = false;
  /** Its create was refused: Redis already kept a stream of that name (another server's create came first). */
  nameTaken = false;
  /** The last sequence Redis confirmed (with `redis_min_replicas`, its replicas too). */
  private confirmedSeq = 0;

  private constructor(
    private readonly connection: RedisStoreConnection,
    readonly name: RedisStreamName,
    readonly token: string,
    limits: StoreLimits,
  ) {
    super(new SequenceIndex(), limits);
  }

  /** A new stream, owned by this store; its writes fail when Redis has a stream of that name (failedWrite() says so). */
  static create(connection: RedisStoreConnection, name: RedisStreamName, limits: StoreLimits, config: string, created: string): RedisStore {
    const store = new RedisStore(connection, name, connection.newToken(), limits);
    const create = connection.create(name, store.token, config, created);
    store.track(create);
    // Renewed from when Redis gave it.
    create.then(
      () => {
        if (!store.isClosed) connection.holdLease(store);
      },
      () => undefined,
    );
    return store;
  }

  /**
   * Takes the stream over (later writes of a previous owner are refused) and loads it; 'held'
   * while another server's lease lives, undefined when Redis has no such stream. `limitsOf`
   * gets the stored config's JSON.
   */
  static async open(connection: RedisStoreConnection, name: RedisStreamName, limitsOf: (config: string) => StoreLimits): Promise<OpenedRedisStream | 'held' | undefined> {
    const token = connection.newToken();
    const claimed = await connection.claim(name, token);
    if (claimed === undefined || claimed === 'held') return claimed;
    const store = new RedisStore(connection, name, token, limitsOf(claimed.config));
    connection.holdLease(store);
    try {
      for (const { seq, record } of await connection.loadRecords(name)) store.adopt(seq, record);
      if (claimed.lastSeq !== null) store.index.skipTo(Number(claimed.lastSeq), BigInt(claimed.lastTime ?? '0'));
      store.confirmedSeq = store.index.lastSeq;
      const consumers = await connection.loadConsumers(name);
      return { store, config: claimed.config, created: claimed.created, consumers };
    } catch (err) {
      // Not served after all: its lease runs out.
      store.close();
      throw err;
    }
  }

  /** Sends the pending operations (one round trip); committed() says when they landed. */
  flush(): void {
    this.assertOpen();
    this.send();
  }

  /**
   * Sends what is pending, then resolves when Redis has confirmed every write so far (with
   * `redis_min_replicas`, that many replicas too); rejects when one failed.
   */
  override committed(): Promise<void> | undefined {
    if (!this.isClosed) this.send();
    if (this.failure !== undefined) return Promise.reject(new Error(this.failure));
    return this.lastWrite;
  }

  /** Consumers get only what Redis has: a message is delivered once its write is confirmed. */
  override deliverableSeq(): number {
    return this.confirmedSeq;
  }

  /** Why a write failed (the stream is another's, Redis refused it); from then on the store takes nothing. */
  failedWrite(): string | undefined {
    return this.failure;
  }

  leaseLost(reason: string): void {
    this.lost = true;
    this.failure ??= `stream ${this.name.stream} was taken over: ${reason}`;
  }

  override unavailable(): string | undefined {
    if (this.failure !== undefined) return this.failure;
    return this.connection.ready ? undefined : `Redis (${this.connection.description}) is not connected`;
  }

  /** The stream's config changed (STREAM.UPDATE). */
  writeConfig(config: string): void {
    this.operation('G', config);
  }

  writeConsumerMeta(consumer: string, meta: string): void {
    this.operation('K', consumer, meta);
  }

  writeConsumerState(consumer: string, state: string): void {
    this.operation('T', consumer, state);
  }

  removeConsumer(consumer: string): void {
    this.operation('X', consumer);
  }

  // Each public change starts an operation, so that a batch is never cut inside one.

  override appendAt(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void {
    this.beginOperation();
    super.appendAt(seq, subject, header, data, timeNs);
  }

  override restoreMessage(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void {
    this.beginOperation();
    super.restoreMessage(seq, subject, header, data, timeNs);
  }

  override restoreLastSeq(lastSeq: number, lastTimeNs: bigint): void {
    this.beginOperation();
    super.restoreLastSeq(lastSeq, lastTimeNs);
  }

  override remove(seq: number, erase: boolean): boolean {
    this.beginOperation();
    return super.remove(seq, erase);
  }

  override purge(request: PurgeRequest): number {
    this.beginOperation();
    return super.purge(request);
  }

  override expire(nowNs: bigint): number {
    this.beginOperation();
    return super.expire(nowNs);
  }

  override setLimits(limits: StoreLimits): void {
    this.beginOperation();
    super.setLimits(limits);
  }

  protected storeMessage(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void {
    const subjectLength = subject.length;
    const record = Buffer.allocUnsafe(RECORD_HEAD + subjectLength + header.length + data.length);
    record.writeBigInt64BE(timeNs, 0);
    record.writeUInt32BE(subjectLength, 8);
    record.writeUInt32BE(header.length, 12);
    record.write(subject, RECORD_HEAD, 'latin1');
    record.set(header, RECORD_HEAD + subjectLength);
    record.set(data, RECORD_HEAD + subjectLength + header.length);
    this.records.set(seq, record);
    this.index.add(seq, subject, timeNs, fileStoreMessageSize(subjectLength, header.length, data.length));
    let run = this.run;
    if (run === undefined || run.nextSeq !== seq || run.parts.length >= RUN_MESSAGES * 2 || run.bytes >= RUN_BYTES) {
      this.push('P', String(seq), '', '');
      run = this.run = { at: this.ops.length - 4, parts: [], bytes: 0, nextSeq: seq, lastTimeNs: timeNs };
    }
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(record.length, 0);
    run.parts.push(length, record);
    run.bytes += 4 + record.length;
    run.nextSeq = seq + 1;
    run.lastTimeNs = timeNs;
  }

  /** A copy, so that the caller never changes what is held. */
  protected readMessage(seq: number): StoredMessage {
    const record = this.records.get(seq)!;
    const headerAt = RECORD_HEAD + record.readUInt32BE(8);
    const dataAt = headerAt + record.readUInt32BE(12);
    const bytes = new Uint8Array(record.subarray(headerAt));
    return {
      seq,
      subject: this.index.subjectOf(seq),
      timeNs: record.readBigInt64BE(0),
      header: bytes.subarray(0, dataAt - headerAt),
      data: bytes.subarray(dataAt - headerAt),
    };
  }

  protected peekMessage(seq: number): PeekedMessage {
    const record = this.records.get(seq)!;
    const headerAt = RECORD_HEAD + record.readUInt32BE(8);
    const headerLength = record.readUInt32BE(12);
    return this.peeked.fill(seq, this.index.subjectOf(seq), record, headerAt, headerLength, record.length, record.readInt32BE(0), record.readUInt32BE(4));
  }

  /** An erased message goes as a removed one does: Redis deletes its record, nothing is overwritten in place. */
  protected discardMessage(seq: number): void {
    this.push('D', String(seq), Buffer.from(this.index.subjectOf(seq), 'latin1'));
    this.records.delete(seq);
  }

  /** Written by discardMessage, which every removal goes through. */
  protected persistRemoval(): void {}

  protected persistFirstSeq(): void {
    this.push('S', String(this.index.lastSeq), this.index.lastTimeNs.toString());
  }

  protected release(): void {
    this.send();
    this.connection.releaseLease(this);
    this.isClosed = true;
    this.records.clear();
  }

  protected removeStorage(): void {
    this.track(this.connection.destroy(this.name, this.token));
  }

  /** A message loaded from Redis, into the index (nothing to write). */
  private adopt(seq: number, record: Buffer): void {
    const subjectLength = record.readUInt32BE(8);
    const headerLength = record.readUInt32BE(12);
    const subject = record.toString('latin1', RECORD_HEAD, RECORD_HEAD + subjectLength);
    const dataLength = record.length - RECORD_HEAD - subjectLength - headerLength;
    this.records.set(seq, record);
    this.index.add(seq, subject, record.readBigInt64BE(0), fileStoreMessageSize(subjectLength, headerLength, dataLength));
  }

  private operation(...args: RedisArg[]): void {
    this.assertOpen();
    this.beginOperation();
    this.push(...args);
  }

  /** Pending operation arguments, after the open run of messages (which they end). */
  private push(...args: RedisArg[]): void {
    this.endRun();
    this.ops.push(...args);
  }

  /** Completes the open run's P operation: its last time and its records. */
  private endRun(): void {
    const run = this.run;
    if (run === undefined) return;
    this.run = undefined;
    this.ops[run.at + 2] = run.lastTimeNs.toString();
    this.ops[run.at + 3] = Buffer.concat(run.parts, run.bytes);
  }

  private beginOperation(): void {
    const at = this.ops.length;
    if (at > 0 && this.boundaries[this.boundaries.length - 1] !== at) this.boundaries.push(at);
  }

  /** The pending operations as script calls, in one pipeline; none once a write failed. */
  private send(): void {
    if (this.ops.length === 0) return;
    // The stream's counts go with each batch, for the servers that answer about it from Redis.
    this.beginOperation();
    this.push('B', String(this.index.bytes), String(this.index.messages), String(this.index.firstSeq));
    const ops = this.ops;
    const boundaries = this.boundaries;
    this.ops = [];
    this.boundaries = [];
    if (this.failure !== undefined) return;
    const batches: RedisArg[][] = [];
    let start = 0;
    let bytes = 0;
    let counted = 0;
    for (const boundary of boundaries) {
      for (; counted < boundary; counted++) {
        const arg = ops[counted]!;
        bytes += typeof arg === 'number' ? 8 : arg.length;
      }
      if (boundary - start < MAX_ARGS_PER_CALL && bytes < MAX_BYTES_PER_CALL) continue;
      batches.push(ops.slice(start, boundary));
      start = boundary;
      bytes = 0;
    }
    batches.push(start === 0 ? ops : ops.slice(start));
    const upTo = this.index.lastSeq;
    const write = this.connection.apply(this.name, this.token, batches);
    // A later confirmed write covers the earlier ones (a replica shortfall of one included).
    write.then(
      () => {
        if (upTo > this.confirmedSeq) this.confirmedSeq = upTo;
      },
      () => undefined,
    );
    this.track(write);
  }

  private track(write: Promise<void>): void {
    write.catch((err: Error) => {
      if (err instanceof ReplicaShortfall) return;
      this.failure ??= `the Redis store of stream ${this.name.stream} could not write: ${err.message.replace(/^(FENCED|EXISTS) /, '')}`;
      if (err.message.startsWith('FENCED')) this.lost = true;
      if (err.message.startsWith('EXISTS')) this.nameTaken = true;
    });
    // A later WAIT covers the earlier writes too: a shortfall of an earlier one is not carried over.
    const previous = this.lastWrite?.catch((err: Error) => {
      if (!(err instanceof ReplicaShortfall)) throw err;
    });
    const all = previous === undefined ? write : previous.then(() => write);
    // Rejections reach committed()'s callers; the failure itself is kept above.
    all.catch(() => undefined);
    this.lastWrite = all;
  }
}
