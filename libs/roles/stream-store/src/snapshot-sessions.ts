// The transfers STREAM.SNAPSHOT and STREAM.RESTORE start (their JSON is in api/snapshot-api.ts,
// the archive's bytes in store/snapshot-archive.ts): the chunks, their acks and the timeouts.
import { randomBytes } from 'node:crypto';
import type { Logger } from '@nats-ts/observability';
import { goJson } from './api/go-json.js';
import { jsError, type JsApiError } from './api/js-errors.js';
import { RESTORE_DELIVER_PREFIX, SNAPSHOT_ACK_PREFIX, restoreResult, type SnapshotRequest } from './api/snapshot-api.js';
import { rfc3339Nano } from './api/time.js';
import type { InternalEntry, MessageTarget } from './internal-entry.js';
import type { JetStreamAccount } from './js-account.js';
import { ArchiveReader, ArchiveWriter } from './store/snapshot-archive.js';
import type { StreamConfig } from './streams/stream-config.js';
import type { StreamRestore } from './streams/stream-restore.js';
import type { Stream } from './streams/stream.js';

/** How long a snapshot waits for its deliver subject to be subscribed (nats-server's 2 s). */
const INTEREST_WAIT_MS = 2_000;
const INTEREST_POLL_MS = 10;
/** A snapshot whose window stays full this long without an ack ends (nats-server's 5 s). */
const ACK_TIMEOUT_MS = 5_000;
/** A restore without a chunk this long is dropped (nats-server's 5 s). */
const RESTORE_IDLE_MS = 5_000;
/** Chunk bytes sent in one turn of the event loop before yielding to other work. */
const BYTES_PER_TURN = 1024 * 1024;

const EMPTY = Buffer.alloc(0);

/** What the transfers need of the service: subjects are the router's (latin1 byte strings). */
export interface SessionHost {
  readonly logger: Logger;
  /** True when something took the message. */
  publishMessage(accountName: string, subject: string, deliverAs: string | undefined, reply: string | undefined, header: Uint8Array, payload: Uint8Array): boolean;
  subscribeInternal(accountName: string, subject: string, target: MessageTarget): InternalEntry;
  unsubscribeInternal(accountName: string, entry: InternalEntry): void;
  hasInterest(accountName: string, subject: string): boolean;
}

