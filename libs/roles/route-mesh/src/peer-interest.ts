import type { BusEndpoint } from '@nats-ts/bus';
import type { LinkEntry, RouterLink } from '@nats-ts/routing';

/** Interest a route peer announced with RS+: its entry in the process's interest router. */
export class PeerSubscription<R extends RouterLink> implements LinkEntry {
  readonly kind = 'route';
  owner = '';

  constructor(
    readonly account: string,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly link: R,
    /** Queue members on the peer (RS+ weight); 0 for plain interest. */
    public weight: number,
  ) {}
}

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

/** The part of the bus endpoint that takes router entries. */
export type RouterSubscriber = Pick<BusEndpoint, 'subscribe' | 'unsubscribe' | 'reweigh'>;

/**
 * What each route peer announced (RS+/RS-), as the route protocol needs it: RS- names interest by
 * its RS+ arguments, and /routez lists a route's interest. The entries themselves live in the
 * process's interest router, which delivers to the peers.
 */
export class PeerInterest<R extends RouterLink> {
  /** Each route's interest, keyed by the RS+ arguments without the weight (RS- names it so). */
  private readonly byRoute = new Map<R, Map<string, PeerSubscription<R>>>();

  constructor(private readonly router: RouterSubscriber) {}

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
      if (queue !== undefined && weight !== existing.weight) this.router.reweigh(account, existing, weight);
      return true;
    }
    const sub = new PeerSubscription(account, subject, queue, route, weight);
    try {
      this.router.subscribe(account, sub);
    } catch {
      return false;
    }
    subs.set(key, sub);
    return true;
  }

  /** RS-: the arguments name the interest exactly as its RS+ did. */
  remove(route: R, account: string, subject: string, queue: string | undefined): void {
    const subs = this.byRoute.get(route);
    const key = interestKey(account, subject, queue);
    const sub = subs?.get(key);
    if (sub === undefined) return;
    subs!.delete(key);
    this.router.unsubscribe(account, sub);
  }

  /** The route closed: all its interest is gone. */
  removeRoute(route: R): void {
    const subs = this.byRoute.get(route);
    if (subs === undefined) return;
    this.byRoute.delete(route);
    for (const sub of subs.values()) this.router.unsubscribe(sub.account, sub);
  }

  /** A route's interest (for /routez). */
  subscriptionsOf(route: R): ReadonlyMap<string, PeerSubscription<R>> {
    return this.byRoute.get(route) ?? NONE;
  }
}

function interestKey(account: string, subject: string, queue: string | undefined): string {
  return queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
}
