import type { InterestChange } from '@nats-ts/bus';
import { AccountRegistry, type SublistEntry, type SublistResult } from '@nats-ts/routing';

/** nats-server's interest modes of an account on an outbound gateway (as /gatewayz names them). */
export const InterestMode = {
  Optimistic: 'Optimistic',
  Transitioning: 'Transitioning',
  InterestOnly: 'Interest-Only',
} as const;
export type InterestMode = (typeof InterestMode)[keyof typeof InterestMode];

/** Interest a remote cluster announced with RS+ on one of our outbound gateways. */
export class RemoteSubscription<G> implements SublistEntry {
  /** Gateways count a queue group once per cluster, whatever its members. */
  readonly weight = 1;

  constructor(
    readonly account: string,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly gateway: G,
  ) {}
}

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * The interest of the remote clusters (`G` is an outbound gateway connection): per-account
 * sublists to choose the gateways a message goes to, each gateway's per-account mode, and
 * announcements on the bus so this node's members send such messages here. On the bus a plain
 * subject counts once per remote cluster, a queue group weighs one per remote cluster.
 */
export class RemoteInterest<G> {
  private readonly accounts = new AccountRegistry<RemoteSubscription<G>>();
  private readonly byGateway = new Map<G, Map<string, RemoteSubscription<G>>>();
  private readonly modes = new Map<G, Map<string, InterestMode>>();

  constructor(private readonly announce: (change: InterestChange) => void) {}

  mode(gateway: G, account: string): InterestMode | undefined {
    return this.modes.get(gateway)?.get(account);
  }

  modesOf(gateway: G): ReadonlyMap<string, InterestMode> {
    return this.modes.get(gateway) ?? NONE;
  }

  setMode(gateway: G, account: string, mode: InterestMode): void {
    let modes = this.modes.get(gateway);
    if (modes === undefined) {
      modes = new Map();
      this.modes.set(gateway, modes);
    }
    modes.set(account, mode);
  }

  /**
   * RS+ from the remote cluster. A peer in interest-only mode (gateway_iom) sends an account's
   * plain interest only after switching it (gateway_cmd 2); plain RS+ before that are dropped,
   * as nats-server does. False when the subject is invalid.
   */
  add(gateway: G, account: string, subject: string, queue: string | undefined): boolean {
    if (queue === undefined && this.mode(gateway, account) === undefined) return true;
    let subs = this.byGateway.get(gateway);
    if (subs === undefined) {
      subs = new Map();
      this.byGateway.set(gateway, subs);
    }
    const key = queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
    if (subs.has(key)) return true;
    const sub = new RemoteSubscription(account, subject, queue, gateway);
    try {
      this.accounts.getOrCreate(account).sublist.insert(sub);
    } catch {
      return false;
    }
    subs.set(key, sub);
    this.announce({ account, subject, queue, weight: 1, add: true });
    return true;
  }

  /** RS-: the arguments name the interest exactly as its RS+ did. */
  remove(gateway: G, account: string, subject: string, queue: string | undefined): void {
    const subs = this.byGateway.get(gateway);
    const key = queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
    const sub = subs?.get(key);
    if (sub === undefined) return;
    subs!.delete(key);
    this.drop(sub);
  }

  /** The gateway closed: its interest and modes are gone (they are sent again on reconnect). */
  removeGateway(gateway: G): void {
    this.modes.delete(gateway);
    const subs = this.byGateway.get(gateway);
    if (subs === undefined) return;
    this.byGateway.delete(gateway);
    for (const sub of subs.values()) this.drop(sub);
  }

  subscriptionsOf(gateway: G): ReadonlyMap<string, RemoteSubscription<G>> {
    return this.byGateway.get(gateway) ?? NONE;
  }

  match(account: string, subject: string): SublistResult<RemoteSubscription<G>> | undefined {
    return this.accounts.get(account)?.sublist.match(subject);
  }

  private drop(sub: RemoteSubscription<G>): void {
    this.accounts.get(sub.account)?.sublist.remove(sub);
    this.announce({ account: sub.account, subject: sub.subject, queue: sub.queue, weight: 1, add: false });
  }
}
