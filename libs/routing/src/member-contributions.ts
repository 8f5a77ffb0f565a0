import { isValidSublistSubject } from './subject.js';

/** A bus member's current count for (account, subject, queue), as the bus delivers it. */
export interface AnnouncedInterest {
  readonly account: string;
  readonly subject: string;
  readonly queue?: string | undefined;
  readonly weight: number;
  readonly add: boolean;
}

/** One member's current contribution to (account, subject, queue): 1 for plain interest, a queue group its members. */
export interface MemberContribution {
  readonly memberId: string;
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  /** Other servers' interest (a route or gateway member's), which a leaf's hubs do not hear. */
  readonly remote: boolean;
  weight: number;
}

/** How a member's contribution moved. */
export interface ContributionDelta {
  readonly contribution: MemberContribution;
  readonly delta: number;
}

/**
 * The interest the node's other members announce, as counts per member: what a role must tell
 * its peers (route RS+, leaf LS+) while the router holds the interest itself and delivers.
 */
export class MemberContributions {
  private readonly contributions = new Map<string, MemberContribution>();

  /** Records a member's current count for a key, as the bus delivers it; returns how its contribution moved, if it did. */
  apply(memberId: string, change: AnnouncedInterest, remote = false): ContributionDelta | undefined {
    if (!isValidSublistSubject(change.subject)) return undefined;
    const queue = change.queue === '' ? undefined : change.queue;
    const key = `${memberId} ${change.account} ${change.subject} ${queue ?? ''}`;
    const weight = change.add && change.weight > 0 ? (queue === undefined ? 1 : change.weight) : 0;
    const existing = this.contributions.get(key);
    const before = existing?.weight ?? 0;
    if (weight === before) return undefined;
    if (existing !== undefined) {
      existing.weight = weight;
      if (weight === 0) this.contributions.delete(key);
      return { contribution: existing, delta: weight - before };
    }
    const contribution: MemberContribution = { memberId, account: change.account, subject: change.subject, queue, remote, weight };
    this.contributions.set(key, contribution);
    return { contribution, delta: weight };
  }

  /** Drops everything a member announced (it left the bus); returns how contributions moved. */
  removeMember(memberId: string): ContributionDelta[] {
    const changes: ContributionDelta[] = [];
    for (const [key, contribution] of this.contributions) {
      if (contribution.memberId !== memberId) continue;
      this.contributions.delete(key);
      changes.push({ contribution, delta: -contribution.weight });
    }
    return changes;
  }

  /** Every member's interest in an account. */
  *inAccount(account: string): Iterable<MemberContribution> {
    for (const contribution of this.contributions.values()) if (contribution.account === account) yield contribution;
  }
}
