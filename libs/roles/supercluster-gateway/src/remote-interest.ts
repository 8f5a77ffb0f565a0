import type { InterestChange } from '@nats-ts/bus';
import { AccountRegistry, EMPTY_SUBLIST_RESULT, subjectHasWildcard, subjectIsSubsetMatch, type SublistEntry, type SublistResult } from '@nats-ts/routing';

/** nats-server's interest modes of an account on an outbound gateway (as /gatewayz names them). */
export const InterestMode = {
  Optimistic: 'Optimistic',
  Transitioning: 'Transitioning',
  InterestOnly: 'Interest-Only',
} as const;
export type InterestMode = (typeof InterestMode)[keyof typeof InterestMode];

/** RS- an inbound nats-server sends for an account before switching it to interest-only (/gatewayz shows it). */
export const INTEREST_ONLY_THRESHOLD = 1000;

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

/**
 * One account on one outbound gateway, as nats-server keeps it (`outsie`): its mode, the
 * subjects the peer declined with RS- while sending optimistically, and its subscriptions.
 */
export class OutboundAccount {
  mode: InterestMode = InterestMode.Optimistic;
  /** Subjects not to send; undefined once only announced interest is sent (Interest-Only). */
  noInterest: Set<string> | undefined;
  subscriptions = 0;
  queueSubscriptions = 0;

  constructor(noInterest: Set<string> | undefined) {
    this.noInterest = noInterest;
  }
}

/** An outbound gateway that gets every message of an account but those on `noInterest` subjects. */
export interface OptimisticSender<G> {
  readonly gateway: G;
  readonly noInterest: ReadonlySet<string>;
}

const NONE: ReadonlyMap<string, never> = new Map<string, never>();
const NO_SUBJECTS: ReadonlySet<string> = new Set<string>();
const NO_SENDERS: readonly OptimisticSender<never>[] = [];

/** What we know of one outbound gateway's accounts. */
class OutboundGateway<G> {
  /** Per account: its state, or null once the peer refused it (A-); absent until the peer said anything. */
  readonly accounts = new Map<string, OutboundAccount | null>();
  readonly subscriptions = new Map<string, RemoteSubscription<G>>();
  /** The sender for an account the peer said nothing about: everything goes. */
  readonly unrestricted: OptimisticSender<G>;

  constructor(
    readonly gateway: G,
    /** The peer did not announce gateway_iom (pre-2.9): accounts start Optimistic. */
    readonly optimistic: boolean,
  ) {
    this.unrestricted = { gateway, noInterest: NO_SUBJECTS };
  }
}

/**
 * The interest of the remote clusters (`G` is an outbound gateway connection), with nats-server
 * 2.9's per-account modes. A peer announcing gateway_iom gets only what its RS+ asked for. A
 * pre-2.9 peer gets every message of an account (Optimistic) except on subjects it declined
 * with RS- or of an account it refused with A-, until it switches the account (gateway_cmd 2,
 * Transitioning, still optimistic; gateway_cmd 3, Interest-Only).
 *
 * On the bus, a plain subject counts once per remote cluster and a queue group weighs one per
 * remote cluster; while some gateway sends an account optimistically, the account has one
 * catch-all (`>`) so this node's members send us all its messages.
 */
export class RemoteInterest<G> {
  private readonly sublists = new AccountRegistry<RemoteSubscription<G>>();
  private readonly gateways = new Map<G, OutboundGateway<G>>();
  private readonly senders = new Map<string, OptimisticSender<G>[]>();

  constructor(
    /** Accounts this node serves; only their messages reach us. */
    private readonly knownAccounts: ReadonlySet<string>,
    private readonly announce: (change: InterestChange) => void,
  ) {}

  /** A registered outbound gateway; `optimistic` when its peer did not announce gateway_iom. */
  addGateway(gateway: G, optimistic: boolean): void {
    this.gateways.set(gateway, new OutboundGateway(gateway, optimistic));
    if (optimistic) for (const account of this.knownAccounts) this.refreshSenders(account);
  }

