import type { SublistEntry } from '../sublist-result.js';
import type { InterestKind } from './interest-kind.js';

/** Where a message enters the router: its kind decides what it may be forwarded to. */
export interface RouterOrigin {
  readonly originKind: InterestKind;
  /** The bus member the message enters through (a link to a bus member sends it as from this member). */
  readonly originMember: string;
  /**
   * The entry kinds its messages may reach, when narrower than its kind's delivery policy (a
   * leaf connection to our hub: not other servers', as nats-server's spoke leaf).
   */
  readonly forwards?: number;
  /** The publisher's round trip (a client's), which a request into an imported service reports to the responder. */
  readonly rttMs?: number;
  /**
   * A client publisher as nats-server's ClientInfo (its account and round trip; every detail
   * when `detailed`), for the service latency metrics naming requester and responder.
   */
  clientInfo?(detailed: boolean): Record<string, unknown>;
}

/**
 * A link to another server or process (a route, gateway or leaf connection, a bus member): one
 * copy of a message per link, naming the queue groups it was chosen for, as RMSG does.
 */
export interface RouterLink {
  /** The router's pass that last took this link (so one message takes it once). */
  mark: number;
  /** The queue groups the link carries the current message for. */
  readonly queueScratch: string[];
  /**
   * False when the link must not carry this message from `origin` (a leaf connection's rules: not
   * back where it came from, nor past its permissions); a link without it takes every message
   * the delivery policy lets reach its kind. Applies to plain interest and queue picks alike.
   */
  accepts?(origin: RouterOrigin, subject: string): boolean;
  /**
   * Sends the message: `data[start, end)` holds the header block (its first `headerSize` bytes)
   * then the payload; valid only during the call.
   */
  sendRouted(
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
    origin: RouterOrigin,
  ): void;
}

interface EntryBase extends SublistEntry {
  readonly kind: InterestKind;
  /** The bus member that subscribed it; messages addressed to that member reach only its entries. */
  owner: string;
  /** Subscriptions behind the entry, for queue selection (a remote queue group's members). */
  weight: number;
}

/** A subscriber this server delivers to itself: a client's SUB, an internal subscription. */
export interface SubscriberEntry extends EntryBase {
  readonly link: undefined;
  /** False when this subscriber must not get a message from `origin` (a client without echo, a closed one). */
  accepts(origin: RouterOrigin): boolean;
  deliver(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void;
}

/** Interest reached over a link. */
export interface LinkEntry extends EntryBase {
  readonly link: RouterLink;
  /**
   * A gateway entry's round trip to its cluster: a queue group in several other clusters goes to
   * the nearest one (geo-affinity, as nats-server), not by weight.
   */
  readonly rttMs?: number;
}

export type RouterEntry = SubscriberEntry | LinkEntry;
