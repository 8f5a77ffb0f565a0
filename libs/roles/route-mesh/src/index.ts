export { RouteMesh, type RouteMeshConfig, type BoundAddress } from './route-mesh.js';
export { buildRoutez, routeVarz } from './routez.js';
export { routeMeshRole } from './role.js';
