export { ClientProtocolParser } from './client-parser.js';
export type { ClientDispatcher, ClientParserLimits } from './client-parser.js';
export { ProtocolErrorKind, protocolErrorText } from './protocol-error.js';
export { WireError } from './wire-errors.js';
export { OutboundBuffer } from './outbound.js';
export {
  NO_RESPONDERS_HEADER,
  OK_FRAME,
  PING_FRAME,
  PONG_FRAME,
  encodeDeliveryHead,
  encodeErr,
  encodeInfo,
  writeHMsg,
  writeHMsgAfterHead,
  writeMsg,
  writeMsgAfterHead,
} from './encode.js';
export { RouteProtocolParser } from './route-parser.js';
export type { RouteDispatcher } from './route-parser.js';
export { encodeRouteConnect, encodeRouteInfo, writeRoutedMsg, writeRouteSub, writeRouteUnsub } from './route-encode.js';
export { createLeafParser } from './leaf-parser.js';
export type { LeafDispatcher } from './leaf-parser.js';
export { encodeLeafConnect, encodeLeafInfo, writeLeafMsg, writeLeafSub, writeLeafUnsub } from './leaf-encode.js';
export { GatewayCommand, encodeGatewayCommand, encodeGatewayGossip, encodeGatewayInfo, writeAccountSub, writeAccountUnsub } from './gateway-encode.js';
export {
  GATEWAY_REPLY_PREFIX,
  GATEWAY_REPLY_WINDOW_MS,
  gatewayHash,
  gatewayReplyClusterHash,
  gatewayReplyPrefix,
  hasGatewayReplyPrefix,
  isGatewayReply,
  unmapGatewayReply,
} from './gateway-reply.js';
