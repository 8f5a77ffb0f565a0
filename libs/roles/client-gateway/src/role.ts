import type { RoleFactory } from '@nats-ts/lifecycle';
import { urlsFor } from '@nats-ts/lifecycle';
import { ClientGateway } from './client-gateway.js';
import { buildConnz, buildSubsz, buildVarz } from './monitor-endpoints.js';

/** Starts the client role of a node and exposes it to the process runner. */
export const clientGatewayRole: RoleFactory = async (ctx) => {
  const gateway = new ClientGateway(ctx);
  gateway.holdClients();
  const bound = await gateway.start();
  // Every websocket path no other role of this process claims carries clients.
  ctx.websocketRoutes.serveClients((ws, peer) => gateway.acceptWebsocket(ws, peer));
  const o = ctx.options;
  return {
    name: 'client-gateway',
    ports: { nats: urlsFor(o.tls ? 'tls' : 'nats', o.host, bound.port) },
    endpoints: () => ({
      '/healthz': { handler: () => ({ status: 'ok' }), compact: true },
      '/varz': () =>
        buildVarz(gateway, {
          httpHost: o.httpHost,
          httpPort: o.httpPort,
          httpReqStats: ctx.httpRequestCounts(),
          configLoadTime: ctx.configLoadTime,
        }),
      '/connz': (query) => buildConnz(gateway, query),
      '/subsz': (query) => buildSubsz(gateway, query),
      '/subscriptionsz': (query) => buildSubsz(gateway, query),
    }),
    serve: () => gateway.serveHeldClients(),
    reload: (options) => gateway.reload(options),
    enterLameDuck: () => gateway.enterLameDuck(),
    shutdown: () => gateway.shutdown(),
  };
};
