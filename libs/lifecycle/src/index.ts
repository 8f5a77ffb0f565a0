export { runNode } from './run-node.js';
export type { RoleContext, RoleFactory, RoleSetup, JsonEndpoint, EndpointSpec } from './role.js';
export { urlsFor } from './run-files.js';
export { WebsocketRoutes, type WebsocketClientPeer } from './websocket-routes.js';
