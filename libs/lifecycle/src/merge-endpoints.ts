import type { EndpointSpec, JsonEndpoint, RunningRole } from './role.js';

/** Counters every role that carries messages reports for itself: the merged document adds them up. */
const SUMMED_COUNTERS = new Set(['in_msgs', 'out_msgs', 'in_bytes', 'out_bytes']);

/** Merges role documents in order; the summed counters add up instead of replacing each other. */
function mergeDocuments(documents: unknown[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const document of documents) {
    if (document === null || typeof document !== 'object') continue;
    for (const [key, value] of Object.entries(document)) {
      const before = merged[key];
      merged[key] = SUMMED_COUNTERS.has(key) && typeof before === 'number' && typeof value === 'number' ? before + value : value;
    }
  }
  return merged;
}

/**
 * The monitoring endpoints of all roles by path. Where several roles serve the same path, their
 * documents are merged into one object in role order (e.g. the route role adds the cluster block
 * and route counts to the client role's /varz), message and byte counters added up.
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
            return mergeDocuments(documents);
          };
    merged.set(path, { handler, compact });
  }
  return merged;
}
