import type { RoleFactory } from '@nats-ts/lifecycle';
import { urlsFor } from '@nats-ts/lifecycle';
import { buildLeafz, leafVarz } from './leafz.js';

/**
 * Starts the leaf node role. As nats-server, it is on when `leafnodes` has a port (leafs connect
 * to us) or remotes (we connect to hubs); otherwise it only serves an empty /leafz.
 */
export const leafProxyRole: RoleFactory = async (ctx) => {
  const leafnodes = ctx.options.leafnodes;
  if (leafnodes === undefined) {
    return {
      name: 'leaf-proxy',
      ports: {},
      endpoints: () => ({ '/leafz': (query) => buildLeafz(undefined, ctx.serverId, query) }),
      reload: () => undefined,
      enterLameDuck: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  // Loaded only when `leafnodes {}` is configured: a server without leafs does not carry it.
  const { LeafProxy } = await import('./leaf-proxy.js');
  const proxy = new LeafProxy(ctx);
  const bound = await proxy.start();
  // As nats-server: leafs may also connect through the websocket listener, on paths starting with /leafnode.
  ctx.websocketRoutes.register('/leafnode', (stream, peer) => proxy.acceptWebsocket(stream, peer.remoteAddress, peer.remotePort, peer.localAddress));
  return {
    name: 'leaf-proxy',
    ports: bound !== undefined ? { leafnode: urlsFor('nats-leaf', bound.host, bound.port) } : {},
    endpoints: () => ({
      '/leafz': (query) => buildLeafz(proxy, ctx.serverId, query),
      // Merged into the client role's /varz by the process runner.
      '/varz': () => leafVarz(proxy),
    }),
    reload: (options) => proxy.reload(options),
    enterLameDuck: () => Promise.resolve(),
    shutdown: () => proxy.shutdown(),
  };
};
