export { SuperclusterGateway } from './supercluster-gateway.js';
export { buildGatewayz, gatewayVarz } from './gatewayz.js';
export { superclusterGatewayRole } from './role.js';
