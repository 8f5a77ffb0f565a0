export { superclusterGatewayRole } from './role.js';
