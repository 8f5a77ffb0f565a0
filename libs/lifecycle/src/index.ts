export { runNode, type RunNodeOptions } from './run-node.js';
export type { RoleContext, RoleFactory, RoleSetup, RunningRole, JsonEndpoint, EndpointSpec } from './role.js';
export { urlsFor, writePortsFile, writePidFile, portsFilePath, type PortsReport } from './run-files.js';
export { generateServerId } from './server-id.js';
export { PRODUCT_VERSION, COMPAT_VERSION } from './version.js';
export { WebsocketRoutes, type WebsocketClientHandler, type WebsocketClientPeer, type WebsocketPathHandler, type WebsocketPeer } from './websocket-routes.js';
