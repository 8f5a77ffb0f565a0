import { isValidSublistSubject, subjectHasWildcard, subjectMatches } from './subject.js';
import {
  EMPTY_SUBLIST_RESULT,
  ResultBuilder,
  resultWithEntry,
  type SublistEntry,
  type SublistResult,
} from './sublist-result.js';
import { collectAll, collectMatches, insertIntoTree, newLevel, removeFromTree, type TreeLevel } from './sublist-tree.js';

/** Cached results kept at most; past it the oldest are dropped down to CACHE_SWEEP_TO. */
const CACHE_MAX = 1024;
const CACHE_SWEEP_TO = 512;

/** The fields of nats-server's SublistStats (/subsz), camelCased. */
export interface SublistStats {
  readonly numSubscriptions: number;
  readonly numCache: number;
  readonly numInserts: number;
  readonly numRemoves: number;
  readonly numMatches: number;
  readonly cacheHitRate: number;
  readonly maxFanout: number;
  readonly avgFanout: number;
}

export class InvalidSubjectError extends Error {
  constructor(readonly subject: string) {
    super(`sublist: invalid subject ${JSON.stringify(subject)}`);
    this.name = 'InvalidSubjectError';
  }
}

/**
 * Interest for one account: a token trie of subscriptions plus a bounded cache of match
 * results keyed by published subject. Inserts patch the cached results they match, removes
 * drop them, so a cached result is always what a fresh match would return (up to order).
 */
export class Sublist<T extends SublistEntry> {
  private readonly root: TreeLevel<T> = newLevel();
  private readonly cache = new Map<string, SublistResult<T>>();
  /** Token scratch for match(); entries past the current count are stale and never read. */
  private readonly tokens: string[] = [];
  private entryCount = 0;
  private inserts = 0;
  private removes = 0;
  private matches = 0;
  private cacheHits = 0;

  /** Number of entries. */
  get count(): number {
    return this.entryCount;
  }

  /** Adds an entry. Throws InvalidSubjectError for empty tokens or a `>` before the end. Re-adding an entry already present changes nothing. */
  insert(entry: T): void {
    if (!isValidSublistSubject(entry.subject)) throw new InvalidSubjectError(entry.subject);
    if (!insertIntoTree(this.root, entry)) return;
    this.entryCount++;
    this.inserts++;
    this.addToCachedResults(entry);
  }

  /** Removes an entry (by identity); false if it was not present. */
  remove(entry: T): boolean {
    if (!isValidSublistSubject(entry.subject) || !removeFromTree(this.root, entry)) return false;
    this.entryCount--;
    this.removes++;
    this.dropCachedResults(entry.subject);
    return true;
  }

  /** Entries interested in a published subject. The result is shared: do not mutate it. */
  match(subject: string): SublistResult<T> {
    this.matches++;
    const cached = this.cache.get(subject);
    if (cached !== undefined) {
      this.cacheHits++;
      return cached;
    }
    const tokenCount = this.tokenize(subject);
    if (tokenCount < 0) return EMPTY_SUBLIST_RESULT;
    const builder = new ResultBuilder<T>();
    collectMatches(this.root, this.tokens, 0, tokenCount, builder);
    const result = builder.build();
    this.cache.set(subject, result);
    if (this.cache.size > CACHE_MAX) this.sweepCache();
    return result;
  }

  /** Every entry, in no particular order. */
  all(): T[] {
    const out: T[] = [];
    collectAll(this.root, out);
    return out;
  }

  stats(): SublistStats {
    let totalFanout = 0;
    let maxFanout = 0;
    for (const result of this.cache.values()) {
      const fanout = result.plain.length + result.queues.length;
      totalFanout += fanout;
      if (fanout > maxFanout) maxFanout = fanout;
    }
    const numCache = this.cache.size;
    return {
      numSubscriptions: this.entryCount,
      numCache,
      numInserts: this.inserts,
      numRemoves: this.removes,
      numMatches: this.matches,
      cacheHitRate: this.matches > 0 ? this.cacheHits / this.matches : 0,
      maxFanout,
      avgFanout: totalFanout > 0 ? totalFanout / numCache : 0,
    };
  }

  /**
   * Splits `subject` into the reused token buffer (faster than String.split on the miss path).
   * Returns the token count, or -1 when a token is empty: such subjects match nothing.
   */
  private tokenize(subject: string): number {
    const tokens = this.tokens;
    let count = 0;
    let start = 0;
    for (;;) {
      const end = subject.indexOf('.', start);
      const stop = end < 0 ? subject.length : end;
      if (stop === start) return -1;
      tokens[count++] = subject.substring(start, stop);
      if (end < 0) return count;
      start = end + 1;
    }
  }

  private addToCachedResults(entry: T): void {
    const subject = entry.subject;
    if (!subjectHasWildcard(subject)) {
      const cached = this.cache.get(subject);
      if (cached !== undefined) this.cache.set(subject, resultWithEntry(cached, entry));
      return;
    }
    for (const [key, cached] of this.cache) {
      if (subjectMatches(key, subject)) this.cache.set(key, resultWithEntry(cached, entry));
    }
  }

  private dropCachedResults(subject: string): void {
    if (!subjectHasWildcard(subject)) {
      this.cache.delete(subject);
      return;
    }
    for (const key of this.cache.keys()) {
      if (subjectMatches(key, subject)) this.cache.delete(key);
    }
  }

  /** Drops the oldest results (Map order is insertion order) down to the sweep mark. */
  private sweepCache(): void {
    let excess = this.cache.size - CACHE_SWEEP_TO;
    for (const key of this.cache.keys()) {
      if (excess-- <= 0) break;
      this.cache.delete(key);
    }
  }
}
