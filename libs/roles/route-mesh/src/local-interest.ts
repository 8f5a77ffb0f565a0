import type { InterestChange } from '@nats-ts/bus';
import { InterestTotals, isValidSublistSubject, type InterestTotal } from '@nats-ts/routing';

/** This node's interest in (account, subject, queue) summed over its members: what route peers hear (weight 0: gone). */
export type LocalInterestTotal = InterestTotal;

interface Contribution {
  readonly memberId: string;
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  weight: number;
}

/**
 * What route peers must hear as RS+/RS- of the interest this node's members announce (the
 * router holds the interest itself): as nats-server's per-account route map, plain interest is
 * announced when it appears and disappears, queue interest whenever its number of members changes.
 */
export class LocalInterest {
  private readonly contributions = new Map<string, Contribution>();
  private readonly totals = new InterestTotals();

  /** Records a member's current count for a key (as the bus delivers it); returns the total route peers must hear, if any. */
  apply(memberId: string, change: InterestChange): LocalInterestTotal | undefined {
    if (!isValidSublistSubject(change.subject)) return undefined;
    const queue = change.queue === '' ? undefined : change.queue;
    const key = `${memberId} ${change.account} ${change.subject} ${queue ?? ''}`;
    // Plain interest counts once per member, a queue group its members.
    const weight = change.add && change.weight > 0 ? (queue === undefined ? 1 : change.weight) : 0;
    const existing = this.contributions.get(key);
    const before = existing?.weight ?? 0;
    if (weight === before) return undefined;
    if (weight === 0) this.contributions.delete(key);
    else if (existing !== undefined) existing.weight = weight;
    else this.contributions.set(key, { memberId, account: change.account, subject: change.subject, queue, weight });
    return this.report(change.account, change.subject, queue, weight - before);
  }

  /** Drops everything a member announced (it left the bus); returns the totals that changed. */
  removeMember(memberId: string): LocalInterestTotal[] {
    const changed: LocalInterestTotal[] = [];
    for (const [key, c] of this.contributions) {
      if (c.memberId !== memberId) continue;
      this.contributions.delete(key);
      const total = this.report(c.account, c.subject, c.queue, -c.weight);
      if (total !== undefined) changed.push(total);
    }
    return changed;
  }

  /** The node's current interest, as sent to a route when it registers. */
  all(): Iterable<LocalInterestTotal> {
    return this.totals.all();
  }

  private report(account: string, subject: string, queue: string | undefined, delta: number): LocalInterestTotal | undefined {
    const { before, total } = this.totals.adjust({ account, subject, queue, delta });
    if (total.weight === before) return undefined;
    // Plain interest matters to routes only when it appears or disappears.
    if (total.queue === undefined && before > 0 && total.weight > 0) return undefined;
    return total;
  }
}
