import type { InterestChange } from '@nats-ts/bus';
import { isValidSublistSubject } from '@nats-ts/routing';

/** A change of the cluster's interest that inbound gateways must hear: `present` false means RS-. */
export interface ClusterInterestChange {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  readonly present: boolean;
}

/** One (subject, queue) of an account, and the members with interest in it. */
interface Interest {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly members: Set<string>;
}

/**
 * What other clusters hear of the whole cluster's interest as this node sees it: its own
 * members' (client-gateway) and what route-mesh announces for the other servers (the router
 * holds the interest itself and routes messages from other clusters). In interest-only mode a
 * gateway tells only whether a (subject, queue) has interest at all, so only which members have
 * it is kept, and only 0↔1 changes are reported.
 */
export class ClusterInterest {
  /** Per account, per (subject, queue). */
  private readonly accounts = new Map<string, Map<string, Interest>>();
  /** The keys each member has interest in, for when it leaves. */
  private readonly byMember = new Map<string, Map<string, string>>();

  /** Records a member's current count for a key (as the bus delivers it); returns the change other clusters must hear. */
  apply(memberId: string, change: InterestChange): ClusterInterestChange | undefined {
    if (!isValidSublistSubject(change.subject)) return undefined;
    const queue = change.queue === '' ? undefined : change.queue;
    const key = queue === undefined ? change.subject : `${change.subject} ${queue}`;
    return change.add && change.weight > 0 ? this.add(memberId, change.account, key, change.subject, queue) : this.remove(memberId, change.account, key);
  }

  /** Drops everything a member announced (it left the bus); returns the changes. */
  removeMember(memberId: string): ClusterInterestChange[] {
    const changed: ClusterInterestChange[] = [];
    for (const [accountKey, account] of this.byMember.get(memberId) ?? []) {
      const change = this.remove(memberId, account, accountKey.slice(account.length + 1));
      if (change !== undefined) changed.push(change);
    }
    this.byMember.delete(memberId);
    return changed;
  }

  /** The current interest of an account (sent when a gateway switches it to interest-only). */
  ofAccount(account: string): Iterable<{ subject: string; queue: string | undefined }> {
    return this.accounts.get(account)?.values() ?? [];
  }

  /** Accounts with any interest. */
  accountsWithInterest(): Set<string> {
    return new Set(this.accounts.keys());
  }

  private add(memberId: string, account: string, key: string, subject: string, queue: string | undefined): ClusterInterestChange | undefined {
    let keys = this.byMember.get(memberId);
    if (keys === undefined) this.byMember.set(memberId, (keys = new Map()));
    keys.set(`${account} ${key}`, account);
    let interests = this.accounts.get(account);
    if (interests === undefined) this.accounts.set(account, (interests = new Map()));
    const interest = interests.get(key);
    if (interest !== undefined) {
      interest.members.add(memberId);
      return undefined;
    }
    interests.set(key, { subject, queue, members: new Set([memberId]) });
    return { account, subject, queue, present: true };
  }

  private remove(memberId: string, account: string, key: string): ClusterInterestChange | undefined {
    this.byMember.get(memberId)?.delete(`${account} ${key}`);
    const interests = this.accounts.get(account);
    const interest = interests?.get(key);
    if (interest === undefined || !interest.members.delete(memberId) || interest.members.size > 0) return undefined;
    interests!.delete(key);
    if (interests!.size === 0) this.accounts.delete(account);
    return { account, subject: interest.subject, queue: interest.queue, present: false };
  }
}
