import { AccountRegistry } from './account.js';
import type { SublistResult } from './sublist-result.js';
import { MemberTarget, type TargetedInterest } from './weighted-fanout.js';

/** An interest announcement of a bus member: its current count for (account, subject, queue). */
export interface MemberInterestChange {
  readonly account: string;
  readonly subject: string;
  readonly queue?: string;
  readonly weight: number;
  readonly add: boolean;
}

/** One member's interest in (subject, queue) of an account, and what it contributes. */
export class MemberSubscription implements TargetedInterest {
  constructor(
    readonly account: string,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly target: MemberTarget,
    /** 1 for plain interest; a queue group's member count. */
    public weight: number,
  ) {}
}

/** How a member's contribution to (account, subject, queue) moved. */
export interface MemberInterestDelta {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  readonly delta: number;
  readonly target: MemberTarget;
}

/**
 * The interest other bus members announce, as a role that carries messages for them keeps it
 * (route-mesh, supercluster-gateway, leaf-proxy): per-account sublists of each member's
 * (subject, queue) to route incoming messages, one MemberTarget per member so a message marks
 * it once. Plain interest contributes 1 per member, a queue group its member count.
 */
export class MemberInterestTable {
  private readonly accounts = new AccountRegistry<MemberSubscription>();
  private readonly entries = new Map<string, MemberSubscription>();
  private readonly targets = new Map<string, MemberTarget>();

  /**
   * Records a member's current count for a key, as the bus delivers it; returns how its
   * contribution moved, if it did. `remote` marks a member carrying other servers' interest.
   */
  apply(memberId: string, change: MemberInterestChange, remote = false): MemberInterestDelta | undefined {
    const queue = change.queue === '' ? undefined : change.queue;
    const key = `${memberId} ${change.account} ${change.subject} ${queue ?? ''}`;
    const existing = this.entries.get(key);
    const contribution = change.add && change.weight > 0 ? (queue === undefined ? 1 : change.weight) : 0;
    if (existing !== undefined) {
      const delta = contribution - existing.weight;
      if (delta === 0) return undefined;
      if (contribution === 0) {
        this.entries.delete(key);
        this.accounts.get(existing.account)?.sublist.remove(existing);
      } else {
        existing.weight = contribution;
      }
      return { account: existing.account, subject: existing.subject, queue, delta, target: existing.target };
    }
    if (contribution === 0) return undefined;
    const target = this.targetFor(memberId, remote);
    const sub = new MemberSubscription(change.account, change.subject, queue, target, contribution);
    try {
      this.accounts.getOrCreate(change.account).sublist.insert(sub);
    } catch {
      return undefined; // an invalid subject: no interest
    }
    this.entries.set(key, sub);
    return { account: change.account, subject: change.subject, queue, delta: contribution, target };
  }

  /** Drops everything a member announced (it left the bus); returns how contributions moved. */
  removeMember(memberId: string): MemberInterestDelta[] {
    const changes: MemberInterestDelta[] = [];
    const target = this.targets.get(memberId);
    if (target === undefined) return changes;
    for (const [key, sub] of this.entries) {
      if (sub.target !== target) continue;
      this.entries.delete(key);
      this.accounts.get(sub.account)?.sublist.remove(sub);
      changes.push({ account: sub.account, subject: sub.subject, queue: sub.queue, delta: -sub.weight, target });
    }
    this.targets.delete(memberId);
    return changes;
  }

  /** Every member's interest in an account. */
  *inAccount(account: string): Iterable<MemberSubscription> {
    for (const sub of this.entries.values()) if (sub.account === account) yield sub;
  }

  /** Members' interest matching a subject of an account, or undefined when the account has none. */
  match(account: string, subject: string): SublistResult<MemberSubscription> | undefined {
    return this.accounts.get(account)?.sublist.match(subject);
  }

  private targetFor(memberId: string, remote: boolean): MemberTarget {
    let target = this.targets.get(memberId);
    if (target === undefined) {
      target = new MemberTarget(memberId, remote);
      this.targets.set(memberId, target);
    }
    return target;
  }
}

/** The members' interest in (account, subject, queue) summed: members with plain interest, or a queue group's members. */
export interface InterestTotal {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  weight: number;
}

/** Sums of MemberInterestTable contributions per (account, subject, queue): what a peer server hears. */
export class InterestTotals {
  private readonly totals = new Map<string, InterestTotal>();

  /** Applies a delta; returns the weight before it and the total after (weight 0: gone). */
  adjust(change: Pick<MemberInterestDelta, 'account' | 'subject' | 'queue' | 'delta'>): { before: number; total: InterestTotal } {
    const { account, subject, queue } = change;
    const key = queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
    let total = this.totals.get(key);
    if (total === undefined) {
      total = { account, subject, queue, weight: 0 };
      this.totals.set(key, total);
    }
    const before = total.weight;
    total.weight = Math.max(0, before + change.delta);
    if (total.weight === 0) this.totals.delete(key);
    return { before, total: { ...total } };
  }

  all(): Iterable<InterestTotal> {
    return this.totals.values();
  }

  *ofAccount(account: string): Iterable<InterestTotal> {
    for (const total of this.totals.values()) if (total.account === account) yield total;
  }

  accounts(): Set<string> {
    const names = new Set<string>();
    for (const total of this.totals.values()) names.add(total.account);
    return names;
  }
}
