import type { InterestChange } from '@nats-ts/bus';
import { InterestTotals, MemberContributions, type ContributionDelta, type InterestTotal } from '@nats-ts/routing';

/** This node's interest in (account, subject, queue) summed over its members: what route peers hear (weight 0: gone). */
export type LocalInterestTotal = InterestTotal;

/**
 * What route peers must hear as RS+/RS- of the interest this node's members announce (the
 * router holds the interest itself): as nats-server's per-account route map, plain interest is
 * announced when it appears and disappears, queue interest whenever its number of members changes.
 */
export class LocalInterest {
  private readonly contributions = new MemberContributions();
  private readonly totals = new InterestTotals();

  /** Records a member's current count for a key (as the bus delivers it); returns the total route peers must hear, if any. */
  apply(memberId: string, change: InterestChange): LocalInterestTotal | undefined {
    const moved = this.contributions.apply(memberId, change);
    return moved === undefined ? undefined : this.report(moved);
  }

  /** Drops everything a member announced (it left the bus); returns the totals that changed. */
  removeMember(memberId: string): LocalInterestTotal[] {
    const changed: LocalInterestTotal[] = [];
    for (const moved of this.contributions.removeMember(memberId)) {
      const total = this.report(moved);
      if (total !== undefined) changed.push(total);
    }
    return changed;
  }

  /** The node's current interest, as sent to a route when it registers. */
  all(): Iterable<LocalInterestTotal> {
    return this.totals.all();
  }

  private report({ contribution, delta }: ContributionDelta): LocalInterestTotal | undefined {
    const { before, total } = this.totals.adjust({ account: contribution.account, subject: contribution.subject, queue: contribution.queue, delta });
    if (total.weight === before) return undefined;
    // Plain interest matters to routes only when it appears or disappears.
    if (total.queue === undefined && before > 0 && total.weight > 0) return undefined;
    return total;
  }
}
