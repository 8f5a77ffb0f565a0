import type { BusEndpoint } from '@nats-ts/bus';
import type { LinkEntry, RouterLink } from '@nats-ts/routing';

/** Interest a leaf connection announced with LS+: its entry in the process's interest router, in the account the connection is bound to. */
export class LinkSubscription<C extends RouterLink> implements LinkEntry {
  readonly kind = 'leaf';
  owner = '';

  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    readonly link: C,
    /** Queue members behind the connection (LS+ weight); 1 for plain interest. */
    public weight: number,
  ) {}
}

/** How entries enter the router: the bus endpoint, which announces them to the other members. */
export type RouterSubscriber = Pick<BusEndpoint, 'subscribe' | 'unsubscribe' | 'reweigh'>;

/**
 * What a change of one connection's interest means to the others: `delta` subscriptions (plain
 * interest counts once per connection, a queue group its weight) of `subject`/`queue`.
 */
export type LinkInterestChanged<C> = (conn: C, subject: string, queue: string | undefined, delta: number) => void;

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * The interest of every leaf connection: router entries (the router delivers messages for them),
 * kept per connection for LS-, closing and /leafz; each change is reported as a delta so the
 * other connections hear it.
 */
export class LinkInterest<C extends RouterLink & { readonly account: string }> {
  /** Each connection's interest, keyed by the LS+ arguments without the weight (LS- names it so). */
  private readonly byConn = new Map<C, Map<string, LinkSubscription<C>>>();

  constructor(
    private readonly router: RouterSubscriber,
    private readonly changed: LinkInterestChanged<C>,
  ) {}

  /** LS+: new interest, or a queue group's new weight. False when the subject is invalid. */
  add(conn: C, subject: string, queue: string | undefined, weight: number): boolean {
    let subs = this.byConn.get(conn);
    if (subs === undefined) {
      subs = new Map();
      this.byConn.set(conn, subs);
    }
    const key = queue === undefined ? subject : `${subject} ${queue}`;
    const existing = subs.get(key);
    const contribution = queue === undefined ? 1 : Math.max(1, weight);
    if (existing !== undefined) {
      const delta = contribution - existing.weight;
      if (delta === 0) return true;
      this.router.reweigh(conn.account, existing, contribution);
      this.changed(conn, subject, queue, delta);
      return true;
    }
    const sub = new LinkSubscription(subject, queue, conn, contribution);
    try {
      this.router.subscribe(conn.account, sub);
    } catch {
      return false;
    }
    subs.set(key, sub);
    this.changed(conn, subject, queue, contribution);
    return true;
  }

  /** LS-: the arguments name the interest as its LS+ did. */
  remove(conn: C, subject: string, queue: string | undefined): void {
    const subs = this.byConn.get(conn);
    const key = queue === undefined ? subject : `${subject} ${queue}`;
    const sub = subs?.get(key);
    if (sub === undefined) return;
    subs!.delete(key);
    this.drop(sub);
  }

  /** The connection closed: all its interest is gone. */
  removeConn(conn: C): void {
    const subs = this.byConn.get(conn);
    if (subs === undefined) return;
    this.byConn.delete(conn);
    for (const sub of subs.values()) this.drop(sub);
  }

  subscriptionsOf(conn: C): ReadonlyMap<string, LinkSubscription<C>> {
    return this.byConn.get(conn) ?? NONE;
  }

  private drop(sub: LinkSubscription<C>): void {
    this.router.unsubscribe(sub.link.account, sub);
    this.changed(sub.link, sub.subject, sub.queue, -sub.weight);
  }
}
