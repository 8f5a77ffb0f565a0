export { RouteMesh } from './route-mesh.js';
export { buildRoutez, routeVarz } from './routez.js';
export { routeMeshRole } from './role.js';
