export { clientGatewayRole } from './role.js';
