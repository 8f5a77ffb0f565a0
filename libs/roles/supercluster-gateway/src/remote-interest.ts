import type { BusEndpoint } from '@nats-ts/bus';
import { GATEWAY_REPLY_PREFIX } from '@nats-ts/protocol';
import { subjectHasWildcard, subjectIsSubsetMatch, type LinkEntry, type RouterLink } from '@nats-ts/routing';

/** nats-server's interest modes of an account on an outbound gateway (as /gatewayz names them). */
export const InterestMode = {
  Optimistic: 'Optimistic',
  Transitioning: 'Transitioning',
  InterestOnly: 'Interest-Only',
} as const;
export type InterestMode = (typeof InterestMode)[keyof typeof InterestMode];

/** RS- an inbound nats-server sends for an account before switching it to interest-only (/gatewayz shows it). */
export const INTEREST_ONLY_THRESHOLD = 1000;

/** An outbound gateway as the router reaches it: its connection, and how near its cluster is. */
export interface GatewayLink extends RouterLink {
  readonly rttMs: number;
}

/**
 * What a remote cluster gets over one of our outbound gateways, as an entry of the process's
 * router: interest it announced with RS+, its catch-all (`>`) while the account is sent
 * optimistically, or the replies to its requests (`_GR_.>`).
 */
export class RemoteSubscription<G extends GatewayLink> implements LinkEntry {
  readonly kind = 'gateway';
  owner = '';
  /** Gateways count a queue group once per cluster, whatever its members. */
  readonly weight = 1;

  constructor(
    readonly account: string,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly link: G,
  ) {}

  /** A queue group in several clusters goes to the nearest one. */
  get rttMs(): number {
    return this.link.rttMs;
  }
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

/** The part of the bus endpoint that takes router entries. */
export type RouterSubscriber = Pick<BusEndpoint, 'subscribe' | 'unsubscribe'>;

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

/** What we know of one outbound gateway's accounts. */
class OutboundGateway<G extends GatewayLink> {
  /** Per account: its state, or null once the peer refused it (A-); absent until the peer said anything. */
  readonly accounts = new Map<string, OutboundAccount | null>();
  /** The interest its RS+ announced, keyed by the RS+ arguments (RS- names it so). */
  readonly subscriptions = new Map<string, RemoteSubscription<G>>();
  /** Per account sent optimistically, its catch-all. */
  readonly catchAll = new Map<string, RemoteSubscription<G>>();
  /** Per known account, where replies mapped for that cluster go. */
  readonly replies: RemoteSubscription<G>[] = [];

  constructor(
    readonly gateway: G,
    /** The peer did not announce gateway_iom (pre-2.9): accounts start Optimistic. */
    readonly optimistic: boolean,
  ) {}
}

/**
 * The interest of the remote clusters (`G` is an outbound gateway connection), with nats-server
 * 2.9's per-account modes. A peer announcing gateway_iom gets only what its RS+ asked for. A
 * pre-2.9 peer gets every message of an account (Optimistic) except on subjects it declined
 * with RS- or of an account it refused with A-, until it switches the account (gateway_cmd 2,
 * Transitioning, still optimistic; gateway_cmd 3, Interest-Only).
 *
 * The interest lives in the process's router as gateway entries whose link is the gateway (one
 * RMSG per cluster and message): each RS+ kept, a catch-all (`>`) per account a gateway sends
 * optimistically (the gateway holds back the declined subjects, see `declines`), and `_GR_.>`
 * per known account, as replies to a cluster's requests go back to it whatever its interest.
 */
export class RemoteInterest<G extends GatewayLink> {
  private readonly gateways = new Map<G, OutboundGateway<G>>();

  constructor(
    /** Accounts this node serves; only their messages reach us. */
    private readonly knownAccounts: ReadonlySet<string>,
    private readonly router: RouterSubscriber,
  ) {}

  /** A registered outbound gateway; `optimistic` when its peer did not announce gateway_iom. */
  addGateway(gateway: G, optimistic: boolean): void {
    const state = new OutboundGateway(gateway, optimistic);
    this.gateways.set(gateway, state);
    for (const account of this.knownAccounts) {
      const replies = new RemoteSubscription(account, `${GATEWAY_REPLY_PREFIX}>`, undefined, gateway);
      this.router.subscribe(account, replies);
      state.replies.push(replies);
      this.refreshCatchAll(state, account);
    }
  }

  /** The gateway closed: its interest and modes are gone (they are sent again on reconnect). */
  removeGateway(gateway: G): void {
    const state = this.gateways.get(gateway);
    if (state === undefined) return;
    this.gateways.delete(gateway);
    for (const sub of state.subscriptions.values()) this.drop(sub);
    for (const sub of state.catchAll.values()) this.drop(sub);
    for (const sub of state.replies) this.drop(sub);
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
      this.router.subscribe(account, sub);
    } catch {
      return false;
    }
    const owner = entry ?? this.createAccount(state, account, new Set());
    state.subscriptions.set(key, sub);
    owner.subscriptions++;
    if (queue !== undefined) owner.queueSubscriptions++;
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
      this.refreshCatchAll(state, account);
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
    this.refreshCatchAll(state, account);
  }

  /** A+: undoes A- (and forgets declined subjects); an account with queue groups keeps its state. */
  acceptAccount(gateway: G, account: string): void {
    const state = this.gateways.get(gateway);
    if (state === undefined) return;
    const entry = state.accounts.get(account);
    if (entry === undefined || (entry !== null && entry.queueSubscriptions > 0)) return;
    if (entry !== null) this.dropAccountSubscriptions(state, account);
    state.accounts.delete(account);
    this.refreshCatchAll(state, account);
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
    const state = this.gateways.get(gateway);
    const entry = state?.accounts.get(account);
    if (entry === undefined || entry === null) return;
    entry.mode = InterestMode.InterestOnly;
    if (entry.noInterest === undefined) return;
    entry.noInterest = undefined;
    this.refreshCatchAll(state!, account);
  }

  // ---- what we send ----

  /**
   * Whether a message the router gave a gateway with no queue group must stay back: the peer
   * declined its subject (RS-) while the account is sent optimistically, and no plain interest
   * it announced since (kept once the account is Transitioning) covers it.
   */
  declines(gateway: G, account: string, subject: string): boolean {
    const state = this.gateways.get(gateway);
    const declined = state?.accounts.get(account)?.noInterest;
    if (declined === undefined || declined.size === 0 || !declined.has(subject)) return false;
    for (const sub of state!.subscriptions.values()) {
      if (sub.queue === undefined && sub.account === account && subjectIsSubsetMatch(subject, sub.subject)) return false;
    }
    return true;
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
    this.refreshCatchAll(state, account);
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
    this.router.unsubscribe(sub.account, sub);
  }

  /**
   * After a change of an account's state on a pre-2.9 gateway: it has the account's catch-all
   * while it sends the account optimistically (the peer said nothing of it, or has not finished
   * switching it to interest-only), and none once refused or switched.
   */
  private refreshCatchAll(state: OutboundGateway<G>, account: string): void {
    if (!state.optimistic || !this.knownAccounts.has(account)) return;
    const entry = state.accounts.get(account);
    const optimistic = entry === undefined || (entry !== null && entry.noInterest !== undefined);
    const catchAll = state.catchAll.get(account);
    if (optimistic && catchAll === undefined) {
      const sub = new RemoteSubscription(account, '>', undefined, state.gateway);
      this.router.subscribe(account, sub);
      state.catchAll.set(account, sub);
    } else if (!optimistic && catchAll !== undefined) {
      state.catchAll.delete(account);
      this.drop(catchAll);
    }
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
