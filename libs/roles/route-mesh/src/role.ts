import type { RoleFactory } from '@nats-ts/lifecycle';
import { urlsFor } from '@nats-ts/lifecycle';
import { buildRoutez, routeVarz } from './routez.js';

/**
 * Starts the cluster role of a node. As nats-server turns routing on only when a cluster port is
 * set, without `cluster` this role opens nothing and only serves an empty /routez.
 */
export const routeMeshRole: RoleFactory = async (ctx) => {
  const cluster = ctx.options.cluster;
  if (cluster === undefined || cluster.port === 0) {
    return {
      name: 'route-mesh',
      ports: {},
      endpoints: () => ({ '/routez': (query) => buildRoutez(undefined, ctx.serverId, query) }),
      reload: () => undefined,
      enterLameDuck: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  // Loaded only when a cluster port is set: a server outside a cluster does not carry it.
  const { RouteMesh } = await import('./route-mesh.js');
  const mesh = new RouteMesh(ctx);
  const bound = await mesh.start();
  return {
    name: 'route-mesh',
    ports: { cluster: urlsFor('nats', bound.host, bound.port) },
    endpoints: () => ({
      '/routez': (query) => buildRoutez(mesh, ctx.serverId, query),
      // Merged into the client role's /varz by the process runner.
      '/varz': () => routeVarz(mesh),
    }),
    reload: (options) => mesh.reload(options),
    enterLameDuck: () => mesh.enterLameDuck(),
    shutdown: () => mesh.shutdown(),
  };
};
