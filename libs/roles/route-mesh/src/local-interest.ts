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

/** This node's interest in (account, subject, queue) summed over its members: what route peers hear. */
export interface LocalInterestTotal {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  /** Plain: how many members have the interest. Queue: members of the group on this node (RS+ weight). */
  weight: number;
}

/**
 * The interest of this node's other bus members (client-gateway and the like), which route peers
 * must hear about as RS+/RS- and which decides where messages from routes go. As nats-server's
 * per-account route map: plain interest is announced when it appears and disappears, queue
 * interest whenever the number of members changes.
 */
export class LocalInterest {
  private readonly accounts = new AccountRegistry<MemberInterest>();
  private readonly entries = new Map<string, { sublistAccount: string; entry: MemberInterest }>();
  private readonly totals = new Map<string, LocalInterestTotal>();
  private readonly targets = new Map<string, MemberTarget>();

  /**
   * Records a member's current count for a key (as the bus delivers it); returns the total whose
   * change route peers must hear (weight 0: interest gone), or undefined when they need not.
   */
  apply(memberId: string, change: InterestChange): LocalInterestTotal | undefined {
    const queue = change.queue === '' ? undefined : change.queue;
    const key = `${memberId} ${change.account} ${change.subject} ${queue ?? ''}`;
    const existing = this.entries.get(key);
    if (change.add && change.weight > 0) {
      if (existing !== undefined) {
        const delta = change.weight - existing.entry.weight;
        existing.entry.weight = change.weight;
        return queue === undefined || delta === 0 ? undefined : this.adjustTotal(change.account, change.subject, queue, delta);
      }
      const sublist = this.accounts.getOrCreate(change.account).sublist;
      const entry = new MemberInterest(change.subject, queue, this.targetFor(memberId), change.weight);
      try {
        sublist.insert(entry);
      } catch {
        return undefined;
      }
      this.entries.set(key, { sublistAccount: change.account, entry });
      return this.adjustTotal(change.account, change.subject, queue, queue === undefined ? 1 : change.weight);
    }
    if (existing === undefined) return undefined;
    return this.removeEntry(key, existing.sublistAccount, existing.entry);
  }

  /** Drops everything a member announced (it left the bus); returns the totals that changed. */
  removeMember(memberId: string): LocalInterestTotal[] {
    const changed: LocalInterestTotal[] = [];
    const prefix = `${memberId} `;
    for (const [key, { sublistAccount, entry }] of this.entries) {
      if (!key.startsWith(prefix) || entry.target.memberId !== memberId) continue;
      const total = this.removeEntry(key, sublistAccount, entry);
      if (total !== undefined) changed.push(total);
    }
    this.targets.delete(memberId);
    return changed;
  }

  /** The node's current interest, as sent to a route when it registers. */
  all(): Iterable<LocalInterestTotal> {
    return this.totals.values();
  }

  /** Members' interest matching a subject of an account, or undefined when the account has none. */
  match(account: string, subject: string): SublistResult<MemberInterest> | undefined {
    return this.accounts.get(account)?.sublist.match(subject);
  }

  private removeEntry(key: string, account: string, entry: MemberInterest): LocalInterestTotal | undefined {
    this.entries.delete(key);
    this.accounts.get(account)?.sublist.remove(entry);
    return this.adjustTotal(account, entry.subject, entry.queue, entry.queue === undefined ? -1 : -entry.weight);
  }

  private adjustTotal(account: string, subject: string, queue: string | undefined, delta: number): LocalInterestTotal | undefined {
    const key = queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
    let total = this.totals.get(key);
    if (total === undefined) {
      if (delta <= 0) return undefined;
      total = { account, subject, queue, weight: 0 };
      this.totals.set(key, total);
    }
    const before = total.weight;
    total.weight = Math.max(0, before + delta);
    if (total.weight === 0) this.totals.delete(key);
    // Plain interest matters to routes only when it appears or disappears.
    if (queue === undefined && before > 0 && total.weight > 0) return undefined;
    return { ...total };
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
