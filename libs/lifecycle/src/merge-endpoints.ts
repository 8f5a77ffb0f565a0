import type { EndpointSpec, JsonEndpoint, RunningRole } from './role.js';

/**
 * The monitoring endpoints of all roles by path. Where several roles serve the same path, their
 * documents are merged into one object in role order (e.g. the route role adds the cluster block
 * and route counts to the client role's /varz).
 */
export function mergeEndpoints(roles: readonly RunningRole[]): Map<string, EndpointSpec> {
  const collected = new Map<string, { handlers: JsonEndpoint[]; compact?: boolean }>();
  for (const role of roles) {
    for (const [path, endpoint] of Object.entries(role.endpoints())) {
      const spec: EndpointSpec = typeof endpoint === 'function' ? { handler: endpoint } : endpoint;
      const entry = collected.get(path);
      if (entry === undefined) collected.set(path, { handlers: [spec.handler], compact: spec.compact });
      else entry.handlers.push(spec.handler);
    }
  }
  const merged = new Map<string, EndpointSpec>();
  for (const [path, { handlers, compact }] of collected) {
    const handler: JsonEndpoint =
      handlers.length === 1
        ? handlers[0]!
        : async (query) => {
            const documents = await Promise.all(handlers.map((h) => h(query)));
            return Object.assign({}, ...documents.filter((d) => d !== null && typeof d === 'object'));
          };
    merged.set(path, { handler, compact });
  }
  return merged;
}
