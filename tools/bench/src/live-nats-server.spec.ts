import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdleConnections, withSubscriptions } from './idle-load.js';
import { BENCH_STREAM, createBenchStream, deleteBenchStream } from './jetstream-api.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { JetStreamServer } from './jetstream-server.js';
import { publishFor } from './publisher.js';
import { RawClient } from './raw-client.js';
import { Requester } from './requester.js';
import { Responder } from './responder.js';
import { ServerProcess } from './server-process.js';
import { StreamReader } from './stream-reader.js';

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

  it('says JetStream is off when nobody answers its API', async () => {
    await expect(createBenchStream(server.port, 'bench.js')).rejects.toThrow(/no responders \(is JetStream on\?\)/);
  });

  it('fails clearly when a target cannot start', async () => {
    await expect(ServerProcess.start('nats-ts', '/nonexistent')).rejects.toThrow(/bin\/nats-ts-server not found/);
  });
});

describe('JetStream roles against nats-server -js', () => {
  let server: JetStreamServer;
  const failures: Error[] = [];
  const fail = (error: Error): void => {
    failures.push(error);
  };
  beforeAll(async () => {
    server = await JetStreamServer.start('nats-server', process.cwd());
  });
  afterAll(async () => {
    await server.stop();
  });

  it('writes a stream with acked publishes, then reads every message back', async () => {
    await createBenchStream(server.port, 'bench.js');
    const publisher = await JetStreamPublisher.start(server.port, 'bench.js', 1000, 16, fail);
    expect(await publisher.publishCount(300)).toMatchObject({ acks: 300 });
    const window = await publisher.publishWindow(50, 200);
    expect(window.acks).toBeGreaterThan(0);
    expect(window.elapsedMs).toBeGreaterThanOrEqual(190);
    publisher.close();
    const reader = await StreamReader.start(server.port, BENCH_STREAM, 1000, 8, fail);
    expect(await reader.readAll(300)).toMatchObject({ messages: 300 });
    reader.close();
    expect(failures).toEqual([]);
    await deleteBenchStream(server.port);
  });

  it('fails a read past the end of the stream, or of another payload size', async () => {
    await createBenchStream(server.port, 'bench.js');
    const publisher = await JetStreamPublisher.start(server.port, 'bench.js', 10, 4, fail);
    await publisher.publishCount(5);
    publisher.close();
    const readFailure = (payloadSize: number, messages: number): Promise<Error> =>
      new Promise((resolve, reject) => {
        StreamReader.start(server.port, BENCH_STREAM, payloadSize, 4, resolve).then((reader) => reader.readAll(messages), reject);
      });
    expect((await readFailure(10, 6)).message).toBe('DIRECT.GET failed: NATS/1.0 404 Message Not Found');
    expect((await readFailure(11, 5)).message).toMatch(/^sequence \d came back with 10 bytes, not 11$/);
    expect(failures).toEqual([]);
    await deleteBenchStream(server.port);
  });
});
