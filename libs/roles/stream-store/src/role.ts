import type { RoleFactory } from '@nats-ts/lifecycle';
import { buildJsz, jetStreamVarz } from './jsz.js';

/**
 * Starts the JetStream role. As nats-server, it is on with `-js` or `jetstream {}`; otherwise it
 * only serves /jsz saying JetStream is disabled.
 */
export const streamStoreRole: RoleFactory = async (ctx) => {
  const serverName = ctx.options.serverName ?? ctx.serverId;
  if (!ctx.options.jetstream.enabled) {
    return {
      name: 'stream-store',
      ports: {},
      endpoints: () => ({ '/jsz': (query) => buildJsz(undefined, ctx.serverId, serverName, query) }),
      reload: () => undefined,
      enterLameDuck: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  // Loaded only when JetStream is on: a server without it does not carry the stores and the API.
  const { StreamStoreService } = await import('./stream-store.js');
  const service = new StreamStoreService(ctx);
  await service.start();
  return {
    name: 'stream-store',
    ports: {},
    endpoints: () => ({
      '/jsz': (query) => buildJsz(service, ctx.serverId, serverName, query),
      // Merged into the client role's /varz by the process runner.
      '/varz': () => jetStreamVarz(service),
    }),
    reload: (options) => service.reload(options),
    enterLameDuck: () => Promise.resolve(),
    shutdown: () => service.shutdown(),
  };
};
