import { subjectHasWildcard, subjectMatches } from '@nats-ts/routing';

/** What the index knows of one subject that still has messages. */
export interface SubjectState {
  readonly subject: string;
  /** Its interned id in the per-sequence subject column (ids of gone subjects are reused). */
  readonly id: number;
  count: number;
  firstSeq: number;
  lastSeq: number;
}

export type SlotColumn = Uint32Array | Float64Array | BigInt64Array;

/** Slots a new index starts with (subclasses size their own columns with it). */
export const INITIAL_SLOTS = 1024;

/** `''` and `>` stand for every subject, as in nats-server's filtered lookups. */
export function matchesEverySubject(filter: string): boolean {
  return filter === '' || filter === '>';
}

/**
 * `column[shift, length)` moved to the start of an array of `capacity` slots, the rest zero.
 * In place when the capacity stays; slots from `length` on are already zero (an invariant).
 */
export function moveSlots<T extends SlotColumn>(column: T, capacity: number, shift: number, length: number): T {
  if (capacity === column.length) {
    column.copyWithin(0, shift, length);
    if (column instanceof BigInt64Array) column.fill(0n, length - shift, length);
    else (column as Uint32Array | Float64Array).fill(0, length - shift, length);
    return column;
  }
  const moved = new (column.constructor as new (slots: number) => T)(capacity);
  moved.set(column.subarray(shift, length) as never);
  return moved;
}

/**
 * The state of a stream, without the message bytes: counters, first and last sequence, and
 * per sequence its interned subject, time and size in typed arrays (a window of slots from the
 * first sequence on, growing by doubling and shifted down as the front is removed). Per
 * subject its count, first and last sequence, and a doubly linked list through the sequences
 * (distances to the subject's previous and next message) so that removing any message keeps
 * a subject's first and last exact without a scan.
 */
export class SequenceIndex {
  messages = 0;
  bytes = 0;
  /** 0 until something is stored; with nothing left, `lastSeq + 1`. */
  firstSeq = 0;
  lastSeq = 0;
  /** Of the last message appended, kept when it is removed (as nats-server does). */
  lastTimeNs = 0n;

  /** The sequence in slot 0; the slots cover [base, lastSeq]. */
  protected base = 1;
  private capacity = INITIAL_SLOTS;
  /** 0: no message at that sequence (never stored there, or removed). */
  private subjectIds = new Uint32Array(INITIAL_SLOTS);
  private timesNs = new BigInt64Array(INITIAL_SLOTS);
  private sizes = new Float64Array(INITIAL_SLOTS);
  private previousOnSubject = new Uint32Array(INITIAL_SLOTS);
  private nextOnSubject = new Uint32Array(INITIAL_SLOTS);

  private readonly subjects = new Map<string, SubjectState>();
  private readonly subjectsById: (SubjectState | undefined)[] = [undefined];
  private readonly freeSubjectIds: number[] = [];

  get firstTimeNs(): bigint {
    return this.messages === 0 ? 0n : this.timesNs[this.firstSeq - this.base]!;
  }

  get numSubjects(): number {
    return this.subjects.size;
  }

  /** Sequences in [first, last] without a message. */
  get numDeleted(): number {
    return this.messages === 0 ? 0 : this.lastSeq - this.firstSeq + 1 - this.messages;
  }

  /** Adds a message at `seq`, which must be above `lastSeq` (sequences skipped hold nothing). */
  add(seq: number, subject: string, timeNs: bigint, size: number): void {
    if (this.messages === 0) {
      this.resetWindow(seq);
      this.firstSeq = seq;
    }
    const slot = this.ensureSlot(seq - this.base);
    let state = this.subjects.get(subject);
    if (state === undefined) {
      const id = this.freeSubjectIds.pop() ?? this.subjectsById.length;
      state = { subject, id, count: 0, firstSeq: seq, lastSeq: seq };
      this.subjects.set(subject, state);
      this.subjectsById[id] = state;
    } else {
      const distance = seq - state.lastSeq;
      this.nextOnSubject[state.lastSeq - this.base] = distance;
      this.previousOnSubject[slot] = distance;
      state.lastSeq = seq;
    }
    state.count++;
    this.subjectIds[slot] = state.id;
    this.timesNs[slot] = timeNs;
    this.sizes[slot] = size;
    this.messages++;
    this.bytes += size;
    this.lastSeq = seq;
    this.lastTimeNs = timeNs;
  }

