export { leafProxyRole } from './role.js';
