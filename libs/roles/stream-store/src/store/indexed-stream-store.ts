import { subjectHasWildcard } from '@nats-ts/routing';
import type { PeekedMessage } from './peeked-message.js';
import { matchesEverySubject, type SequenceIndex } from './sequence-index.js';
import type { PurgeRequest, StoreLimits, StoreState, StoredMessage, StreamStore } from './stream-store.js';

/**
 * The rules every backend shares, as nats-server 2.9's memstore and filestore apply them:
 * sequences, removals, purges and the discard-old limits, all decided on the index. A backend
 * keeps the bytes and makes removals durable through the hooks below.
 */
export abstract class IndexedStreamStore<Index extends SequenceIndex = SequenceIndex> implements StreamStore {
  abstract readonly storage: 'file' | 'memory';
  private closed = false;

  protected constructor(
    protected readonly index: Index,
    private limits: StoreLimits,
  ) {}

  /** Keeps the message at `seq` (above the last sequence) and adds it to the index. */
  protected abstract storeMessage(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void;
  /** The message at `seq`, which the index has, in buffers of the caller's own. */
  protected abstract readMessage(seq: number): StoredMessage;
  /** The message at `seq`, which the index has, in the backend's own buffers (see peek). */
  protected abstract peekMessage(seq: number): PeekedMessage;
  /** Lets go of the bytes of `seq` (still in the index; removed from it right after). */
  protected abstract discardMessage(seq: number, erase: boolean): void;
  /** Makes durable that `seq` is removed; called while the index still has it. */
  protected abstract persistRemoval(seq: number): void;
  /** Makes durable that nothing is left below the first sequence, and the last sequence. */
  protected abstract persistFirstSeq(): void;
  /** Flushes and closes what the backend holds open. */
  protected abstract release(): void;
  /** Removes whatever the backend stored. */
  protected abstract removeStorage(): void;

  abstract flush(): void;

  /** Durable at flush(), as the file and memory stores are. */
  committed(): Promise<void> | undefined {
    return undefined;
  }

  deliverableSeq(): number {
    return this.index.lastSeq;
  }

  unavailable(): string | undefined {
    return undefined;
  }

  /** The limits in force (as given at open or by the last {@link setLimits}). */
  currentLimits(): StoreLimits {
    return { ...this.limits };
  }

  append(subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): number {
    const seq = this.index.lastSeq + 1;
    this.appendAt(seq, subject, header, data, timeNs);
    return seq;
  }

  appendAt(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void {
    this.assertOpen();
    if (!Number.isSafeInteger(seq) || seq <= this.index.lastSeq) throw new RangeError(`a message at ${seq} is not above the last sequence ${this.index.lastSeq}`);
    this.storeMessage(seq, subject, header, data, timeNs);
    const maxPerSubject = this.limits.maxMsgsPerSubject;
    if (maxPerSubject > 0) {
      const state = this.index.subjectState(subject)!;
      while (state.count > maxPerSubject) this.removeDurably(state.firstSeq, false);
    }
    if (this.enforceFrontLimits() > 0) this.persistFirstSeq();
  }

  restoreMessage(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void {
    this.assertOpen();
    if (!Number.isSafeInteger(seq) || seq <= this.index.lastSeq) throw new RangeError(`a restored message at ${seq} is not above the last sequence ${this.index.lastSeq}`);
    this.storeMessage(seq, subject, header, data, timeNs);
  }

  restoreLastSeq(lastSeq: number, lastTimeNs: bigint): void {
    this.assertOpen();
    if (!Number.isSafeInteger(lastSeq) || lastSeq < this.index.lastSeq) throw new RangeError(`a restored last sequence ${lastSeq} is below the last message ${this.index.lastSeq}`);
    // Equal: the last message is the last sequence (or nothing was ever stored, first stays 0).
    if (lastSeq === this.index.lastSeq) return;
    this.index.skipTo(lastSeq, lastTimeNs);
    this.persistFirstSeq();
  }

  load(seq: number): StoredMessage | undefined {
    this.assertOpen();
    return this.index.has(seq) ? this.readMessage(seq) : undefined;
  }

  loadNextMatching(filter: string, fromSeq: number): StoredMessage | undefined {
    this.assertOpen();
    const seq = this.index.nextMatching(filter, fromSeq);
    return seq === 0 ? undefined : this.readMessage(seq);
  }

  peek(seq: number): PeekedMessage | undefined {
    this.assertOpen();
    return this.index.has(seq) ? this.peekMessage(seq) : undefined;
  }

  peekNextMatching(filter: string, fromSeq: number): PeekedMessage | undefined {
    this.assertOpen();
    const seq = this.index.nextMatching(filter, fromSeq);
    return seq === 0 ? undefined : this.peekMessage(seq);
  }

  nextSeqMatching(filter: string, fromSeq: number): number {
    this.assertOpen();
    return this.index.nextMatching(filter, fromSeq);
  }

  countMatchingFrom(filter: string, fromSeq: number): number {
    this.assertOpen();
    return this.index.countMatchingFrom(filter, fromSeq);
  }

  subjectOf(seq: number): string | undefined {
    this.assertOpen();
    return this.index.has(seq) ? this.index.subjectOf(seq) : undefined;
  }

  loadLastMatching(filter: string): StoredMessage | undefined {
    this.assertOpen();
    const seq = this.index.lastMatching(filter);
    return seq === 0 ? undefined : this.readMessage(seq);
  }

  lastSeqOfSubject(subject: string): number {
    return this.index.subjectState(subject)?.lastSeq ?? 0;
  }

  countOfSubject(subject: string): number {
    return this.index.subjectState(subject)?.count ?? 0;
  }

  remove(seq: number, erase: boolean): boolean {
    this.assertOpen();
    if (!this.index.has(seq)) return false;
    this.removeDurably(seq, erase);
    return true;
  }

  /**
   * nats-server 2.9's PurgeEx. Without a filter (or `>`): a `seq` above 1 compacts below it
   * (`keep` is then ignored); otherwise `keep` keeps the newest that many, and neither purges
   * all. With a filter, `keep` counts the matching messages together (not per subject) and the
   * oldest matching go first, all of them below `seq` when it is above 1.
   */
  purge(request: PurgeRequest): number {
    this.assertOpen();
    const filter = request.filter ?? '';
    const keep = request.keep ?? 0;
    const below = request.seq ?? 0;
    if (matchesEverySubject(filter)) {
      if (below > 1) return this.compact(below);
      if (keep <= 0) return this.compact(this.index.lastSeq + 1);
      if (keep >= this.index.messages) return 0;
      const purged = this.removeFront(this.index.messages - keep);
      this.persistFirstSeq();
      return purged;
    }
    const matching = this.index.countMatching(filter);
    if (matching === 0 || (keep > 0 && keep >= matching)) return 0;
    const toPurge = keep > 0 ? matching - keep : matching;
    const upTo = below > 1 ? below - 1 : this.index.lastSeq;
    let purged = 0;
    if (!subjectHasWildcard(filter)) {
      for (let seq = this.index.subjectState(filter)!.firstSeq; purged < toPurge && seq !== 0 && seq <= upTo; purged++) {
        const next = this.index.nextOnSameSubject(seq);
        this.removeDurably(seq, false);
        seq = next;
      }
      return purged;
    }
    const verdicts = new Map<number, boolean>();
    for (let seq = this.index.nextMatching(filter, 0, upTo, verdicts); purged < toPurge && seq !== 0; purged++) {
      this.removeDurably(seq, false);
      seq = this.index.nextMatching(filter, seq + 1, upTo, verdicts);
    }
    return purged;
  }

  /** Removes from the front what is at or before `nowNs - maxAgeNs` (nats-server's `ts <= minAge`). */
  expire(nowNs: bigint): number {
    this.assertOpen();
    const maxAgeNs = this.limits.maxAgeNs;
    if (maxAgeNs <= 0n) return 0;
    const oldestKept = nowNs - maxAgeNs;
    let expired = 0;
    while (this.index.messages > 0 && this.index.timeOf(this.index.firstSeq) <= oldestKept) {
      this.drop(this.index.firstSeq, false);
      expired++;
    }
    if (expired > 0) this.persistFirstSeq();
    return expired;
  }

  /** Applies max_msgs and max_bytes, then max_msgs_per_subject (nats-server's UpdateConfig order). */
  setLimits(limits: StoreLimits): void {
    this.assertOpen();
    this.limits = { ...limits };
    if (this.enforceFrontLimits() > 0) this.persistFirstSeq();
    const maxPerSubject = limits.maxMsgsPerSubject;
    if (maxPerSubject <= 0) return;
    for (const state of this.index.subjectsOver(maxPerSubject)) {
      while (state.count > maxPerSubject) this.removeDurably(state.firstSeq, false);
    }
  }

  state(): StoreState {
    const index = this.index;
    return {
      messages: index.messages,
      bytes: index.bytes,
      firstSeq: index.firstSeq,
      firstTimeNs: index.firstTimeNs,
      lastSeq: index.lastSeq,
      lastTimeNs: index.lastTimeNs,
      numDeleted: index.numDeleted,
      numSubjects: index.numSubjects,
    };
  }

  subjectCounts(filter: string): Map<string, number> {
    return this.index.subjectCounts(filter);
  }

  deletedSeqs(): number[] {
    return this.index.deletedSeqs();
  }

  close(): void {
    if (this.closed) return;
    this.release();
    this.closed = true;
  }

  destroy(): void {
    this.close();
    this.removeStorage();
  }

  protected assertOpen(): void {
    if (this.closed) throw new Error(`the ${this.storage} stream store is closed`);
  }

  /** Removes `seq` from the backend and the index (the caller persists it). */
  protected drop(seq: number, erase: boolean): void {
    this.discardMessage(seq, erase);
    this.index.remove(seq);
  }

  private removeDurably(seq: number, erase: boolean): void {
    this.persistRemoval(seq);
    this.drop(seq, erase);
  }

  /** nats-server's Compact: removes everything below `seq`; past the end, the next append gets `seq`. */
  private compact(seq: number): number {
    const index = this.index;
    const { firstSeq, lastSeq } = index;
    let purged = 0;
    while (index.messages > 0 && index.firstSeq < seq) {
      this.drop(index.firstSeq, false);
      purged++;
    }
    if (seq > index.lastSeq) index.skipTo(seq - 1, index.lastTimeNs);
    if (purged > 0 || index.firstSeq !== firstSeq || index.lastSeq !== lastSeq) this.persistFirstSeq();
    return purged;
  }

  /** max_msgs then max_bytes, from the front; returns how many went (the caller persists). */
  private enforceFrontLimits(): number {
    const { maxMsgs, maxBytes } = this.limits;
    let removed = 0;
    if (maxMsgs > 0 && this.index.messages > maxMsgs) removed += this.removeFront(this.index.messages - maxMsgs);
    while (maxBytes > 0 && this.index.bytes > maxBytes) {
      this.drop(this.index.firstSeq, false);
      removed++;
    }
    return removed;
  }

  private removeFront(count: number): number {
    for (let i = 0; i < count; i++) this.drop(this.index.firstSeq, false);
    return count;
  }
}
