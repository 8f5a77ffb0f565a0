import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdleConnections, withSubscriptions } from './idle-load.js';
import {
  BENCH_BUCKET,
  BENCH_STREAM,
  consumerInfo,
  createBenchStream,
  createKvBucket,
  createPullConsumer,
  createPushConsumer,
  deleteBenchStream,
  deleteKvBucket,
} from './jetstream-api.js';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { JetStreamServer } from './jetstream-server.js';
import { KvGetter } from './kv-getter.js';
import { publishFor } from './publisher.js';
import { PullConsumer } from './pull-consumer.js';
import { PushConsumer, type DrainResult } from './push-consumer.js';
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

describe('consumer and KV roles against nats-server -js', () => {
  let server: JetStreamServer;
  const failures: Error[] = [];
  const fail = (error: Error): void => {
    failures.push(error);
  };
  beforeAll(async () => {
    server = await JetStreamServer.start('nats-server', process.cwd());
    // 1000-byte messages, so deliveries (and the acks of the pull consumer) span reads.
    await createBenchStream(server.port, 'bench.js');
    const publisher = await JetStreamPublisher.start(server.port, 'bench.js', 1000, 64, fail);
    await publisher.publishCount(3000);
    publisher.close();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('drains the stream through an ephemeral push consumer', async () => {
    let push: PushConsumer | undefined;
    const drained = new Promise<DrainResult>((resolve, reject) => {
      PushConsumer.start(server.port, 'bench.push.live', 1000, { messages: 3000, warmupMessages: 300 }, fail, resolve).then(
        (consumer) => (push = consumer),
        reject,
      );
    });
    while (push === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    const consumer = await createPushConsumer(server.port, 'bench.push.live');
    const result = await drained;
    expect(result.messages).toBe(2700);
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect((await consumerInfo(server.port, consumer.name)).delivered.stream_seq).toBe(3000);
    push.close();
    expect(failures).toEqual([]);
  });

  it('drains the stream through a durable pull consumer, acking every message', async () => {
    await createPullConsumer(server.port, 'live_pull');
    let pull: PullConsumer | undefined;
    const result = await new Promise<DrainResult>((resolve, reject) => {
      PullConsumer.start(server.port, BENCH_STREAM, 'live_pull', 1000, { messages: 3000, warmupMessages: 1 }, fail, resolve).then(
        (consumer) => (pull = consumer),
        reject,
      );
    });
    expect(result.messages).toBe(2999);
    let state = await consumerInfo(server.port, 'live_pull');
    for (let attempt = 0; attempt < 50 && state.ack_floor.stream_seq < 3000; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = await consumerInfo(server.port, 'live_pull');
    }
    expect(state).toMatchObject({ ack_floor: { stream_seq: 3000 }, num_ack_pending: 0, num_pending: 0 });
    pull?.close();
    expect(failures).toEqual([]);
  });

  it('puts over a key space and gets every key back', async () => {
    await createKvBucket(server.port, BENCH_BUCKET);
    const putter = await JetStreamPublisher.start(server.port, `$KV.${BENCH_BUCKET}`, 100, 16, fail, 10);
    expect(await putter.publishCount(25)).toMatchObject({ acks: 25 });
    putter.close();
    const getter = await KvGetter.start(server.port, BENCH_BUCKET, 10, 100, 8, fail);
    const window = await getter.getWindow(20, 150);
    expect(window.replies).toBeGreaterThan(0);
    getter.close();
    expect(failures).toEqual([]);
    // One value per key: 10 keys put 25 times leave 10 messages.
    const missing = await new Promise<Error>((resolve, reject) => {
      KvGetter.start(server.port, BENCH_BUCKET, 11, 100, 4, resolve).then((reader) => reader.getWindow(0, 1_000), reject);
    });
    expect(missing.message).toBe('DIRECT.GET failed: NATS/1.0 404 Message Not Found');
    const otherSize = await new Promise<Error>((resolve, reject) => {
      KvGetter.start(server.port, BENCH_BUCKET, 10, 99, 4, resolve).then((reader) => reader.getWindow(0, 1_000), reject);
    });
    expect(otherSize.message).toBe('a key came back with 100 bytes, not 99');
    await deleteKvBucket(server.port, BENCH_BUCKET);
  });
});
