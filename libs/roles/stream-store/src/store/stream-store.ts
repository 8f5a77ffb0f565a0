import type { PeekedMessage } from './peeked-message.js';

/**
 * What a stream keeps its messages in. Every backend (memory, file, and later Redis) implements
 * this one interface and passes the shared suite in `stream-store-suite.test-support.ts`.
 *
 * Calls are synchronous: the stream-store role handles a message inside the router's delivery
 * call. A file store buffers appends and writes them out in `flush()`, which the role calls once
 * per batch before it sends that batch's acks (an ack means the bytes are in the file). The
 * Redis store sends them in `flush()`, and the role waits for `committed()` before the acks.
 */
export interface StreamStore {
  readonly storage: 'file' | 'memory';

  /**
   * Appends a message at `state().lastSeq + 1` and returns its sequence, then applies the
   * discard-old limits (max_msgs, max_bytes, max_msgs_per_subject) by removing from the front.
   * `header` is the whole NATS header block, or empty for none. The buffers are copied.
   * `subject` is a latin1 string (one char per byte), as subjects are throughout nats-ts.
   */
  append(subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): number;
  /**
   * A mirrored message at its origin's `seq` (above `state().lastSeq`; the sequences it skips
   * hold nothing) and time, then the discard-old limits as {@link append} applies them.
   */
  appendAt(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void;

  /**
   * A restored snapshot's message, at its own `seq` and time: `seq` is above `state().lastSeq`
   * and the sequences it skips hold nothing (they were deleted). No limit is applied.
   */
  restoreMessage(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void;
  /**
   * A restored snapshot's end: the sequences up to `lastSeq` were used, the last one appended at
   * `lastTimeNs`, so messages removed from its tail (or all of them) stay removed.
   */
  restoreLastSeq(lastSeq: number, lastTimeNs: bigint): void;

  /** Makes every append so far readable after a crash of this process (written to the file). */
  flush(): void;
  /**
   * When what was flushed is durable only later (Redis): settles once it is, and rejects when
   * it could not be written (its acks must not be sent). Undefined when `flush()` already made
   * it so (file, memory).
   */
  committed(): Promise<void> | undefined;
  /**
   * The last sequence consumers may be given: every append up to it is durable where the store
   * keeps it (Redis confirmed it); the last sequence for stores whose appends are at flush().
   */
  deliverableSeq(): number;
  /** Why the store cannot take messages now (its Redis is unreachable, or it failed); undefined when it can. */
  unavailable(): string | undefined;

  /**
   * The message at `seq`; undefined when it never was, was removed, or is below the first.
   * The buffers of a loaded message are the caller's (a copy, or read from the file).
   */
  load(seq: number): StoredMessage | undefined;
  /** The first message at or after `fromSeq` whose subject matches `filter` (wildcards allowed; `''` and `>`: any). */
  loadNextMatching(filter: string, fromSeq: number): StoredMessage | undefined;
  /**
   * As load and loadNextMatching, but the message is the store's own bytes in an object the
   * store reuses, valid only until the next call into the store: for a delivery that is encoded
   * at once, without a copy.
   */
  peek(seq: number): PeekedMessage | undefined;
  peekNextMatching(filter: string, fromSeq: number): PeekedMessage | undefined;
  /** The sequence `loadNextMatching` would load, without loading it; 0 when none. */
  nextSeqMatching(filter: string, fromSeq: number): number;
  /** How many stored messages at or after `fromSeq` match `filter` (a consumer's pending count). */
  countMatchingFrom(filter: string, fromSeq: number): number;
  /** The subject of the message at `seq`, undefined when it is not stored. */
  subjectOf(seq: number): string | undefined;
  /** The last message whose subject matches `filter` (wildcards allowed). */
  loadLastMatching(filter: string): StoredMessage | undefined;
  /** The sequence of the last message stored on exactly `subject`, 0 when none is left. */
  lastSeqOfSubject(subject: string): number;
  /** How many messages are stored on exactly `subject`. */
  countOfSubject(subject: string): number;

  /** Removes one message; false when it is not there. `erase` overwrites its bytes where stored. */
  remove(seq: number, erase: boolean): boolean;
  /**
   * Removes messages and returns how many, as nats-server 2.9's PurgeEx: all of them; with
   * `filter` only matching subjects; with `keep` all but the newest `keep` (with a filter, of
   * all the matching messages together, not per subject); with `seq` only those below it (a
   * `seq` of 0 or 1 is no bound). Without a filter, a `seq` above 1 ignores `keep`, and one past
   * the end leaves the store empty with `seq` as the next sequence.
   */
  purge(request: PurgeRequest): number;
  /**
   * Removes from the front the messages stored at or before `nowNs - maxAgeNs` (nats-server's
   * rule), stopping at the first younger one; returns how many.
   */
  expire(nowNs: bigint): number;
  /**
   * New limits for appends from now on; removes what tighter max_msgs, max_bytes and
   * max_msgs_per_subject no longer allow (a new max age applies from the next `expire`).
   */
  setLimits(limits: StoreLimits): void;

  state(): StoreState;
  /** Message counts per subject for the subjects matching `filter`. */
  subjectCounts(filter: string): Map<string, number>;
  /** The sequences between first and last (both included) without a message, ascending. */
  deletedSeqs(): number[];

  /** Flushes and releases files; the store is unusable afterwards. */
  close(): void;
  /** Closes and removes everything stored (the stream is deleted). */
  destroy(): void;
}

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  /** The header block as published (`NATS/1.0\r\n...\r\n\r\n`); empty when it had none. */
  readonly header: Uint8Array;
  readonly data: Uint8Array;
  /** Nanoseconds since the Unix epoch, as stored. */
  readonly timeNs: bigint;
}

export interface StoreLimits {
  /** -1: unlimited (as the stream config; 0 and below are unlimited, as in nats-server). */
  maxMsgs: number;
  maxBytes: number;
  maxMsgsPerSubject: number;
  /** 0: no age limit. Nanoseconds. */
  maxAgeNs: bigint;
}

export interface PurgeRequest {
  filter?: string;
  keep?: number;
  seq?: number;
}

export interface StoreState {
  messages: number;
  /** Stored size as nats-server counts it (per message: subject, headers, data and its overhead). */
  bytes: number;
  /** 0 with nothing ever stored; after removals, the next sequence that can be there. */
  firstSeq: number;
  /** 0n with nothing stored. */
  firstTimeNs: bigint;
  lastSeq: number;
  /** Of the last message appended, even when it was removed since. */
  lastTimeNs: bigint;
  /** Sequences between first and last without a message (`deletedSeqs().length`). */
  numDeleted: number;
  numSubjects: number;
}

export const UNLIMITED: StoreLimits = { maxMsgs: -1, maxBytes: -1, maxMsgsPerSubject: -1, maxAgeNs: 0n };