/** JSON text (UTF-8) as a router subject. */
function routerSubject(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const NUID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character random token, as nats-server's nuid. */
function nuid(): string {
  let id = '';
  for (const b of randomBytes(22)) id += NUID_ALPHABET[b % NUID_ALPHABET.length];
  return id;
}

/** The snapshots and restores in progress. */
export class SnapshotSessions {
  /** One snapshot per stream at a time, as nats-server. */
  private readonly snapshots = new Map<Stream, SnapshotSession>();
  private readonly restores = new Set<RestoreSession>();

  constructor(private readonly host: SessionHost) {}

  startSnapshot(account: JetStreamAccount, stream: Stream, request: SnapshotRequest): { state: Record<string, unknown> } | { error: JsApiError } {
    if (this.snapshots.has(stream)) return { error: jsError('StreamSnapshot', { err: 'snapshot in progress' }) };
    const state = stream.stateJson();
    const session = new SnapshotSession(this.host, this, account.name, stream, request);
    this.snapshots.set(stream, session);
    this.host.logger.info(`JetStream: starting snapshot for stream '${account.name} > ${stream.name}'`);
    session.start();
    return { state };
  }

  startRestore(account: JetStreamAccount, config: StreamConfig): { deliverSubject: string } | { error: JsApiError } {
    let restore: StreamRestore;
    try {
      restore = account.beginRestore(config);
    } catch (err) {
      this.host.logger.error(`JetStream: staging a restore of '${account.name} > ${config.name}': ${(err as Error).message}`);
      return { error: jsError('TempStorageFailed') };
    }
    this.host.logger.info(`JetStream: starting restore for stream '${account.name} > ${config.name}'`);
    const deliverSubject = `${RESTORE_DELIVER_PREFIX}.${config.name}.${nuid()}`;
    this.restores.add(new RestoreSession(this.host, this, account, restore, routerSubject(deliverSubject)));
    return { deliverSubject };
  }

  snapshotEnded(session: SnapshotSession): void {
    this.snapshots.delete(session.stream);
  }

  restoreEnded(session: RestoreSession): void {
    this.restores.delete(session);
  }

  /** The server stops: transfers end without an answer, staged restores are removed. */
  closeAll(): void {
    for (const session of this.snapshots.values()) session.cancel();
    for (const session of this.restores) session.abandon();
  }
}

/**
 * Sends one snapshot: the archive in chunks to the deliver subject, each with an ack subject,
 * never more than `maxInflight` unacked. The archive is read from the store as chunks are sent,
 * so the session holds one chunk and one message, and a client that stops acking holds at most
 * the window in its connection until the ack timeout ends the snapshot.
 */
export class SnapshotSession implements MessageTarget {
  private readonly writer: ArchiveWriter;
  private readonly deliver: string;
  private readonly ackPrefix: string;
  private readonly ackSubscription: InternalEntry;
  private slots: number;
  private index = 1;
  private waitedMs = 0;
  private finished = false;
  private pumpScheduled = false;
  private interestTimer: NodeJS.Timeout | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private readonly pumpBound = (): void => this.pump();

  constructor(
    private readonly host: SessionHost,
    private readonly sessions: SnapshotSessions,
    private readonly accountName: string,
    readonly stream: Stream,
    private readonly request: SnapshotRequest,
  ) {
    const s = stream.state();
    const meta = goJson({ config: stream.config, created: rfc3339Nano(stream.createdNs) });
    this.writer = new ArchiveWriter(stream.store, meta, { firstSeq: s.firstSeq, lastSeq: s.lastSeq, lastTimeNs: s.lastTimeNs });
    this.deliver = routerSubject(request.deliverSubject);
    this.ackPrefix = routerSubject(`${SNAPSHOT_ACK_PREFIX}.${stream.name}.${nuid()}`);
    this.slots = request.maxInflight;
    this.ackSubscription = host.subscribeInternal(accountName, `${this.ackPrefix}.>`, this);
  }

  /** Waits for the client to subscribe its deliver subject (it does after the response), then sends. */
  start(): void {
    this.interestTimer = setInterval(() => this.checkInterest(), INTEREST_POLL_MS);
    this.interestTimer.unref();
  }

  /** An ack: one more chunk may go. */
  receive(): void {
    if (this.finished) return;
    this.slots = Math.min(this.slots + 1, this.request.maxInflight);
    this.ackTimer?.refresh();
    this.schedulePump();
  }

  /** Ends without the last message (the server stops). */
  cancel(): void {
    this.release();
  }

  private checkInterest(): void {
    this.waitedMs += INTEREST_POLL_MS;
    const interested = this.host.hasInterest(this.accountName, this.deliver);
    if (!interested && this.waitedMs < INTEREST_WAIT_MS) return;
    clearInterval(this.interestTimer);
    this.interestTimer = undefined;
    if (!interested) return this.finish('408 No Interest');
    this.ackTimer = setTimeout(() => this.finish('408 No Flow Response'), ACK_TIMEOUT_MS);
    this.ackTimer.unref();
    this.pump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.ackTimer === undefined) return;
    this.pumpScheduled = true;
    setImmediate(this.pumpBound);
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.finished) return;
    const chunkSize = this.request.chunkSize;
    for (let sent = 0; this.slots > 0 && sent < BYTES_PER_TURN; ) {
      const chunk = Buffer.allocUnsafe(chunkSize);
      let length: number;
      try {
        length = this.writer.fill(chunk);
      } catch (err) {
        this.host.logger.error(`JetStream: snapshot of stream '${this.accountName} > ${this.stream.name}': ${(err as Error).message}`);
        return this.finish(`500 ${(err as Error).message.replace(/[\r\n]/g, ' ')}`);
      }
      if (length === 0) return this.finish(undefined);
      const reply = `${this.ackPrefix}.${length}.${this.index}`;
      if (!this.host.publishMessage(this.accountName, this.deliver, undefined, reply, EMPTY, chunk.subarray(0, length))) return this.finish('408 No Interest');
      this.index++;
      this.slots--;
      sent += length;
      this.ackTimer!.refresh();
    }
    if (this.slots > 0) this.schedulePump();
  }

  /** The last message: empty, with a status header unless the snapshot is whole. */
  private finish(status: string | undefined): void {
    if (this.finished) return;
    this.release();
    const header = status === undefined ? undefined : Buffer.from(`NATS/1.0 ${status}\r\n\r\n`, 'latin1');
    this.host.publishMessage(this.accountName, this.deliver, undefined, undefined, header ?? EMPTY, EMPTY);
    const name = `'${this.accountName} > ${this.stream.name}'`;
    if (status === undefined) this.host.logger.info(`JetStream: completed snapshot of ${this.index - 1} chunks for stream ${name}`);
    else this.host.logger.warn(`JetStream: snapshot of stream ${name} ended: ${status}`);
  }

  private release(): void {
    this.finished = true;
    clearInterval(this.interestTimer);
    clearTimeout(this.ackTimer);
    this.host.unsubscribeInternal(this.accountName, this.ackSubscription);
    this.sessions.snapshotEnded(this);
  }
}

