export { routeMeshRole } from './role.js';
