export { ROLES } from './types.js';
export type { BusEndpoint, BusHandlers, BusMessage, BusTransport, InterestChange, JoinInfo, MemberInfo, MemberState, Role } from './types.js';
export { InProcessBus } from './in-process.js';
export type { InProcessBusOptions } from './in-process.js';
export { BUS_PROTO } from './bus-proto.js';
export { decodeFrame, encodeFrame } from './schema.js';
export type { BusFrame } from './schema.js';
