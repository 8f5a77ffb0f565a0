import type { RoleFactory } from '@nats-ts/lifecycle';
import { buildGatewayz, gatewayVarz } from './gatewayz.js';

/**
 * Starts the super-cluster role of a node. As nats-server turns gateways on only when a gateway
 * port is set, without `gateway` this role opens nothing and only serves an empty /gatewayz.
 */
export const superclusterGatewayRole: RoleFactory = async (ctx) => {
  const config = ctx.options.gateway;
  if (config === undefined || config.port === 0) {
    return {
      name: 'supercluster-gateway',
      ports: {},
      endpoints: () => ({ '/gatewayz': (query) => buildGatewayz(undefined, ctx.serverId, query) }),
      reload: () => undefined,
      enterLameDuck: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  // Loaded only when a gateway port is set: a server outside a super-cluster does not carry it.
  const { SuperclusterGateway } = await import('./supercluster-gateway.js');
  const gateway = new SuperclusterGateway(ctx);
  await gateway.start();
  return {
    name: 'supercluster-gateway',
    // nats-server's ports file has no gateway entry; /varz and /gatewayz report the port.
    ports: {},
    endpoints: () => ({
      '/gatewayz': (query) => buildGatewayz(gateway, ctx.serverId, query),
      // Merged into the client role's /varz by the process runner.
      '/varz': () => gatewayVarz(gateway),
    }),
    reload: (options) => gateway.reload(options),
    enterLameDuck: () => Promise.resolve(),
    shutdown: () => gateway.shutdown(),
  };
};
