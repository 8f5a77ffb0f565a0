import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JetStreamAccountLimits } from '@nats-ts/config';
import type { Logger } from '@nats-ts/observability';
import { subjectsCollide } from '@nats-ts/routing';
import { jsError, type JsApiError } from './api/js-errors.js';
import { goJson } from './api/go-json.js';
import { nowNs, parseRfc3339, rfc3339Nano } from './api/time.js';
import { FileStore } from './store/file-store.js';
import { MemoryStore } from './store/memory-store.js';
import type { RedisStoreConnection } from './store/redis-connection.js';
import { RedisStore } from './store/redis-store.js';
import { UNLIMITED, type StreamStore } from './store/stream-store.js';
import { StreamRestore } from './streams/stream-restore.js';
import type { Advisories } from './advisories.js';
import { Consumer, type ConsumerHost } from './consumers/consumer.js';
import type { ConsumerConfig } from './consumers/consumer-config.js';
import { ConsumerFiles, type ConsumerStateStore, type StoredConsumer } from './consumers/consumer-files.js';
import { RedisConsumerStates, readRedisConsumers } from './consumers/redis-consumer-states.js';
import type { InternalEntry, MessageTarget } from './internal-entry.js';
import { StreamSourcing } from './sourcing/stream-sourcing.js';
import type { FeedHost } from './sourcing/upstream-feed.js';
import { Stream, storeLimits, type StreamOwner } from './streams/stream.js';
import type { StreamConfig } from './streams/stream-config.js';

/** Under `<store_dir>/jetstream`, where restores of file streams are staged (nats-server's name). */
export const RESTORE_STAGING_DIR = '.snap-staging';

/** What the accounts share: the server's limits and usage, the store directory, the ack batches. */
export interface JetStreamServer {
  readonly domain: string | undefined;
  /** `<store_dir>/jetstream`. */
  readonly storeRoot: string;
  readonly maxMemory: number;
  readonly maxStore: number;
  readonly syncIntervalMs: number;
  readonly syncAlways: boolean;
  /** Names this server (its server_name, else its id). */
  readonly serverName: string;
  /** With `jetstream { redis }`: where file-storage streams are kept instead of `storeRoot`. */
  readonly redis: RedisStoreConnection | undefined;
  /** Bytes stored by every account, per storage. */
  readonly used: { memory: number; file: number };
  /** max_bytes reserved by every account's streams, per storage. */
  readonly reserved: { memory: number; file: number };
  queueReply(accountName: string, stream: Stream, reply: string, body: string): void;
  /** Queues a stream's republished message, in order with the replies. */
  queueRepublish(accountName: string, stream: Stream, subject: string, headerSize: number, data: Buffer): void;
  /** A stream was created, changed or removed: its subject entries follow it. */
  streamsChanged(account: JetStreamAccount): void;
  /** Publishes through the router in the account (a consumer's delivery, a status). */
  publishMessage(accountName: string, subject: string, deliverAs: string | undefined, reply: string | undefined, header: Uint8Array, payload: Uint8Array): boolean;
  /** As publishMessage, the header and payload contiguous in `bytes[start, end)` (a stored message). */
  publishSpan(accountName: string, subject: string, deliverAs: string | undefined, reply: string | undefined, headerSize: number, bytes: Uint8Array, start: number, end: number): boolean;
  hasInterest(accountName: string, subject: string): boolean;
  /** A subscription inside the server (a mirror's deliveries, a consumer create reply). */
  subscribeInternal(accountName: string, subject: string, target: MessageTarget): InternalEntry;
  unsubscribeInternal(accountName: string, entry: InternalEntry): void;
  /** A stream took messages outside a publish (a mirror, a source): written out with the batch. */
  storeChanged(stream: Stream): void;
  readonly logger: Logger;
  /** Schedules the batch flush, which also writes the account's changed consumer states. */
  scheduleFlush(): void;
  readonly advisories: Advisories;
}

/** A kept consumer's state to write in the next flush, and the ack requests answered after it. */
interface ConsumerWrite {
  readonly files: ConsumerStateStore;
  readonly ackReplies: string[];
}

/**
 * A kept consumer's state is written at most this often while no ack request waits for it, as
 * nats-server's consumer store writes about ten states a second under load.
 */
