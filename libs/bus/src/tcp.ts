export { TcpBus } from './tcp-bus.js';
export type { BusPeerStatus } from './tcp-bus.js';
export { StaticMembership } from './membership.js';
export { RedisMembership } from './redis-membership.js';
