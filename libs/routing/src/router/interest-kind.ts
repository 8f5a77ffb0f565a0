/**
 * What an entry of the router stands for, and where a message came from. nats-server keeps one
 * account sublist with entries of every kind and decides by the connection's kind what a
 * message may be forwarded to; these are our kinds.
 *
 * - `client`: a subscription of a client connected to this server.
 * - `internal`: a subscriber inside the server (such as the stream-store's API and consumers).
 * - `route`: interest of another server of the cluster (a route peer, or the route role when it
 *   runs in another process).
 * - `gateway`: interest of another cluster.
 * - `leaf`: interest of a leaf connection.
 * - `node`: this server's own subscribers held by one of its processes elsewhere on the bus
 *   (another client-gateway replica): local to the server, reached over the bus.
 */
export const INTEREST_KINDS = ['client', 'internal', 'route', 'gateway', 'leaf', 'node'] as const;
export type InterestKind = (typeof INTEREST_KINDS)[number];

/** One bit per kind, so a policy is a mask and a check is one AND on the hot path. */
export const KIND_BIT: Readonly<Record<InterestKind, number>> = {
  client: 1,
  internal: 2,
  route: 4,
  gateway: 8,
  leaf: 16,
  node: 32,
};

/** Entries delivered to by the server itself (one copy per entry), not over a link. */
export const LOCAL_KINDS = KIND_BIT.client | KIND_BIT.internal;