  /** Removes the message at `seq`, which must be there (see {@link has}). */
  remove(seq: number): void {
    const slot = seq - this.base;
    const id = this.subjectIds[slot]!;
    const state = this.subjectsById[id]!;
    const previous = this.previousOnSubject[slot]!;
    const next = this.nextOnSubject[slot]!;
    if (previous !== 0) this.nextOnSubject[slot - previous] = next === 0 ? 0 : previous + next;
    if (next !== 0) this.previousOnSubject[slot + next] = previous === 0 ? 0 : previous + next;
    state.count--;
    if (state.count === 0) {
      this.subjects.delete(state.subject);
      this.subjectsById[id] = undefined;
      this.freeSubjectIds.push(id);
    } else {
      if (seq === state.firstSeq) state.firstSeq = seq + next;
      if (seq === state.lastSeq) state.lastSeq = seq - previous;
    }
    this.subjectIds[slot] = 0;
    this.previousOnSubject[slot] = 0;
    this.nextOnSubject[slot] = 0;
    this.messages--;
    this.bytes -= this.sizes[slot]!;
    if (this.messages === 0) this.firstSeq = this.lastSeq + 1;
    else if (seq === this.firstSeq) this.firstSeq = this.nextStored(seq + 1);
  }

  /**
   * Records that the sequences up to `seq` are used (what a purge past the end or a recovered
   * state record says); `lastSeq` moves up to it with `timeNs` and, with nothing left, the first
   * sequence becomes `lastSeq + 1`.
   */
  skipTo(seq: number, timeNs: bigint): void {
    if (seq > this.lastSeq) {
      if (this.messages > 0) this.ensureSlot(seq - this.base);
      this.lastSeq = seq;
      this.lastTimeNs = timeNs;
    }
    if (this.messages === 0) {
      this.resetWindow(this.lastSeq + 1);
      this.firstSeq = this.lastSeq + 1;
    }
  }

  has(seq: number): boolean {
    return this.messages > 0 && seq >= this.firstSeq && seq <= this.lastSeq && Number.isInteger(seq) && this.subjectIds[seq - this.base] !== 0;
  }

  /** The following calls take a sequence that {@link has} a message. */
  subjectOf(seq: number): string {
    return this.subjectsById[this.subjectIds[seq - this.base]!]!.subject;
  }

  timeOf(seq: number): bigint {
    return this.timesNs[seq - this.base]!;
  }

  /** The next message on the same subject after `seq`, 0 when none. */
  nextOnSameSubject(seq: number): number {
    const distance = this.nextOnSubject[seq - this.base]!;
    return distance === 0 ? 0 : seq + distance;
  }

  subjectState(subject: string): Readonly<SubjectState> | undefined {
    return this.subjects.get(subject);
  }

  /** The subjects holding more than `limit` messages. */
  subjectsOver(limit: number): Readonly<SubjectState>[] {
    const over: SubjectState[] = [];
    for (const state of this.subjects.values()) if (state.count > limit) over.push(state);
    return over;
  }

  /** How many messages match `filter`. */
  countMatching(filter: string): number {
    if (matchesEverySubject(filter)) return this.messages;
    if (!subjectHasWildcard(filter)) return this.subjects.get(filter)?.count ?? 0;
    let count = 0;
    for (const state of this.subjects.values()) if (subjectMatches(state.subject, filter)) count += state.count;
    return count;
  }

  /** How many messages at or after `fromSeq` match `filter`. */
  countMatchingFrom(filter: string, fromSeq: number): number {
    if (fromSeq <= this.firstSeq) return this.countMatching(filter);
    if (this.messages === 0 || fromSeq > this.lastSeq) return 0;
    const all = matchesEverySubject(filter);
    const literal = !all && !subjectHasWildcard(filter) ? this.subjects.get(filter) : undefined;
    if (!all && literal === undefined && !subjectHasWildcard(filter)) return 0;
    const verdicts = new Map<number, boolean>();
    let count = 0;
    for (let slot = fromSeq - this.base, last = this.lastSeq - this.base; slot <= last; slot++) {
      const id = this.subjectIds[slot]!;
      if (id === 0) continue;
      if (all || (literal !== undefined ? id === literal.id : this.idMatches(id, filter, verdicts))) count++;
    }
    return count;
  }

  subjectCounts(filter: string): Map<string, number> {
    const counts = new Map<string, number>();
    const all = matchesEverySubject(filter);
    for (const state of this.subjects.values()) {
      if (all || subjectMatches(state.subject, filter)) counts.set(state.subject, state.count);
    }
    return counts;
  }

