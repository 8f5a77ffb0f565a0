import type { ServerOptions } from '@nats-ts/config';
import type { RoleContext, RoleFactory } from '@nats-ts/lifecycle';
import { urlsFor } from '@nats-ts/lifecycle';
import { ClientGateway } from './client-gateway.js';
import { buildAccountz, buildAccstatz, buildConnz, buildSubsz, buildVarz, leafConnectionsByAccount } from './monitor-endpoints.js';
import { AccountDirectory, trustWithAccountJwts } from '@nats-ts/config';
import { AccountRequests } from './system-account/account-requests.js';
import { ClaimsRequests } from './system-account/claims-requests.js';
import { ClientEvents } from './system-account/client-events.js';
import { RemoteServers } from './system-account/remote-servers.js';
import { SystemResponder } from './system-account/system-responder.js';

/** Starts the client role of a node and exposes it to the process runner. */
export const clientGatewayRole: RoleFactory = async (ctx) => {
  const gateway = new ClientGateway(ctx);
  gateway.holdClients();
  const bound = await gateway.start();
  // Every websocket path no other role of this process claims carries clients.
  ctx.websocketRoutes.serveClients((ws, peer) => gateway.acceptWebsocket(ws, peer));
  const o = ctx.options;
  // Fixed at startup, as nats-server sets its system account once: a reload does not move it.
  const systemAccount = o.systemAccount;
  const accountRequests = new AccountRequests(gateway, ctx.monitoringEndpoints, ctx.configLoadTime);
  const remoteServers = new RemoteServers(gateway.serverId, () => String(gateway.baseInfo().domain ?? ''));
  const responder = systemAccount === undefined ? undefined : new SystemResponder(gateway, systemAccount, ctx.monitoringEndpoints, accountRequests, remoteServers);
  if (responder !== undefined) {
    gateway.systemEvents = new ClientEvents(responder, gateway, ctx.monitoringEndpoints);
    gateway.onClientGatewaysChanged(() => responder.update());
    responder.update();
  }
  const claims = responder === undefined ? undefined : fullResolverRequests(gateway, responder, o, ctx.reloadRoles);
  if (claims !== undefined) {
    gateway.onClientGatewaysChanged(() => claims.update());
    claims.update();
  }
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
      '/accountz': async (query) => buildAccountz(gateway, query, leafConnectionsByAccount(await ctx.monitoringEndpoints().get('/leafz')?.handler({})), ctx.configLoadTime),
      '/accstatz': async (query) => buildAccstatz(gateway, query, leafConnectionsByAccount(await ctx.monitoringEndpoints().get('/leafz')?.handler({}))),
    }),
    serve: () => gateway.serveHeldClients(),
    reload: (options) => {
      // nats-server refuses such a reload; the rest of ours applies, the system account stays.
      if (options.systemAccount !== systemAccount) {
        ctx.logger.warn(`system account change to ${options.systemAccount ?? 'none'} takes effect after a restart; still ${systemAccount ?? 'none'}`);
      }
      gateway.reload(options);
    },
    enterLameDuck: () => gateway.enterLameDuck(),
    shutdown: () => {
      responder?.stop();
      claims?.stop();
      gateway.systemEvents?.stop();
      return gateway.shutdown();
    },
  };
};

/**
 * With the full resolver, the system account's claims requests; the directory first takes the
 * preloaded JWTs newer than its own, as nats-server stores them at startup. A stored change
 * reaches every role of this process as a reload does: connected clients are rechecked, leaf
 * connections are accepted by the new JWTs.
 */
function fullResolverRequests(gateway: ClientGateway, responder: SystemResponder, o: Readonly<ServerOptions>, reloadRoles: RoleContext['reloadRoles']): ClaimsRequests | undefined {
  const trust = o.trust;
  if (trust?.directory === undefined || o.systemAccount === undefined) return undefined;
  const directory = new AccountDirectory(trust.directory);
  for (const [key, jwt] of trust.accountJwts) directory.save(key, jwt);
  return new ClaimsRequests(gateway, responder, o.systemAccount, directory, trust, (accountJwts) =>
    reloadRoles((current) => (current.trust === undefined ? current : { ...current, trust: trustWithAccountJwts(current.trust, accountJwts, Date.now()) })),
  );
}