  /** The gateway closed: its interest and modes are gone (they are sent again on reconnect). */
  removeGateway(gateway: G): void {
    const state = this.gateways.get(gateway);
    if (state === undefined) return;
    this.gateways.delete(gateway);
    for (const sub of state.subscriptions.values()) this.drop(sub);
    if (state.optimistic) for (const account of this.knownAccounts) this.refreshSenders(account);
  }

  // ---- what the peer tells us ----

  /**
   * RS+. Plain interest is kept once the account is switched (Transitioning, Interest-Only);
   * while Optimistic it only takes the subjects back from the declined ones, and an account the
   * peer said nothing about or refused needs no such undoing (nats-server drops those RS+). A
   * queue group is always kept, and re-opens a refused account. False when the subject is invalid.
   */
  subscribe(gateway: G, account: string, subject: string, queue: string | undefined): boolean {
    const state = this.gateways.get(gateway);
    if (state === undefined) return true;
    const entry = state.accounts.get(account);
    if (queue === undefined) {
      if (entry === undefined || entry === null) return true;
      if (entry.mode === InterestMode.Optimistic) {
        if (entry.noInterest !== undefined) allowSubject(entry.noInterest, subject);
        return true;
      }
    }
    const key = subscriptionKey(account, subject, queue);
    if (state.subscriptions.has(key)) return true;
    const sub = new RemoteSubscription(account, subject, queue, gateway);
    try {
      this.sublists.getOrCreate(account).sublist.insert(sub);
    } catch {
      return false;
    }
    const owner = entry ?? this.createAccount(state, account, new Set());
    state.subscriptions.set(key, sub);
    owner.subscriptions++;
    if (queue !== undefined) owner.queueSubscriptions++;
    this.announce({ account, subject, queue, weight: 1, add: true });
    return true;
  }

  /**
   * RS-: while Optimistic, the peer declines a subject (nothing more is sent on it); otherwise
   * it withdraws an interest named exactly as its RS+ did. An account with nothing left to
   * remember goes back to having no state, as in nats-server.
   */
  unsubscribe(gateway: G, account: string, subject: string, queue: string | undefined): void {
    const state = this.gateways.get(gateway);
    if (state === undefined) return;
    const entry = state.accounts.get(account);
    // A refused account stays refused until A+ (nats-server would start it over, sending again).
    if (entry === null) return;
    if (queue === undefined && (entry === undefined || entry.mode === InterestMode.Optimistic)) {
      if (entry === undefined) this.createAccount(state, account, new Set([subject]));
      else entry.noInterest?.add(subject);
      return;
    }
    if (entry === undefined) return;
    const key = subscriptionKey(account, subject, queue);
    const sub = state.subscriptions.get(key);
    if (sub === undefined) return;
    state.subscriptions.delete(key);
    this.drop(sub);
    entry.subscriptions--;
    if (queue !== undefined) entry.queueSubscriptions--;
    if (entry.subscriptions === 0 && entry.mode === InterestMode.Optimistic && entry.noInterest?.size === 0) {
      state.accounts.delete(account);
      this.refreshSenders(account);
    }
  }

  /**
   * A-: the peer wants nothing of this account. With queue groups there it only forgets the
   * declined subjects (as nats-server); otherwise the account and its interest are dropped.
   */
  refuseAccount(gateway: G, account: string): void {
    const state = this.gateways.get(gateway);
    if (state === undefined) return;
    const entry = state.accounts.get(account);
    if (entry === null) return;
    if (entry !== undefined && entry.queueSubscriptions > 0) {
      entry.noInterest?.clear();
      return;
    }
    if (entry !== undefined) this.dropAccountSubscriptions(state, account);
    state.accounts.set(account, null);
    this.refreshSenders(account);
  }

  /** A+: undoes A- (and forgets declined subjects); an account with queue groups keeps its state. */
  acceptAccount(gateway: G, account: string): void {
    const state = this.gateways.get(gateway);
    if (state === undefined) return;
    const entry = state.accounts.get(account);
    if (entry === undefined || (entry !== null && entry.queueSubscriptions > 0)) return;
    if (entry !== null) this.dropAccountSubscriptions(state, account);
    state.accounts.delete(account);
    this.refreshSenders(account);
  }

