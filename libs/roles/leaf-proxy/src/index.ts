export { leafProxyRole } from './role.js';
export { LeafProxy, type LeafProxyConfig, type BoundAddress } from './leaf-proxy.js';
export { buildLeafz, type Leafz, type LeafzEntry } from './leafz.js';
