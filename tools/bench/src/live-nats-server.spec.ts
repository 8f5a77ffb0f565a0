import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdleConnections, withSubscriptions } from './idle-load.js';
import { publishFor } from './publisher.js';
import { RawClient } from './raw-client.js';
import { Requester } from './requester.js';
import { Responder } from './responder.js';
import { ServerProcess } from './server-process.js';

// The load roles in-process against the reference nats-server (the CLI runs them in worker threads).
describe('load roles against nats-server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await ServerProcess.start('nats-server', process.cwd());
  });
  afterAll(async () => {
    await server.stop();
    expect(server.alive).toBe(false);
  });

  it('a subscriber receives exactly what the publisher got accepted', async () => {
    let failure: Error | undefined;
    const subscriber = await RawClient.open(server.port, { onFailure: (error) => (failure = error) });
    subscriber.socket.write('SUB bench.live 1\r\n');
    await subscriber.flush(5_000);
    const publisher = await RawClient.open(server.port);
    const result = await publishFor(publisher, 'bench.live', 100, 100, 5_000);
    expect(result.messages).toBeGreaterThan(0);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(100);
    // A PING on the subscriber after the publisher's PONG: everything has been delivered by then.
    for (let attempt = 0; attempt < 100 && subscriber.reader.messages < result.messages; attempt++) await subscriber.flush(5_000);
    expect(subscriber.reader.messages).toBe(result.messages);
    expect(failure).toBeUndefined();
    publisher.close();
    subscriber.close();
  });

  it('a requester measures round trips through a responder', async () => {
    const fail = (error: Error): never => {
      throw error;
    };
    const responder = await Responder.start(server.port, 'bench.live.req', 32, fail);
    const requester = await Requester.start(server.port, 'bench.live.req', 32, fail);
    const result = await requester.run(50, 200);
    expect(result.replies).toBeGreaterThan(10);
    expect(result.latenciesMicros).toHaveLength(result.replies);
    expect(Math.min(...result.latenciesMicros)).toBeGreaterThan(0);
    requester.close();
    responder.close();
  });

  it('holds idle connections and subscriptions while measuring', async () => {
    const rssWithConnections = await withIdleConnections(server.port, 300, () => server.memory()?.rssBytes);
    expect(rssWithConnections).toBeGreaterThan(0);
    const rssWithSubscriptions = await withSubscriptions(server.port, 5_000, () => server.memory()?.rssBytes);
    expect(rssWithSubscriptions).toBeGreaterThan(0);
  });

  it('fails clearly when a target cannot start', async () => {
    await expect(ServerProcess.start('nats-ts', '/nonexistent')).rejects.toThrow(/bin\/nats-ts-server not found/);
  });
});