  /**
   * gateway_cmd 2: the peer sends all its interest in the account next. Plain RS+ are kept from
   * now on; an account that was sent optimistically still is (minus declined subjects) until
   * the switch completes, one without state gets only announced interest at once.
   */
  startInterestOnly(gateway: G, account: string): void {
    const state = this.gateways.get(gateway);
    if (state === undefined) return;
    const entry = state.accounts.get(account) ?? this.createAccount(state, account, undefined);
    entry.mode = InterestMode.Transitioning;
  }

  /** gateway_cmd 3: only announced interest is sent from now on. */
  completeInterestOnly(gateway: G, account: string): void {
    const entry = this.gateways.get(gateway)?.accounts.get(account);
    if (entry === undefined || entry === null) return;
    entry.mode = InterestMode.InterestOnly;
    if (entry.noInterest === undefined) return;
    entry.noInterest = undefined;
    this.refreshSenders(account);
  }

  // ---- what we send ----

  /** Plain and queue interest of the remote clusters in a subject. */
  match(account: string, subject: string): SublistResult<RemoteSubscription<G>> {
    return this.sublists.get(account)?.sublist.match(subject) ?? EMPTY_SUBLIST_RESULT;
  }

  /** The gateways that get every message of the account, but on their declined subjects. */
  optimisticSenders(account: string): readonly OptimisticSender<G>[] {
    return this.senders.get(account) ?? NO_SENDERS;
  }

  /** Per account: its state, or null when refused (A-). Accounts the peer said nothing about are absent. */
  accountsOf(gateway: G): ReadonlyMap<string, OutboundAccount | null> {
    return this.gateways.get(gateway)?.accounts ?? NONE;
  }

  subscriptionsOf(gateway: G): ReadonlyMap<string, RemoteSubscription<G>> {
    return this.gateways.get(gateway)?.subscriptions ?? NONE;
  }

  // ---- internals ----

  private createAccount(state: OutboundGateway<G>, account: string, noInterest: Set<string> | undefined): OutboundAccount {
    const entry = new OutboundAccount(noInterest);
    state.accounts.set(account, entry);
    this.refreshSenders(account);
    return entry;
  }

  private dropAccountSubscriptions(state: OutboundGateway<G>, account: string): void {
    for (const [key, sub] of state.subscriptions) {
      if (sub.account !== account) continue;
      state.subscriptions.delete(key);
      this.drop(sub);
    }
  }

  private drop(sub: RemoteSubscription<G>): void {
    this.sublists.get(sub.account)?.sublist.remove(sub);
    this.announce({ account: sub.account, subject: sub.subject, queue: sub.queue, weight: 1, add: false });
  }

  /**
   * Recomputes which gateways send the account optimistically after a change of state, and
   * announces the account's catch-all when the first one appears or withdraws it with the last.
   */
  private refreshSenders(account: string): void {
    if (!this.knownAccounts.has(account)) return;
    const senders: OptimisticSender<G>[] = [];
    for (const state of this.gateways.values()) {
      if (!state.optimistic) continue;
      const entry = state.accounts.get(account);
      if (entry === undefined) senders.push(state.unrestricted);
      else if (entry !== null && entry.noInterest !== undefined) senders.push({ gateway: state.gateway, noInterest: entry.noInterest });
    }
    const had = this.senders.has(account);
    if (senders.length > 0) this.senders.set(account, senders);
    else this.senders.delete(account);
    if (had !== senders.length > 0) this.announce({ account, subject: '>', queue: undefined, weight: 1, add: !had });
  }
}

function subscriptionKey(account: string, subject: string, queue: string | undefined): string {
  return queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
}

/** RS+ while Optimistic: the subject, or every declined subject a wildcard covers, is sent again. */
function allowSubject(noInterest: Set<string>, subject: string): void {
  if (!subjectHasWildcard(subject)) {
    noInterest.delete(subject);
    return;
  }
  for (const declined of noInterest) if (subjectIsSubsetMatch(declined, subject)) noInterest.delete(declined);
}