  /**
   * The first message at or after `fromSeq` (and at most `toSeq`) matching `filter`; 0 when
   * none. A literal subject is looked for between its first and last only; a wildcard filter
   * is tested once per subject id met, remembered in `verdicts` (which a caller may share
   * across calls while no subject is added).
   */
  nextMatching(filter: string, fromSeq: number, toSeq = this.lastSeq, verdicts = new Map<number, boolean>()): number {
    if (this.messages === 0) return 0;
    const from = Math.max(Math.ceil(fromSeq), this.firstSeq);
    let to = Math.min(toSeq, this.lastSeq);
    if (matchesEverySubject(filter)) return from > to ? 0 : this.nextStored(from);
    if (!subjectHasWildcard(filter)) {
      const state = this.subjects.get(filter);
      if (state === undefined) return 0;
      if (from <= state.firstSeq) return state.firstSeq <= to ? state.firstSeq : 0;
      to = Math.min(to, state.lastSeq);
      for (let slot = from - this.base, last = to - this.base; slot <= last; slot++) {
        if (this.subjectIds[slot] === state.id) return this.base + slot;
      }
      return 0;
    }
    for (let slot = from - this.base, last = to - this.base; slot <= last; slot++) {
      const id = this.subjectIds[slot]!;
      if (id !== 0 && this.idMatches(id, filter, verdicts)) return this.base + slot;
    }
    return 0;
  }

  /** The last message matching `filter`; 0 when none. */
  lastMatching(filter: string): number {
    if (this.messages === 0) return 0;
    if (matchesEverySubject(filter)) return this.previousStored(this.lastSeq);
    if (!subjectHasWildcard(filter)) return this.subjects.get(filter)?.lastSeq ?? 0;
    if (this.subjects.size < this.lastSeq - this.firstSeq + 1) {
      let last = 0;
      for (const state of this.subjects.values()) {
        if (state.lastSeq > last && subjectMatches(state.subject, filter)) last = state.lastSeq;
      }
      return last;
    }
    const verdicts = new Map<number, boolean>();
    for (let slot = this.lastSeq - this.base, first = this.firstSeq - this.base; slot >= first; slot--) {
      const id = this.subjectIds[slot]!;
      if (id !== 0 && this.idMatches(id, filter, verdicts)) return this.base + slot;
    }
    return 0;
  }

  /** The sequences in [first, last] without a message, ascending. */
  deletedSeqs(): number[] {
    const deleted: number[] = [];
    if (this.messages === 0) return deleted;
    for (let slot = this.firstSeq - this.base, last = this.lastSeq - this.base; slot <= last; slot++) {
      if (this.subjectIds[slot] === 0) deleted.push(this.base + slot);
    }
    return deleted;
  }

  /** Subclasses keeping columns of their own move them along with these. */
  protected moveSlots(capacity: number, shift: number, length: number): void {
    this.subjectIds = moveSlots(this.subjectIds, capacity, shift, length);
    this.timesNs = moveSlots(this.timesNs, capacity, shift, length);
    this.sizes = moveSlots(this.sizes, capacity, shift, length);
    this.previousOnSubject = moveSlots(this.previousOnSubject, capacity, shift, length);
    this.nextOnSubject = moveSlots(this.nextOnSubject, capacity, shift, length);
  }

  private get windowLength(): number {
    return Math.max(0, this.lastSeq - this.base + 1);
  }

  /** Empties the slots (nothing is stored) and starts them at `seq`, back to the initial size. */
  private resetWindow(seq: number): void {
    const length = this.windowLength;
    this.capacity = INITIAL_SLOTS;
    this.moveSlots(INITIAL_SLOTS, length, length);
    this.base = seq;
  }

  /**
   * Makes room for `slot` and returns it, moved when the slots were shifted. Grows so that after
   * the shift at most half the slots are in use, so each move is paid for by as many appends.
   */
  private ensureSlot(slot: number): number {
    if (slot < this.capacity) return slot;
    const shift = this.firstSeq - this.base;
    let capacity = this.capacity;
    while (slot - shift + 1 > capacity / 2) capacity *= 2;
    this.moveSlots(capacity, shift, this.windowLength);
    this.capacity = capacity;
    this.base += shift;
    return slot - shift;
  }

  private nextStored(fromSeq: number): number {
    for (let slot = fromSeq - this.base, last = this.lastSeq - this.base; slot <= last; slot++) {
      if (this.subjectIds[slot] !== 0) return this.base + slot;
    }
    return 0;
  }

  private previousStored(fromSeq: number): number {
    for (let slot = fromSeq - this.base, first = this.firstSeq - this.base; slot >= first; slot--) {
      if (this.subjectIds[slot] !== 0) return this.base + slot;
    }
    return 0;
  }

  private idMatches(id: number, filter: string, verdicts: Map<number, boolean>): boolean {
    let verdict = verdicts.get(id);
    if (verdict === undefined) {
      verdict = subjectMatches(this.subjectsById[id]!.subject, filter);
      verdicts.set(id, verdict);
    }
    return verdict;
  }
}
