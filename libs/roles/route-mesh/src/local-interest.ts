import type { InterestChange } from '@nats-ts/bus';
import { InterestTotals, MemberInterestTable, type InterestTotal, type MemberInterestDelta, type MemberSubscription, type SublistResult } from '@nats-ts/routing';

/** This node's interest in (account, subject, queue) summed over its members: what route peers hear (weight 0: gone). */
export type LocalInterestTotal = InterestTotal;

/**
 * The interest of this node's other bus members (client-gateway and the like), which route peers
 * must hear about as RS+/RS- and which decides where messages from routes go. As nats-server's
 * per-account route map: plain interest is announced when it appears and disappears, queue
 * interest whenever the number of members changes.
 */
export class LocalInterest {
  private readonly members = new MemberInterestTable();
  private readonly totals = new InterestTotals();

  /** Records a member's current count for a key (as the bus delivers it); returns the total route peers must hear, if any. */
  apply(memberId: string, change: InterestChange): LocalInterestTotal | undefined {
    const delta = this.members.apply(memberId, change);
    return delta === undefined ? undefined : this.report(delta);
  }

  /** Drops everything a member announced (it left the bus); returns the totals that changed. */
  removeMember(memberId: string): LocalInterestTotal[] {
    const changed: LocalInterestTotal[] = [];
    for (const delta of this.members.removeMember(memberId)) {
      const total = this.report(delta);
      if (total !== undefined) changed.push(total);
    }
    return changed;
  }

  /** The node's current interest, as sent to a route when it registers. */
  all(): Iterable<LocalInterestTotal> {
    return this.totals.all();
  }

  /** Members' interest matching a subject of an account, or undefined when the account has none. */
  match(account: string, subject: string): SublistResult<MemberSubscription> | undefined {
    return this.members.match(account, subject);
  }

  private report(delta: MemberInterestDelta): LocalInterestTotal | undefined {
    const { before, total } = this.totals.adjust(delta);
    if (total.weight === before) return undefined;
    // Plain interest matters to routes only when it appears or disappears.
    if (total.queue === undefined && before > 0 && total.weight > 0) return undefined;
    return total;
  }
}
