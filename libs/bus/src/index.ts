export type { BusEndpoint, BusHandlers, BusMessage, BusTransport, GatewayUrls, InterestChange, MemberInfo, MemberState, Role } from './types.js';
export { InProcessBus } from './in-process.js';
// The TCP bus (with protobufjs and the membership drivers) is its own entry, `@nats-ts/bus/tcp`,
// so a process on the in-process bus never loads it.
export type { BusPeerStatus } from './tcp-bus.js';
