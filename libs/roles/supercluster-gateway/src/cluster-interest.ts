import type { InterestChange } from '@nats-ts/bus';
import { AccountRegistry, MemberTarget, type SublistResult, type TargetedInterest } from '@nats-ts/routing';


/** One bus member's interest in (subject, queue) of an account: its current count. */
export class MemberInterest implements TargetedInterest {
  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    readonly target: MemberTarget,
    public weight: number,
  ) {}
}

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
  private readonly accounts = new AccountRegistry<MemberInterest>();
  private readonly entries = new Map<string, { account: string; entry: MemberInterest }>();
  /** Members with each (account, subject, queue). */
  private readonly counts = new Map<string, { account: string; subject: string; queue: string | undefined; members: number }>();
  private readonly targets = new Map<string, MemberTarget>();

  /** Records a member's current count for a key (as the bus delivers it); returns the change other clusters must hear. */
  apply(memberId: string, change: InterestChange): ClusterInterestChange | undefined {
    const queue = change.queue === '' ? undefined : change.queue;
    const key = `${memberId} ${change.account} ${change.subject} ${queue ?? ''}`;
    const existing = this.entries.get(key);
    if (change.add && change.weight > 0) {
      if (existing !== undefined) {
        existing.entry.weight = change.weight;
        return undefined;
      }
      const entry = new MemberInterest(change.subject, queue, this.targetFor(memberId), change.weight);
      try {
        this.accounts.getOrCreate(change.account).sublist.insert(entry);
      } catch {
        return undefined;
      }
      this.entries.set(key, { account: change.account, entry });
      return this.count(change.account, change.subject, queue, 1);
    }
    if (existing === undefined) return undefined;
    return this.removeEntry(key, existing.account, existing.entry);
  }

  /** Drops everything a member announced (it left the bus); returns the changes. */
  removeMember(memberId: string): ClusterInterestChange[] {
    const changed: ClusterInterestChange[] = [];
    const target = this.targets.get(memberId);
    if (target === undefined) return changed;
    for (const [key, { account, entry }] of this.entries) {
      if (entry.target !== target) continue;
      const change = this.removeEntry(key, account, entry);
      if (change !== undefined) changed.push(change);
    }
    this.targets.delete(memberId);
    return changed;
  }

  /** The current interest of an account (sent when a gateway switches it to interest-only). */
  *ofAccount(account: string): Iterable<{ subject: string; queue: string | undefined }> {
    for (const c of this.counts.values()) if (c.account === account) yield c;
  }

  /** Accounts with any interest. */
  accountsWithInterest(): Set<string> {
    const names = new Set<string>();
    for (const c of this.counts.values()) names.add(c.account);
    return names;
  }

  match(account: string, subject: string): SublistResult<MemberInterest> | undefined {
    return this.accounts.get(account)?.sublist.match(subject);
  }

  private removeEntry(key: string, account: string, entry: MemberInterest): ClusterInterestChange | undefined {
    this.entries.delete(key);
    this.accounts.get(account)?.sublist.remove(entry);
    return this.count(account, entry.subject, entry.queue, -1);
  }

  private count(account: string, subject: string, queue: string | undefined, delta: number): ClusterInterestChange | undefined {
    const key = queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
    let c = this.counts.get(key);
    if (c === undefined) {
      if (delta <= 0) return undefined;
      c = { account, subject, queue, members: 0 };
      this.counts.set(key, c);
    }
    const before = c.members;
    c.members = Math.max(0, before + delta);
    if (c.members === 0) this.counts.delete(key);
    if (before > 0 && c.members > 0) return undefined;
    return { account, subject, queue, present: c.members > 0 };
  }

  private targetFor(memberId: string): MemberTarget {
    let target = this.targets.get(memberId);
    if (target === undefined) {
      target = new MemberTarget(memberId);
      this.targets.set(memberId, target);
    }
    return target;
  }
}

