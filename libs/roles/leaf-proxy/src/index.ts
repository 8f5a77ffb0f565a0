export { leafProxyRole } from './role.js';
export { LeafProxy } from './leaf-proxy.js';
export { buildLeafz, type Leafz, type LeafzEntry } from './leafz.js';
