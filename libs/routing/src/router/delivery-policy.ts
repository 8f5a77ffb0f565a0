import { KIND_BIT, type InterestKind } from './interest-kind.js';

const ALL = KIND_BIT.client | KIND_BIT.internal | KIND_BIT.route | KIND_BIT.gateway | KIND_BIT.leaf | KIND_BIT.node;

/**
 * The kinds of entry a message may be delivered to, by where it came from (nats-server's
 * processMsgResults and its callers):
 * - from a client or an internal publisher: everything;
 * - from a route: this server's own subscribers and leafs, never another route (the sending
 *   server reached every peer itself) nor a gateway (the sending server fed the gateways);
 * - from a gateway: this server's own subscribers, leafs, and the other servers of the cluster
 *   (a remote cluster sends to one server of ours), never another gateway;
 * - from a leaf: everything (the leaf role keeps a message off the connection it came on);
 * - from this server's process elsewhere on the bus (`node`): what its publisher could reach
 *   here, that is everything but other processes of the server (they were sent their own copy).
 */
const FORWARDS: Readonly<Record<InterestKind, number>> = {
  client: ALL,
  internal: ALL,
  route: KIND_BIT.client | KIND_BIT.internal | KIND_BIT.leaf | KIND_BIT.node,
  gateway: KIND_BIT.client | KIND_BIT.internal | KIND_BIT.leaf | KIND_BIT.node | KIND_BIT.route,
  leaf: ALL,
  node: ALL & ~KIND_BIT.node,
};

/** The mask of entry kinds a message from `origin` may go to. */
export function forwardMask(origin: InterestKind): number {
  return FORWARDS[origin];
}

/** Whether a message from `origin` may be delivered to an entry of `kind`. */
export function mayDeliver(origin: InterestKind, kind: InterestKind): boolean {
  return (FORWARDS[origin] & KIND_BIT[kind]) !== 0;
}