const STATE_WRITE_INTERVAL_MS = 100;

const EMPTY = new Uint8Array(0);

/** The persisted part of a stream besides its messages. */
interface StreamMeta {
  config: StreamConfig;
  created: string;
}

/**
 * One account's JetStream: its streams, its limits and usage, and its API counters, as
 * nats-server's jsAccount. File streams live in `<store_dir>/jetstream/<account>/streams/<name>`.
 */
export class JetStreamAccount implements StreamOwner {
  readonly streams = new Map<string, Stream>();
  readonly used = { memory: 0, file: 0 };
  /** Archive bytes of the restores in progress, counted against the limits with what is used. */
  private readonly staged = { memory: 0, file: 0 };
  apiTotal = 0;
  apiErrors = 0;
  /**
   * Kept consumers (of file streams) whose state changed since the last flush, with the acks
   * sent as requests that are answered once that state is written.
   */
  private readonly changedConsumers = new Map<Consumer, ConsumerWrite>();
  /** When each kept consumer's state was last written (ms). */
  private readonly stateWrittenMs = new Map<Consumer, number>();
  /** Brings the flush back for the states held back by STATE_WRITE_INTERVAL_MS. */
  private stateTimer: NodeJS.Timeout | undefined;
  /** Problems of streams kept in Redis already logged (the takeover runs again and again). */
  private readonly reportedProblems = new Set<string>();

  constructor(
    readonly name: string,
    /** Replaced when a pushed account JWT changes them. */
    public limits: Readonly<JetStreamAccountLimits>,
    private readonly server: JetStreamServer,
  ) {}

  get domain(): string | undefined {
    return this.server.domain;
  }

  /** With the Redis store, this server: it owns (holds the lease of) every Redis stream it serves, and holds its memory streams. */
  get leader(): string | undefined {
    return this.server.redis === undefined ? undefined : this.server.serverName;
  }

  /** File-storage streams are kept in Redis, which replicates them. */
  get storesInRedis(): boolean {
    return this.server.redis !== undefined;
  }

  private get streamsDir(): string {
    return join(this.server.storeRoot, this.name, 'streams');
  }

  /** Opens the file streams stored for this account (a restart). Returns what could not be read. */
  recover(): string[] {
    const problems: string[] = [];
    let names: string[];
    try {
      names = readdirSync(this.streamsDir);
    } catch {
      return problems;
    }
    for (const dirName of names) {
      const dir = join(this.streamsDir, dirName);
      try {
        const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as StreamMeta;
        const created = parseRfc3339(meta.created) ?? nowNs();
        const store = FileStore.open(dir, storeLimits(meta.config), { syncIntervalMs: this.server.syncIntervalMs, syncAlways: this.server.syncAlways });
        const stream = new Stream(meta.config, created, store, this);
        this.streams.set(meta.config.name, stream);
        const stored = new ConsumerFiles(dir).readAll();
        problems.push(...stored.problems);
        this.restoreConsumers(stream, stored.consumers);
        this.syncSourcing(stream);
      } catch (err) {
        problems.push(`stream directory ${dir}: ${(err as Error).message}`);
      }
    }
    if (this.streams.size > 0) this.server.streamsChanged(this);
    return problems;
  }

