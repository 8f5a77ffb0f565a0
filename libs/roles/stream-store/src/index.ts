export { streamStoreRole } from './role.js';
