import type { InterestChange } from './types.js';

interface InterestCount {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  weight: number;
}

// Subjects and account names never contain spaces, so a space separates the key parts.
function keyOf(account: string, subject: string, queue: string | undefined): string {
  return queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
}

function visible(entry: InterestCount, weight: number): InterestChange {
  const change: InterestChange = { account: entry.account, subject: entry.subject, weight, add: weight > 0 };
  if (entry.queue !== undefined) change.queue = entry.queue;
  return change;
}

/**
 * One member's announced interest: a subscription count per (account, subject, queue).
 * apply() turns an announced delta into the change other members see, if they see one.
 */
export class InterestTable {
  private readonly counts = new Map<string, InterestCount>();

  /** Applies an announced change; returns the change to deliver, or undefined when nothing visible changed. */
  apply(change: InterestChange): InterestChange | undefined {
    if (!Number.isInteger(change.weight) || change.weight <= 0) {
      throw new RangeError(`bus: interest weight must be a positive integer, got ${change.weight}`);
    }
    const queue = change.queue === '' ? undefined : change.queue;
    const key = keyOf(change.account, change.subject, queue);
    const entry = this.counts.get(key);
    if (change.add) {
      if (entry === undefined) {
        const created: InterestCount = { account: change.account, subject: change.subject, queue, weight: change.weight };
        this.counts.set(key, created);
        return visible(created, created.weight);
      }
      entry.weight += change.weight;
      return queue === undefined ? undefined : visible(entry, entry.weight);
    }
    // Removing interest that was never announced (or more than was announced) clamps at zero.
    if (entry === undefined) return undefined;
    entry.weight -= change.weight;
    if (entry.weight > 0) return queue === undefined ? undefined : visible(entry, entry.weight);
    this.counts.delete(key);
    return visible(entry, 0);
  }

  /** The current interest, as the changes a newcomer needs to catch up. */
  snapshot(): InterestChange[] {
    const changes: InterestChange[] = [];
    for (const entry of this.counts.values()) changes.push(visible(entry, entry.weight));
    return changes;
  }

  get size(): number {
    return this.counts.size;
  }

  clear(): void {
    this.counts.clear();
  }
}
