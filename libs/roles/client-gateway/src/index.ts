export { ClientGateway, type GatewayStats } from './client-gateway.js';
export { buildVarz, buildConnz, buildSubsz, type VarzContext } from './monitor-endpoints.js';
export { Authenticator, GLOBAL_ACCOUNT } from './auth.js';
export { clientGatewayRole } from './role.js';
