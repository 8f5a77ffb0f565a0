import type { InterestRouter, RouterEntry } from '@nats-ts/routing';

/** The role services that meet on the bus; roles never import each other. */
export const ROLES = ['client-gateway', 'route-mesh', 'supercluster-gateway', 'leaf-proxy', 'stream-store'] as const;
export type Role = (typeof ROLES)[number];

/** One role instance on the bus. */
export interface MemberInfo {
  readonly memberId: string;
  /** The server (process or host) the member belongs to; several members share it. */
  readonly nodeId: string;
  readonly role: Role;
  readonly version: string;
}

/**
 * Subscription interest, keyed by (account, subject, queue).
 *
 * Announced (BusEndpoint.announceInterest): `weight` is how many subscriptions the change adds
 * (`add`) or removes, usually 1; the endpoint keeps a count per key.
 *
 * Delivered (BusHandlers.interest): the announcer's current count for the key, `add: true` with
 * `weight` = the count while it is above zero, `add: false` with `weight` 0 once it drops to
 * zero. Plain interest is delivered when it appears and disappears; queue interest on every
 * change of its weight (the number of queue members, as routes report it).
 */
export interface InterestChange {
  account: string;
  subject: string;
  /** Queue group; absent for plain subscriptions. */
  queue?: string;
  weight: number;
  add: boolean;
}

/** A message published on the bus, from one member to another. */
export interface BusMessage {
  account: string;
  subject: string;
  reply?: string;
  /** The NATS header block (`NATS/1.0\r\n...`, `headerSize` bytes) followed by the payload. */
  data: Uint8Array;
  /** 0 for a message without headers. */
  headerSize: number;
  /** W3C trace context of the publish, for tracing across roles. */
  traceparent?: string;
  /** The member that first put the message on the bus (a relay keeps it). */
  originMemberId: string;
  /**
   * Queue groups the receiver should deliver to, one member each, as in a route's RMSG.
   * The receiver always delivers to its plain subscribers; it delivers to queue subscribers only
   * for the groups listed here (the sender has already chosen where each queue group's copy goes).
   */
  queues?: readonly string[];
}

/** A remote cluster's gateway: its name and gateway URLs (host:port). */
export interface GatewayUrls {
  name: string;
  urls: readonly string[];
}

/**
 * What a member tells the others about how clients and servers reach the node and its cluster.
 * Each announcement replaces the member's previous one; members joining later receive the latest.
 */
export interface MemberState {
  /**
   * Client URLs (host:port) for clients' INFO `connect_urls`: a client-gateway announces its own
   * listeners, a route-mesh the client URLs its cluster peers gossip (none with no_advertise).
   */
  clientUrls: readonly string[];
  /** Name of the cluster the member's node is part of (route-mesh), for INFO `cluster`. */
  cluster?: string;
  /** The node's gateway URL (supercluster-gateway), which route-mesh gives its peers (route INFO `gateway_url`). */
  gatewayUrl?: string;
  /**
   * Gateway URLs of the cluster's other servers (route-mesh, from its peers' route INFO), which
   * supercluster-gateway lists in its INFO `gateway_urls`.
   */
  clusterGatewayUrls?: readonly string[];
  /**
   * Remote clusters: supercluster-gateway announces those it has an outbound gateway to, for
   * route-mesh to tell its peers; route-mesh those its peers told of, for supercluster-gateway to dial.
   */
  gateways?: readonly GatewayUrls[];
}

/**
 * Callbacks of one member. They run synchronously inside the bus call that caused them, may call
 * back into the bus, and should not throw (a throw is logged and swallowed).
 */
export interface BusHandlers {
  memberJoined(member: MemberInfo): void;
  /** The member is gone; all interest it announced must be considered removed. */
  memberLeft(member: MemberInfo): void;
  /** Another member's interest changed (members that keep no tally of the others' leave it out). */
  interest?(from: MemberInfo, change: InterestChange): void;
  /**
   * A message sent to this member (members that joined `routed` get theirs through the router
   * instead). The message's buffers are only valid during this call; copy what must outlive it.
   */
  message?(from: MemberInfo, msg: BusMessage): void;
  /** The member announced a new state (optional: members that do not care leave it out). */
  memberState?(from: MemberInfo, state: MemberState): void;
}

/** One member's connection to the bus. */
export interface BusEndpoint {
  readonly self: MemberInfo;
  /** The other members currently on the bus. */
  members(): readonly MemberInfo[];
  /**
   * The process's interest router, which every routed member of the process shares: a routed
   * member subscribes its entries into it and publishes through it.
   */
  readonly router: InterestRouter;
  /**
   * Adds an entry to the router under this member and announces it; throws InvalidSubjectError
   * for an invalid subject. Its contribution is 1 for plain interest, its weight for a queue entry.
   */
  subscribe(account: string, entry: RouterEntry): void;
  /** Removes an entry this member subscribed; false when it was not there. */
  unsubscribe(account: string, entry: RouterEntry): boolean;
  /** A subscribed queue entry's new weight (members behind it), announced as the change. */
  reweigh(account: string, entry: RouterEntry, weight: number): void;
  /** Adds or removes interest; other members (and later joiners) see this member's counts. */
  announceInterest(change: InterestChange): void;
  /** Point-to-point delivery; dropped when the target is not (or no longer) a member. */
  send(toMemberId: string, msg: BusMessage): void;
  /** Replaces this member's state; the other members (and later joiners) receive it. */
  announceState(state: MemberState): void;
  /** Leaves the bus; the others get memberLeft. */
  close(): Promise<void>;
}

export type JoinInfo = Omit<MemberInfo, 'memberId'> & {
  memberId?: string;
  /**
   * The member shares the process's router: its interest is its router entries (no copy of it is
   * made), and messages sent to it are delivered to its entries by the router.
   */
  routed?: boolean;
};

export interface BusTransport {
  /**
   * Joins as a new member (a memberId is assigned when none is given). Before the returned
   * promise resolves, the newcomer's handlers receive memberJoined for each existing member,
   * each followed by that member's current interest and state, and the others receive memberJoined.
   */
  join(info: JoinInfo, handlers: BusHandlers): Promise<BusEndpoint>;
}