  /**
   * Lets go of the Redis streams whose writes failed (another server took them, or Redis
   * refused a write), and opens those kept in Redis that no server holds (at start, then every
   * half lease: a takeover when their owner died, or the stream again as Redis has it after a
   * failed write). Returns what could not be read, each problem once.
   */
  async takeOverFromRedis(redis: RedisStoreConnection): Promise<string[]> {
    const problems: string[] = [];
    const report = (problem: string): void => {
      if (this.reportedProblems.has(problem)) return;
      this.reportedProblems.add(problem);
      problems.push(problem);
    };
    for (const stream of [...this.streams.values()]) {
      if (!(stream.store instanceof RedisStore)) continue;
      const failure = stream.store.failedWrite();
      if (failure === undefined) continue;
      problems.push(stream.store.lost ? `${failure}; no longer served here` : `${failure}; opened again as Redis has it`);
      this.letGo(stream);
    }
    for (const name of await redis.streamNames(this.name)) {
      const local = this.streams.get(name);
      if (local !== undefined) {
        if (!(local.store instanceof RedisStore)) report(`stream '${this.name} > ${name}' is both in ${this.server.storeRoot} and in Redis: the one on disk is used`);
        continue;
      }
      let store: RedisStore | undefined;
      try {
        const opened = await RedisStore.open(redis, { account: this.name, stream: name }, (config) => storeLimits(JSON.parse(config) as StreamConfig));
        if (opened === undefined || opened === 'held') continue;
        store = opened.store;
        // Created here while it was loading: that one's create failed, the loaded one is kept.
        const created = this.streams.get(name);
        if (created !== undefined) this.letGo(created);
        const config = JSON.parse(opened.config) as StreamConfig;
        const stream = new Stream(config, parseRfc3339(opened.created) ?? nowNs(), opened.store, this);
        this.streams.set(config.name, stream);
        const stored = readRedisConsumers(opened.consumers, name);
        for (const problem of stored.problems) report(problem);
        this.restoreConsumers(stream, stored.consumers);
        this.syncSourcing(stream);
        this.server.streamsChanged(this);
      } catch (err) {
        if (store !== undefined && this.streams.get(name)?.store !== store) store.close();
        report(`stream '${this.name} > ${name}' in Redis: ${(err as Error).message}`);
      }
    }
    return problems;
  }

  /** Stops serving a stream kept elsewhere (another server holds it in Redis), keeping what is stored. */
  letGo(stream: Stream): void {
    if (this.streams.get(stream.name) !== stream) return;
    this.streams.delete(stream.name);
    stream.close();
    this.server.streamsChanged(this);
  }

  private restoreConsumers(stream: Stream, stored: readonly StoredConsumer[]): void {
    for (const c of stored) {
      const consumer = new Consumer(c.name, c.config, parseRfc3339(c.created) ?? nowNs(), this.consumerHost(stream, c.config), c.state);
      stream.consumers.set(c.name, consumer);
    }
  }

  /** STREAM.CREATE with a parsed config: the existing stream when identical, else a new one. */
  createStream(config: StreamConfig, same: (a: StreamConfig, b: StreamConfig) => boolean): { stream: Stream } | { error: JsApiError } {
    const existing = this.streams.get(config.name);
    if (existing !== undefined) {
      if (same(existing.config, config)) return { stream: existing };
      return { error: jsError('StreamNameExist') };
    }
    const overlap = this.overlapping(config, undefined);
    if (overlap !== undefined) return { error: overlap };
    const limits = this.limits;
    if (limits.maxStreams > 0 && this.streams.size >= limits.maxStreams) return { error: jsError('MaximumStreamsLimit') };
    const refusal = this.reservationRefusal(config, undefined);
    if (refusal !== undefined) return { error: refusal };
    const created = nowNs();
    let store: StreamStore;
    try {
      store = this.openStore(config, created);
    } catch (err) {
      return { error: jsError('StreamCreate', { err: (err as Error).message }) };
    }
    const stream = new Stream(config, created, store, this);
    this.streams.set(config.name, stream);
    this.reserve(config, 1);
    this.server.streamsChanged(this);
    this.server.advisories.streamAction(this.name, config.name, 'create');
    this.syncSourcing(stream);
    return { stream };
  }

  /**
   * What STREAM.RESTORE refuses before it takes any chunk, in nats-server's order: the stream
   * count and the reserved bytes, then a stream of that name.
   */
  restoreRefusal(config: StreamConfig): JsApiError | undefined {
    const limits = this.limits;
    if (limits.maxStreams > 0 && this.streams.size >= limits.maxStreams) return jsError('MaximumStreamsLimit');
    const refusal = this.reservationRefusal(config, undefined);
    if (refusal !== undefined) return refusal;
    if (this.streams.has(config.name)) return jsError('StreamNameExistRestoreFailed');
    return undefined;
  }

