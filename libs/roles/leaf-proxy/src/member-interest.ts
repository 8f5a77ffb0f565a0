import type { InterestChange, MemberInfo } from '@nats-ts/bus';
import { AccountRegistry, type SublistEntry, type SublistResult } from '@nats-ts/routing';

/** A bus member that may receive a message from a leaf; reused across messages to collect its queue groups. */
export class MemberTarget {
  /** Message counter value when last chosen (so one message picks a member once). */
  mark = 0;
  readonly queues: string[] = [];

  constructor(
    readonly memberId: string,
    /** Interest of a route-mesh or supercluster-gateway: other servers', not this node's own. */
    readonly remote: boolean,
  ) {}
}

/** One member's interest in (subject, queue) of an account. */
export class MemberSubscription implements SublistEntry {
  constructor(
    readonly account: string,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly target: MemberTarget,
    /** 1 for plain interest; a queue group's member count. */
    public weight: number,
  ) {}
}

/** A change of the node's interest as leaf connections count it. */
export interface MemberInterestDelta {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  readonly delta: number;
  readonly target: MemberTarget;
}

/** Roles whose interest is other servers' (learned over routes or gateways). */
export function isRemoteRole(role: string): boolean {
  return role === 'route-mesh' || role === 'supercluster-gateway';
}

/**
 * The interest the node's other bus members announce (client-gateway, route-mesh, ...): what
 * leaf connections must hear as LS+/LS-, and where messages from leafs go. Plain interest
 * counts once per member, a queue group its weight.
 */
export class MemberInterest {
  private readonly accounts = new AccountRegistry<MemberSubscription>();
  private readonly entries = new Map<string, MemberSubscription>();
  private readonly targets = new Map<string, MemberTarget>();

  /** Records a member's current count for a key, as the bus delivers it; the change, if any. */
  apply(member: MemberInfo, change: InterestChange): MemberInterestDelta | undefined {
    const queue = change.queue === '' ? undefined : change.queue;
    const key = `${member.memberId} ${change.account} ${change.subject} ${queue ?? ''}`;
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
    const target = this.targetFor(member);
    const sub = new MemberSubscription(change.account, change.subject, queue, target, contribution);
    try {
      this.accounts.getOrCreate(change.account).sublist.insert(sub);
    } catch {
      return undefined;
    }
    this.entries.set(key, sub);
    return { account: change.account, subject: change.subject, queue, delta: contribution, target };
  }

  /** Drops everything a member announced (it left the bus); the changes. */
  removeMember(memberId: string): MemberInterestDelta[] {
    const changes: MemberInterestDelta[] = [];
    for (const [key, sub] of this.entries) {
      if (sub.target.memberId !== memberId) continue;
      this.entries.delete(key);
      this.accounts.get(sub.account)?.sublist.remove(sub);
      changes.push({ account: sub.account, subject: sub.subject, queue: sub.queue, delta: -sub.weight, target: sub.target });
    }
    this.targets.delete(memberId);
    return changes;
  }

  /** Every member's interest in an account, for a connection's initial LS+ dump. */
  *inAccount(account: string): Iterable<MemberSubscription> {
    for (const sub of this.entries.values()) if (sub.account === account) yield sub;
  }

  match(account: string, subject: string): SublistResult<MemberSubscription> | undefined {
    return this.accounts.get(account)?.sublist.match(subject);
  }

  private targetFor(member: MemberInfo): MemberTarget {
    let target = this.targets.get(member.memberId);
    if (target === undefined) {
      target = new MemberTarget(member.memberId, isRemoteRole(member.role));
      this.targets.set(member.memberId, target);
    }
    return target;
  }
}