/**
 * Takes one restore's chunks on its deliver subject: each is read into the staged store and
 * acked; the empty message ends it with the new stream (or the error) as its answer. A chunk
 * that breaks the archive or a limit is answered with the error and ends the restore.
 */
export class RestoreSession implements MessageTarget {
  private readonly reader = new ArchiveReader();
  private readonly subscription: InternalEntry;
  private readonly idleTimer: NodeJS.Timeout;
  private finished = false;

  constructor(
    private readonly host: SessionHost,
    private readonly sessions: SnapshotSessions,
    private readonly account: JetStreamAccount,
    private readonly restore: StreamRestore,
    private readonly deliver: string,
  ) {
    this.subscription = host.subscribeInternal(account.name, deliver, this);
    this.idleTimer = setTimeout(() => this.stalled(), RESTORE_IDLE_MS);
    this.idleTimer.unref();
  }

  receive(_subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    if (this.finished) return;
    if (reply === undefined || reply === '') {
      this.host.logger.warn(`JetStream: restore of stream '${this.account.name} > ${this.restore.config.name}' requires a reply subject for each chunk`);
      return this.abandon();
    }
    this.idleTimer.refresh();
    const chunk = data.subarray(start + headerSize, end);
    if (chunk.length === 0) return this.complete(reply);
    const refusal = this.account.stageRestoreBytes(this.restore, chunk.length);
    if (refusal !== undefined) return this.fail(reply, refusal);
    let problem: string | undefined;
    try {
      problem = this.reader.push(chunk, this.restore);
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem !== undefined) return this.fail(reply, jsError('StreamRestore', { err: problem }));
    this.host.publishMessage(this.account.name, reply, undefined, undefined, EMPTY, EMPTY);
  }

  /** Drops the restore without an answer (no reply to give one to, or the server stops). */
  abandon(): void {
    this.account.abortRestore(this.restore);
    this.end();
  }

  private complete(reply: string): void {
    const problem = this.reader.finish();
    if (problem !== undefined) return this.fail(reply, jsError('StreamRestore', { err: problem }));
    const created = this.account.finishRestore(this.restore);
    this.end();
    this.answer(reply, 'error' in created ? created : { info: created.stream.info() });
  }

  private fail(reply: string, error: JsApiError): void {
    this.abandon();
    this.answer(reply, { error });
  }

  private answer(reply: string, outcome: { info: Record<string, unknown> } | { error: JsApiError }): void {
    const name = `'${this.account.name} > ${this.restore.config.name}'`;
    if ('error' in outcome) this.host.logger.warn(`JetStream: restore of stream ${name} failed: ${outcome.error.description}`);
    else this.host.logger.info(`JetStream: completed restore of stream ${name}`);
    this.host.publishMessage(this.account.name, reply, undefined, undefined, EMPTY, Buffer.from(goJson(restoreResult(outcome)), 'utf8'));
  }

  private stalled(): void {
    this.host.logger.warn(`JetStream: restore of stream '${this.account.name} > ${this.restore.config.name}' is stalled, dropped`);
    this.abandon();
  }

  private end(): void {
    this.finished = true;
    clearTimeout(this.idleTimer);
    this.host.unsubscribeInternal(this.account.name, this.subscription);
    this.sessions.restoreEnded(this);
  }
}
