import type { InterestChange } from '@nats-ts/bus';
import { InterestTotals, MemberInterestTable, type MemberInterestDelta, type MemberSubscription, type SublistResult } from '@nats-ts/routing';

/** A change of the cluster's interest that inbound gateways must hear: `present` false means RS-. */
export interface ClusterInterestChange {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  readonly present: boolean;
}

/**
 * The interest of the whole cluster as this node sees it: its own members' (client-gateway) and
 * what route-mesh announces for the other servers. Decides where messages from other clusters
 * go, and is what other clusters hear: in interest-only mode a gateway tells only whether a
 * (subject, queue) has interest at all, so only 0↔1 changes are reported.
 */
export class ClusterInterest {
  private readonly members = new MemberInterestTable();
  private readonly totals = new InterestTotals();

  /** Records a member's current count for a key (as the bus delivers it); returns the change other clusters must hear. */
  apply(memberId: string, change: InterestChange): ClusterInterestChange | undefined {
    const delta = this.members.apply(memberId, change);
    return delta === undefined ? undefined : this.report(delta);
  }

  /** Drops everything a member announced (it left the bus); returns the changes. */
  removeMember(memberId: string): ClusterInterestChange[] {
    const changed: ClusterInterestChange[] = [];
    for (const delta of this.members.removeMember(memberId)) {
      const change = this.report(delta);
      if (change !== undefined) changed.push(change);
    }
    return changed;
  }

  /** The current interest of an account (sent when a gateway switches it to interest-only). */
  ofAccount(account: string): Iterable<{ subject: string; queue: string | undefined }> {
    return this.totals.ofAccount(account);
  }

  /** Accounts with any interest. */
  accountsWithInterest(): Set<string> {
    return this.totals.accounts();
  }

  match(account: string, subject: string): SublistResult<MemberSubscription> | undefined {
    return this.members.match(account, subject);
  }

  private report(delta: MemberInterestDelta): ClusterInterestChange | undefined {
    const { before, total } = this.totals.adjust(delta);
    if ((before > 0) === (total.weight > 0)) return undefined;
    return { account: total.account, subject: total.subject, queue: total.queue, present: total.weight > 0 };
  }
}
