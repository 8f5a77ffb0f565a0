export { RouteMesh, type RouteMeshConfig } from './route-mesh.js';
export { buildRoutez, routeVarz } from './routez.js';
export { routeMeshRole } from './role.js';