  /** A store for a restore of `config`, staged apart from the streams (throws when it cannot be made). */
  beginRestore(config: StreamConfig): StreamRestore {
    if (config.storage === 'memory') return new StreamRestore(config, new MemoryStore(UNLIMITED), undefined);
    const stagingRoot = join(this.server.storeRoot, RESTORE_STAGING_DIR);
    mkdirSync(stagingRoot, { recursive: true });
    const dir = mkdtempSync(join(stagingRoot, 'js-restore-'));
    try {
      return new StreamRestore(config, FileStore.open(dir, UNLIMITED, { syncIntervalMs: this.server.syncIntervalMs }), dir);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Takes `size` more archive bytes into a restore; the refusal when storing them would pass a limit. */
  stageRestoreBytes(restore: StreamRestore, size: number): JsApiError | undefined {
    const storage = restore.config.storage;
    const refusal = this.storageRefusal(storage, this.staged[storage] + size);
    if (refusal !== undefined) return refusal;
    this.staged[storage] += size;
    restore.receivedBytes += size;
    return undefined;
  }

  /**
   * A whole archive becomes one of the account's streams, with the checks of a create (made
   * again: the account may have changed while the chunks came), its limits applied.
   */
  finishRestore(restore: StreamRestore): { stream: Stream } | { error: JsApiError } {
    const config = restore.config;
    this.unstage(restore);
    const refusal = this.restoreRefusal(config) ?? this.overlapping(config, undefined);
    if (refusal !== undefined) {
      this.abortRestore(restore);
      return { error: refusal };
    }
    const created = restore.createdNs ?? nowNs();
    let store = restore.store;
    try {
      if (restore.stagingDir !== undefined && this.server.redis !== undefined) {
        store = this.copyIntoRedis(this.server.redis, config, created, restore.store);
        this.abortRestore(restore);
      } else if (restore.stagingDir !== undefined) {
        store.close();
        const dir = this.streamDir(config.name);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(this.streamsDir, { recursive: true });
        renameSync(restore.stagingDir, dir);
        this.writeMeta(dir, { config, created: rfc3339Nano(created) });
        store = FileStore.open(dir, storeLimits(config), { syncIntervalMs: this.server.syncIntervalMs, syncAlways: this.server.syncAlways });
      }
      store.setLimits(storeLimits(config));
    } catch (err) {
      this.abortRestore(restore);
      rmSync(this.streamDir(config.name), { recursive: true, force: true });
      return { error: jsError('StreamRestore', { err: (err as Error).message }) };
    }
    const stream = new Stream(config, created, store, this);
    this.streams.set(config.name, stream);
    this.reserve(config, 1);
    this.server.streamsChanged(this);
    this.syncSourcing(stream);
    return { stream };
  }

  /** A restored file stream's messages, copied from its staging store into a new Redis stream. */
  private copyIntoRedis(redis: RedisStoreConnection, config: StreamConfig, created: bigint, staged: StreamStore): RedisStore {
    const store = RedisStore.create(redis, { account: this.name, stream: config.name }, UNLIMITED, goJson(config), rfc3339Nano(created));
    const state = staged.state();
    for (let seq = staged.nextSeqMatching('>', state.firstSeq); seq !== 0; seq = staged.nextSeqMatching('>', seq + 1)) {
      const message = staged.load(seq)!;
      store.restoreMessage(seq, message.subject, message.header, message.data, message.timeNs);
    }
    store.restoreLastSeq(state.lastSeq, state.lastTimeNs);
    return store;
  }

  /** Drops a restore that failed or was abandoned, with what it staged. */
  abortRestore(restore: StreamRestore): void {
    this.unstage(restore);
    restore.store.destroy();
    if (restore.stagingDir !== undefined) rmSync(restore.stagingDir, { recursive: true, force: true });
  }

  private unstage(restore: StreamRestore): void {
    this.staged[restore.config.storage] -= restore.receivedBytes;
    restore.receivedBytes = 0;
  }

  /** STREAM.UPDATE with a config checkStreamUpdate allowed. */
  updateStream(stream: Stream, config: StreamConfig): JsApiError | undefined {
    const overlap = this.overlapping(config, stream.name);
    if (overlap !== undefined) return overlap;
    const refusal = this.reservationRefusal(config, stream.config);
    if (refusal !== undefined) return refusal;
    if (stream.store instanceof RedisStore) stream.store.writeConfig(goJson(config));
    else if (config.storage === 'file') this.writeMeta(this.streamDir(config.name), { config, created: rfc3339Nano(stream.createdNs) });
    this.reserve(stream.config, -1);
    stream.update(config);
    this.reserve(config, 1);
    this.server.streamsChanged(this);
    this.syncSourcing(stream);
    this.server.advisories.streamAction(this.name, config.name, 'modify');
    return undefined;
  }

  // ---- mirrors and sources ----

  /** Starts, changes or stops the stream's mirror and source feeds to follow its config. */
  private syncSourcing(stream: Stream): void {
    const config = stream.config;
    if (config.mirror === undefined && (config.sources ?? []).length === 0) {
      stream.sourcing?.stop();
      stream.sourcing = undefined;
      return;
    }
    stream.sourcing ??= new StreamSourcing(stream, this.feedHost());
    stream.sourcing.configure(config);
  }

  private feedHost(): FeedHost {
    const server = this.server;
    const name = this.name;
    return {
      publish: (subject, reply, header, payload) => server.publishMessage(name, subject, undefined, reply, header, payload),
      subscribe: (subject, target) => server.subscribeInternal(name, subject, target),
      unsubscribe: (entry) => server.unsubscribeInternal(name, entry),
      appended: (stream) => server.storeChanged(stream),
      warn: (text) => server.logger.warn(text),
    };
  }

  /**
   * The stream that answers `$JS.API.DIRECT.GET.<name>`: that stream with allow_direct, else a
   * mirror of it with mirror_direct that has caught up (nats-server lets both answer).
   */
  directGetStream(name: string): Stream | undefined {
    const own = this.streams.get(name);
    if (own !== undefined && own.config.allow_direct) return own;
    for (const stream of this.streams.values()) {
      if (stream.config.mirror?.name === name && stream.sourcing?.servesDirectGets() === true) return stream;
    }
    return undefined;
  }

  // ---- consumers ----

  consumerCount(): number {
    let count = 0;
    for (const stream of this.streams.values()) count += stream.consumers.size;
    return count;
  }

  createConsumer(stream: Stream, name: string, config: ConsumerConfig): Consumer {
    const consumer = new Consumer(name, config, nowNs(), this.consumerHost(stream, config));
    stream.consumers.set(name, consumer);
    consumer.files?.writeMeta(name, config, rfc3339Nano(consumer.createdNs));
    this.server.advisories.consumerAction(this.name, stream.name, name, 'create');
    // The first deliveries follow the create response, as from nats-server (a mirror on another
    // server takes deliveries only for a consumer it has been told of).
    queueMicrotask(() => consumer.drive());
    return consumer;
  }

  updateConsumer(consumer: Consumer, config: ConsumerConfig): void {
    consumer.update(config);
    consumer.files?.writeMeta(consumer.name, config, rfc3339Nano(consumer.createdNs));
  }

  deleteConsumer(stream: Stream, consumer: Consumer): void {
    if (stream.consumers.get(consumer.name) !== consumer) return;
    stream.consumers.delete(consumer.name);
    consumer.close(true);
    // Acks waiting for a state that will not be kept are answered now, as nats-server does at once.
    this.dropStateWrite(consumer);
    consumer.files?.remove(consumer.name);
    this.server.advisories.consumerAction(this.name, stream.name, consumer.name, 'delete');
  }

  /** A consumer that goes away: acks waiting for a state that will not be kept are answered now, as nats-server does at once. */
  private dropStateWrite(consumer: Consumer): void {
    const write = this.changedConsumers.get(consumer);
    this.changedConsumers.delete(consumer);
    this.stateWrittenMs.delete(consumer);
    for (const reply of write?.ackReplies ?? []) this.answerAck(reply);
  }

  /**
   * Writes the state of the kept consumers that changed (in the batch flush), then answers the
   * acks that waited for it. A state no ack request waits for is held back until
   * STATE_WRITE_INTERVAL_MS passed since its last write, unless `all` (the server stops).
   * Returns what could not be written: those acks stay unanswered, so their senders know the
   * ack may be lost.
   */
  persistConsumers(all = false): string[] {
    const problems: string[] = [];
    if (this.changedConsumers.size === 0) return problems;
    const now = Date.now();
    let heldMs = Infinity;
    for (const [consumer, write] of [...this.changedConsumers]) {
      const sinceMs = now - (this.stateWrittenMs.get(consumer) ?? -Infinity);
      if (!all && write.ackReplies.length === 0 && sinceMs < STATE_WRITE_INTERVAL_MS) {
        heldMs = Math.min(heldMs, STATE_WRITE_INTERVAL_MS - sinceMs);
        continue;
      }
      this.changedConsumers.delete(consumer);
      this.stateWrittenMs.set(consumer, now);
      const what = `the state of consumer '${this.name} > ${consumer.streamName} > ${consumer.name}'`;
      try {
        write.files.writeState(consumer.name, consumer.state());
      } catch (err) {
        problems.push(`writing ${what}: ${(err as Error).message}`);
        continue;
      }
      const durable = write.files.committed();
      if (durable === undefined) {
        for (const reply of write.ackReplies) this.answerAck(reply);
        continue;
      }
      durable.then(
        () => {
          for (const reply of write.ackReplies) this.answerAck(reply);
        },
        (err: Error) => this.server.logger.error(`JetStream: writing ${what}: ${err.message}`),
      );
    }
    if (heldMs !== Infinity && this.stateTimer === undefined) {
      this.stateTimer = setTimeout(() => {
        this.stateTimer = undefined;
        this.server.scheduleFlush();
      }, heldMs);
      this.stateTimer.unref();
    }
    return problems;
  }

  /** An ack sent as a request (AckSync) is answered with an empty message. */
  private answerAck(reply: string): void {
    this.server.publishMessage(this.name, reply, undefined, undefined, EMPTY, EMPTY);
  }

  private consumerHost(stream: Stream, config: ConsumerConfig): ConsumerHost {
    const server = this.server;
    const name = this.name;
    // As nats-server keeps them: the consumers of file streams, ephemerals too, unless mem_storage.
    const kept = stream.config.storage === 'file' && config.mem_storage !== true;
    const store = stream.store;
    const files = !kept ? undefined : store instanceof RedisStore ? new RedisConsumerStates(store) : new ConsumerFiles(this.streamDir(stream.name));
    return {
      streamName: stream.name,
      store: stream.store,
      files,
      publish: (subject, deliverAs, reply, header, payload) => server.publishMessage(name, subject, deliverAs, reply, header, payload),
      publishSpan: (subject, deliverAs, reply, headerSize, bytes, start, end) => server.publishSpan(name, subject, deliverAs, reply, headerSize, bytes, start, end),
      hasInterest: (subject) => server.hasInterest(name, subject),
      released: (seq) => stream.released(seq),
      changed: (consumer, ackReply) => this.consumerChanged(consumer, ackReply),
      expired: (consumer) => this.deleteConsumer(stream, consumer),
      maxDeliveries: (consumer, seq, deliveries) => server.advisories.maxDeliveries(name, stream.name, consumer.name, seq, deliveries),
      terminated: (consumer, dseq, seq, deliveries) => server.advisories.terminated(name, stream.name, consumer.name, dseq, seq, deliveries),
      ackSampled: (consumer, dseq, seq, ackTimeNs, deliveries) => server.advisories.ackMetric(name, stream.name, consumer.name, dseq, seq, ackTimeNs, deliveries),
    };
  }

  private consumerChanged(consumer: Consumer, ackReply: string | undefined): void {
    const files = consumer.files;
    if (files === undefined) {
      if (ackReply !== undefined) this.answerAck(ackReply);
      return;
    }
    let write = this.changedConsumers.get(consumer);
    if (write === undefined) {
      write = { files, ackReplies: [] };
      this.changedConsumers.set(consumer, write);
      this.server.scheduleFlush();
    }
    if (ackReply !== undefined) write.ackReplies.push(ackReply);
  }

  deleteStream(stream: Stream): void {
    for (const consumer of stream.consumers.values()) this.dropStateWrite(consumer);
    this.streams.delete(stream.name);
    this.reserve(stream.config, -1);
    stream.destroy();
    this.server.streamsChanged(this);
    this.server.advisories.streamAction(this.name, stream.name, 'delete');
  }

  /** Sends the pending writes of the account's Redis streams (an API request changed them). */
  sendRedisWrites(): void {
    for (const stream of this.streams.values()) if (stream.store instanceof RedisStore) stream.store.flush();
  }

  /** Stops every stream, keeping what is stored (the server stops). Returns what could not be written. */
  close(): string[] {
    clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    const problems = this.persistConsumers(true);
    for (const stream of this.streams.values()) stream.close();
    this.streams.clear();
    return problems;
  }

  // ---- StreamOwner ----

  queueReply(stream: Stream, reply: string, body: string): void {
    this.server.queueReply(this.name, stream, reply, body);
  }

  republish(stream: Stream, subject: string, headerSize: number, data: Buffer): void {
    this.server.queueRepublish(this.name, stream, subject, headerSize, data);
  }

  /** nats-server checks the server's limit before a store and the account's after it; both refuse here. */
  storageRefusal(storage: 'file' | 'memory', size: number): JsApiError | undefined {
    const server = this.server;
    const serverMax = storage === 'memory' ? server.maxMemory : server.maxStore;
    if (server.used[storage] + size > serverMax) return jsError('InsufficientResources');
    const limits = this.limits;
    const accountMax = storage === 'memory' ? limits.maxMemory : limits.maxStore;
    if (accountMax >= 0 && this.used[storage] + size > accountMax) return jsError('AccountResourcesExceeded');
    return undefined;
  }

  usageChanged(storage: 'file' | 'memory', delta: number): void {
    this.used[storage] += delta;
    this.server.used[storage] += delta;
  }

  // ----

  /** Another stream of the account already takes one of these subjects. */
  private overlapping(config: StreamConfig, except: string | undefined): JsApiError | undefined {
    for (const other of this.streams.values()) {
      if (other.name === except) continue;
      for (const a of config.subjects ?? []) {
        for (const b of other.config.subjects ?? []) if (subjectsCollide(a, b)) return jsError('StreamSubjectOverlap');
      }
    }
    return undefined;
  }

  /** Reserved max_bytes against the account's and the server's limits (nats-server's checkBytesLimits). */
  private reservationRefusal(config: StreamConfig, previous: StreamConfig | undefined): JsApiError | undefined {
    const limits = this.limits;
    if (limits.maxConsumers > 0 && config.max_consumers > limits.maxConsumers) return jsError('MaximumConsumersLimit');
    const storage = config.storage;
    const adding = config.max_bytes < 0 ? 1 : config.max_bytes;
    let accountReserved = 0;
    for (const other of this.streams.values()) {
      if (other.config.storage === storage && other.config.max_bytes > 0 && other.config !== previous) accountReserved += other.config.max_bytes;
    }
    const exceeded = storage === 'memory' ? jsError('MemoryResourcesExceeded') : jsError('StorageResourcesExceeded');
    const accountMax = storage === 'memory' ? limits.maxMemory : limits.maxStore;
    if (accountMax >= 0 && accountReserved + adding > accountMax) return exceeded;
    const serverMax = storage === 'memory' ? this.server.maxMemory : this.server.maxStore;
    const previousReserved = previous !== undefined && previous.storage === storage && previous.max_bytes > 0 ? previous.max_bytes : 0;
    if (this.server.reserved[storage] - previousReserved + adding > serverMax) return exceeded;
    return undefined;
  }

  private reserve(config: StreamConfig, sign: 1 | -1): void {
    if (config.max_bytes > 0) this.server.reserved[config.storage] += sign * config.max_bytes;
  }

  private openStore(config: StreamConfig, created: bigint): StreamStore {
    if (config.storage === 'memory') return new MemoryStore(storeLimits(config));
    const redis = this.server.redis;
    if (redis !== undefined) return RedisStore.create(redis, { account: this.name, stream: config.name }, storeLimits(config), goJson(config), rfc3339Nano(created));
    const dir = this.streamDir(config.name);
    // A directory left from a stream deleted while the server was down holds nothing we keep.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    this.writeMeta(dir, { config, created: rfc3339Nano(created) });
    return FileStore.open(dir, storeLimits(config), { syncIntervalMs: this.server.syncIntervalMs, syncAlways: this.server.syncAlways });
  }

  private streamDir(name: string): string {
    return join(this.streamsDir, name);
  }

  /** Written to a temporary file and renamed, so a crash leaves the old or the new one. */
  private writeMeta(dir: string, meta: StreamMeta): void {
    const file = join(dir, 'meta.json');
    writeFileSync(`${file}.tmp`, goJson(meta));
    renameSync(`${file}.tmp`, file);
  }
}
