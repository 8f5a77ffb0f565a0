import { forwardMask, KIND_BIT, type RouterOrigin } from '@nats-ts/routing';

/** One side of a leaf connection, as nats-server's leaf rules see it. */
export interface LeafSide {
  /** The other side is our hub (we dialed it, unless the remote says `hub: true`; or it dialed us saying it is the hub). */
  readonly isSpoke: boolean;
  /** The other side's cluster name, '' when it has none. */
  readonly remoteCluster: string;
}

/** What a message from a connection to our hub may reach: not other servers' interest (nats-server's spoke leaf). */
export const SPOKE_FORWARDS = forwardMask('leaf') & ~(KIND_BIT.route | KIND_BIT.gateway);

/** Interest (and messages) of one connection reach another unless both are our hubs, or both leafs share a cluster. */
export function linkReaches(from: LeafSide, to: LeafSide): boolean {
  if (from.isSpoke && to.isSpoke) return false;
  return from.remoteCluster === '' || from.remoteCluster !== to.remoteCluster;
}

/** A member's interest (and messages) reach a connection unless they are other servers' (`remote`: from routes or gateways) and it goes to our hub. */
export function memberReaches(remote: boolean, to: LeafSide): boolean {
  return !(remote && to.isSpoke);
}

/**
 * Whether a connection may carry a message from `origin`; `fromLeaf` is the connection it came
 * on when it came on one of ours. Never back where it came from; from another connection when
 * linkReaches; from a route or gateway only to leafs we are the hub of.
 */
export function leafTakes(to: LeafSide, origin: RouterOrigin, fromLeaf: LeafSide | undefined): boolean {
  if (fromLeaf !== undefined) return fromLeaf !== to && linkReaches(fromLeaf, to);
  const kind = origin.originKind;
  return memberReaches(kind === 'route' || kind === 'gateway', to);
}
