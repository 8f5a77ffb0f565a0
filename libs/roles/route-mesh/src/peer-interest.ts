import type { InterestChange } from '@nats-ts/bus';
import { AccountRegistry, type SublistEntry, type SublistResult } from '@nats-ts/routing';

/** Interest a route peer announced with RS+ (or LS+). */
export class PeerSubscription<R> implements SublistEntry {
  constructor(
    readonly account: string,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly route: R,
    /** Queue members on the peer (RS+ weight); 0 for plain interest. */
    public weight: number,
  ) {}
}

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * The interest of all route peers (`R` is a route connection): per-account sublists to choose
 * the peers a message goes to, and announcements on the bus so this node's members send such
 * messages here. A plain subject counts once per peer on the bus; a queue group's bus weight is
 * its members on all peers.
 */
export class PeerInterest<R> {
  private readonly accounts = new AccountRegistry<PeerSubscription<R>>();
  /** Each route's interest, keyed by the RS+ arguments without the weight (RS- names it so). */
  private readonly byRoute = new Map<R, Map<string, PeerSubscription<R>>>();

  constructor(private readonly announce: (change: InterestChange) => void) {}

  /** RS+: new interest, or a queue group's new weight. False when the subject is invalid. */
  add(route: R, account: string, subject: string, queue: string | undefined, weight: number): boolean {
    let subs = this.byRoute.get(route);
    if (subs === undefined) {
      subs = new Map();
      this.byRoute.set(route, subs);
    }
    const key = interestKey(account, subject, queue);
    const existing = subs.get(key);
    if (existing !== undefined) {
      if (queue === undefined || weight === existing.weight) return true;
      const delta = weight - existing.weight;
      existing.weight = weight;
      this.announce({ account, subject, queue, weight: Math.abs(delta), add: delta > 0 });
      return true;
    }
    const sub = new PeerSubscription(account, subject, queue, route, weight);
    try {
      this.accounts.getOrCreate(account).sublist.insert(sub);
    } catch {
      return false;
    }
    subs.set(key, sub);
    this.announce({ account, subject, queue, weight: queue === undefined ? 1 : weight, add: true });
    return true;
  }

  /** RS-: the arguments name the interest exactly as its RS+ did. */
  remove(route: R, account: string, subject: string, queue: string | undefined): void {
    const subs = this.byRoute.get(route);
    const key = interestKey(account, subject, queue);
    const sub = subs?.get(key);
    if (sub === undefined) return;
    subs!.delete(key);
    this.drop(sub);
  }

  /** The route closed: all its interest is gone. */
  removeRoute(route: R): void {
    const subs = this.byRoute.get(route);
    if (subs === undefined) return;
    this.byRoute.delete(route);
    for (const sub of subs.values()) this.drop(sub);
  }

  /** A route's interest (for /routez). */
  subscriptionsOf(route: R): ReadonlyMap<string, PeerSubscription<R>> {
    return this.byRoute.get(route) ?? NONE;
  }

  match(account: string, subject: string): SublistResult<PeerSubscription<R>> | undefined {
    return this.accounts.get(account)?.sublist.match(subject);
  }

  private drop(sub: PeerSubscription<R>): void {
    this.accounts.get(sub.account)?.sublist.remove(sub);
    this.announce({ account: sub.account, subject: sub.subject, queue: sub.queue, weight: sub.queue === undefined ? 1 : sub.weight, add: false });
  }
}

function interestKey(account: string, subject: string, queue: string | undefined): string {
  return queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
}

