export { ClientGateway, type GatewayStats } from './client-gateway.js';
export { buildVarz, buildConnz, buildSubsz, type VarzContext } from './monitor-endpoints.js';
export { clientGatewayRole } from './role.js';
