/** What the sublist stores: a subscription subject (wildcards allowed) and an optional queue group. */
export interface SublistEntry {
  readonly subject: string;
  /** Queue group name; undefined or '' for a plain subscription. */
  readonly queue: string | undefined;
}

/**
 * Entries matching one subject: plain ones, and queue ones grouped by queue name (one inner
 * array per group, so a publisher picks one member per group). Results are shared through the
 * match cache; callers must not mutate them.
 */
export interface SublistResult<T> {
  readonly plain: readonly T[];
  readonly queues: readonly (readonly T[])[];
}

export const EMPTY_SUBLIST_RESULT: SublistResult<never> = Object.freeze({
  plain: Object.freeze([]) as readonly never[],
  queues: Object.freeze([]) as readonly (readonly never[])[],
});

export function isQueueEntry(entry: SublistEntry): entry is SublistEntry & { readonly queue: string } {
  return entry.queue !== undefined && entry.queue !== '';
}

/**
 * A result being filled while walking the tree; handed out as the result itself once complete,
 * so a cache miss allocates one object and two arrays. Queue groups are merged by name across
 * nodes with a linear scan: results rarely hold more than a few groups.
 */
export class ResultBuilder<T extends SublistEntry> implements SublistResult<T> {
  readonly plain: T[] = [];
  readonly queues: T[][] = [];

  addPlain(entries: Iterable<T>): void {
    for (const entry of entries) this.plain.push(entry);
  }

  addQueueGroup(name: string, members: Iterable<T>): void {
    let group: T[] | undefined;
    for (let i = 0; i < this.queues.length; i++) {
      const candidate = this.queues[i]!;
      if (candidate[0]!.queue === name) {
        group = candidate;
        break;
      }
    }
    if (group === undefined) {
      group = [];
      this.queues.push(group);
    }
    for (const member of members) group.push(member);
  }

  /** This builder as the finished result, or the shared empty result. */
  build(): SublistResult<T> {
    return this.plain.length === 0 && this.queues.length === 0 ? EMPTY_SUBLIST_RESULT : this;
  }
}

/** A copy of `result` with `entry` added; copied because callers may still hold the original. */
export function resultWithEntry<T extends SublistEntry>(result: SublistResult<T>, entry: T): SublistResult<T> {
  if (!isQueueEntry(entry)) {
    return { plain: [...result.plain, entry], queues: result.queues };
  }
  const queues = result.queues.slice();
  const index = queues.findIndex((group) => group[0]!.queue === entry.queue);
  if (index < 0) queues.push([entry]);
  else queues[index] = [...queues[index]!, entry];
  return { plain: result.plain, queues };
}
