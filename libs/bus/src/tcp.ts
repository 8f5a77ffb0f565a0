export { TcpBus } from './tcp-bus.js';
export type { BusPeerStatus, TcpBusOptions } from './tcp-bus.js';
export { StaticMembership, normalizeBusUrl } from './membership.js';
export type { Membership, PeerAddress } from './membership.js';
export { RedisMembership } from './redis-membership.js';
export type { RedisMembershipOptions } from './redis-membership.js';
export { BUS_PROTO_FILE } from './bus-proto.js';
export { decodeFrame, encodeFrame } from './schema.js';
export type { BusFrame } from './schema.js';
