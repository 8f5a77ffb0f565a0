// JetStream on the Redis store (`jetstream { redis }`), against a real redis-server and nats-ts
// processes: a stream and its durable consumer outlive a server killed -9, and while Redis is
// away publishes are refused or time out (never acked), core NATS goes on, and JetStream
// resumes when Redis is back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, StorageType, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterUrl, startClusterMember, waitForMesh, waitForRouteInterest } from './cluster-helpers.js';
import { startRedis, stopAllRedis, type RunningRedis } from './support/redis.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

const decoder = new TextDecoder();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await stopAllServers();
  await stopAllRedis();
});

/** A nats-ts server named `name` whose streams live in `redis` (its store_dir only for what is not a stream). */
async function serverOn(redis: RunningRedis, storeDir: string, name: string, lease = '5s'): Promise<RunningServer> {
  return startServer('nats-ts', `server_name: ${name}\njetstream { store_dir: ${JSON.stringify(storeDir)}, redis: "${redis.url}/0", redis_lease: "${lease}" }`);
}

/**
 * Creates ORDERS (num_replicas 3: Redis replicates it), publishes 500, reads and acks 200 of them
 * through the durable SHIPPER; then kill -9.
 */
async function fillAndKill(server: RunningServer, name: string): Promise<void> {
  const nc = await connect({ servers: server.clientUrl, reconnect: false });
  const jsm = await jetstreamManager(nc);
  const created = await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.*'], num_replicas: 3 });
  expect(created.config.num_replicas).toBe(3);
  expect(created.cluster?.leader).toBe(name);
  await jsm.consumers.add('ORDERS', { durable_name: 'SHIPPER', ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000 });
  expect(await publishRange(jetstream(nc), 1, 500)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
  const consumer = await jetstream(nc).consumers.get('ORDERS', 'SHIPPER');
  let read = 0;
  for await (const m of await consumer.fetch({ max_messages: 200, expires: 5_000 })) {
    expect(decoder.decode(m.data)).toBe(`m${m.seq}`);
    expect(await m.ackAck()).toBe(true);
    if (++read === 200) break;
  }
  expect(read).toBe(200);
  server.signal('SIGKILL');
  await server.waitExit();
  await nc.close().catch(() => undefined);
  await server.stop();
}

/**
 * Through `server` (named `name`, the stream's owner now): the stream has the 500, takes 500
 * more as 501-1000, and SHIPPER reads 201-1000 in order, none again.
 */
async function carryOn(server: RunningServer, name: string): Promise<void> {
  const nc = await connect({ servers: server.clientUrl });
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info('ORDERS');
  expect(info.state).toMatchObject({ messages: 500, first_seq: 1, last_seq: 500 });
  expect(info.cluster?.leader).toBe(name);
  expect(await jsm.consumers.info('ORDERS', 'SHIPPER')).toMatchObject({ ack_floor: { stream_seq: 200 }, num_ack_pending: 0, num_pending: 300 });
  expect(await publishRange(jetstream(nc), 501, 1000)).toEqual(Array.from({ length: 500 }, (_, i) => i + 501));
  const again = await jetstream(nc).consumers.get('ORDERS', 'SHIPPER');
  const seqs: number[] = [];
  for await (const m of await again.fetch({ max_messages: 800, expires: 10_000 })) {
    expect(decoder.decode(m.data)).toBe(`m${m.seq}`);
    expect(m.info.deliveryCount).toBe(1);
    seqs.push(m.seq);
    m.ack();
    if (seqs.length === 800) break;
  }
  expect(seqs).toEqual(Array.from({ length: 800 }, (_, i) => i + 201));
  expect((await jsm.streams.info('ORDERS')).state).toMatchObject({ messages: 1000, last_seq: 1000 });
  await nc.close();
}

/** Publishes `from..to` (the payload names the number), 64 in flight; returns each ack's sequence. */
async function publishRange(js: JetStreamClient, from: number, to: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let start = from; start <= to; start += 64) {
    const end = Math.min(to, start + 63);
    const acks = await Promise.all(Array.from({ length: end - start + 1 }, (_, i) => js.publish(`orders.${(start + i) % 4}`, `m${start + i}`)));
    seqs.push(...acks.map((ack) => ack.seq));
  }
  return seqs;
}

/** Every answer to one API request within a second (each server of a cluster receives it). */
async function answersTo(nc: NatsConnection, subject: string, body: unknown): Promise<Record<string, unknown>[]> {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox);
  const answers: Record<string, unknown>[] = [];
  const collected = (async () => {
    for await (const m of sub) answers.push(m.json<Record<string, unknown>>());
  })();
  nc.publish(subject, JSON.stringify(body), { reply: inbox });
  await sleep(1_000);
  sub.unsubscribe();
  await collected;
  return answers;
}

describe('JetStream on the Redis store [nats-ts]', () => {
  it('keeps a stream and its durable consumer across kill -9: 500 before, 500 after, read in order', { timeout: 60_000 }, async () => {
    const redis = await startRedis();
    const storeDir = mkdtempSync(join(tmpdir(), 'js-redis-kill-'));
    let server = await serverOn(redis, storeDir, 'a');
    try {
      await fillAndKill(server, 'a');
      // The same server again: it takes its own streams back at once, without waiting for their lease.
      server = await serverOn(redis, storeDir, 'a');
      await carryOn(server, 'a');
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it('has a second server on the same Redis take the stream over when the first is killed -9, once its lease ran out', { timeout: 60_000 }, async () => {
    const redis = await startRedis();
    const dirs = [mkdtempSync(join(tmpdir(), 'js-redis-a-')), mkdtempSync(join(tmpdir(), 'js-redis-b-'))];
    const first = await serverOn(redis, dirs[0]!, 'a', '1s');
    const second = await serverOn(redis, dirs[1]!, 'b', '1s');
    try {
      await first.waitForOutput('Redis Store');
      await second.waitForOutput('Redis Store');
      await fillAndKill(first, 'a');
      // The second serves the stream once the first's lease ran out (1 s) and its next takeover
      // round ran; until then it leaves requests for the stream unanswered (it is another's).
      const nc = await connect({ servers: second.clientUrl });
      const jsm = await jetstreamManager(nc, { timeout: 1_000 });
      let found = false;
      for (const deadline = Date.now() + 10_000; !found && Date.now() < deadline; ) {
        found = await jsm.streams.info('ORDERS').then(
          () => true,
          () => sleep(100).then(() => false),
        );
      }
      await nc.close();
      expect(found).toBe(true);
      await carryOn(second, 'b');
    } finally {
      await first.stop();
      await second.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves a stream once in a cluster of two servers on one Redis, and from the other after kill -9 of its owner', { timeout: 60_000 }, async () => {
    const redis = await startRedis();
    const dirs = [mkdtempSync(join(tmpdir(), 'js-redis-ca-')), mkdtempSync(join(tmpdir(), 'js-redis-cb-'))];
    const jetstreamOf = (name: string, dir: string): string => `server_name: ${name}\njetstream { store_dir: ${JSON.stringify(dir)}, redis: "${redis.url}/0", redis_lease: "1s" }`;
    const a = await startClusterMember('nats-ts', { extra: jetstreamOf('a', dirs[0]!) });
    const b = await startClusterMember('nats-ts', { routes: [clusterUrl(a)], extra: jetstreamOf('b', dirs[1]!) });
    const servers = { a, b };
    try {
      await waitForMesh([a, b]);
      await a.waitForOutput('Redis Store');
      await b.waitForOutput('Redis Store');
      const nc = await connect({ servers: a.clientUrl, reconnect: false });
      // Both servers receive each request; only one answers.
      const created = await answersTo(nc, '$JS.API.STREAM.CREATE.ORDERS', { name: 'ORDERS', subjects: ['orders.*'], num_replicas: 3 });
      expect(created).toHaveLength(1);
      expect(created[0]!.error).toBeUndefined();
      const leader = (created[0]!.cluster as { leader: 'a' | 'b' }).leader;
      const other = leader === 'a' ? 'b' : 'a';
      if (leader === 'b') await waitForRouteInterest([a], 'orders.*');
      const consumer = await answersTo(nc, '$JS.API.CONSUMER.CREATE.ORDERS.SHIPPER', { stream_name: 'ORDERS', config: { durable_name: 'SHIPPER', ack_policy: 'explicit', ack_wait: 30_000_000_000 } });
      expect(consumer).toHaveLength(1);
      expect(consumer[0]!.error).toBeUndefined();
      expect(await answersTo(nc, '$JS.API.STREAM.INFO.ORDERS', {})).toHaveLength(1);
      expect(await publishRange(jetstream(nc), 1, 500)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      const shipper = await jetstream(nc).consumers.get('ORDERS', 'SHIPPER');
      let read = 0;
      for await (const m of await shipper.fetch({ max_messages: 200, expires: 5_000 })) {
        expect(await m.ackAck()).toBe(true);
        if (++read === 200) break;
      }
      await nc.close();
      servers[leader].signal('SIGKILL');
      await servers[leader].waitExit();

      const survivor = servers[other];
      const probe = await connect({ servers: survivor.clientUrl });
      const jsm = await jetstreamManager(probe, { timeout: 1_000 });
      let found = false;
      for (const deadline = Date.now() + 10_000; !found && Date.now() < deadline; ) {
        found = await jsm.streams.info('ORDERS').then(
          () => true,
          () => sleep(100).then(() => false),
        );
      }
      await probe.close();
      expect(found).toBe(true);
      await carryOn(survivor, other);
    } finally {
      await a.stop();
      await b.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a memory stream out of Redis, and says in stream info which server holds each stream', { timeout: 30_000 }, async () => {
    const redis = await startRedis();
    const storeDir = mkdtempSync(join(tmpdir(), 'js-redis-mem-'));
    const server = await serverOn(redis, storeDir, 'a');
    const admin = new Redis(redis.url);
    try {
      const nc = await connect({ servers: server.clientUrl });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'INMEM', subjects: ['mem.*'], storage: StorageType.Memory });
      await jsm.streams.add({ name: 'KEPT', subjects: ['kept.*'] });
      await jetstream(nc).publish('mem.1', 'm');
      await jetstream(nc).publish('kept.1', 'k');
      for (const name of ['INMEM', 'KEPT']) expect((await jsm.streams.info(name)).cluster?.leader).toBe('a');
      expect(await admin.keys('nats-ts:js:{%24G:INMEM}:*')).toEqual([]);
      expect(await admin.smembers('nats-ts:js:streams:%24G')).toEqual(['KEPT']);
      expect(await admin.hlen('nats-ts:js:{%24G:KEPT}:msgs')).toBe(1);
      await nc.close();
    } finally {
      admin.disconnect();
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it('opens a stream again as Redis has it after Redis refused its writes (out of memory)', { timeout: 60_000 }, async () => {
    const redis = await startRedis();
    const storeDir = mkdtempSync(join(tmpdir(), 'js-redis-oom-'));
    const server = await serverOn(redis, storeDir, 'a', '1s');
    const admin = new Redis(redis.url);
    try {
      const nc = await connect({ servers: server.clientUrl });
      const jsm = await jetstreamManager(nc, { timeout: 1_000 });
      await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.*'] });
      const js = jetstream(nc, { timeout: 1_000 });
      expect(await publishRange(js, 1, 10)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      await admin.config('SET', 'maxmemory', '1');
      for (let i = 0; i < 3; i++) await expect(js.publish('orders.1', `refused${i}`), 'an ack of a write Redis refused').rejects.toThrow();
      // A create Redis refused is answered with nats-server's create error (10049), and not kept.
      await expect(jsm.streams.add({ name: 'REFUSED', subjects: ['refused.*'] })).rejects.toThrow(/could not write/);
      await admin.config('SET', 'maxmemory', '0');
      let seq = 0;
      for (const deadline = Date.now() + 15_000; seq === 0 && Date.now() < deadline; ) {
        seq = await js.publish('orders.2', 'back').then(
          (ack) => ack.seq,
          () => sleep(200).then(() => 0),
        );
      }
      // Nothing Redis refused was kept: the stream goes on after the 10.
      expect(seq).toBe(11);
      expect((await jsm.streams.info('ORDERS')).state).toMatchObject({ messages: 11, last_seq: 11 });
      expect(decoder.decode((await jsm.streams.getMessage('ORDERS', { seq: 11 }))!.data)).toBe('back');
      expect(server.output()).toMatch(/opened again as Redis has it/);
      expect((await jsm.streams.names().next()).sort()).toEqual(['ORDERS']);
      await nc.close();
    } finally {
      admin.disconnect();
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it('acks nothing while Redis is away, keeps core NATS going, and resumes when Redis is back', { timeout: 60_000 }, async () => {
    const redis = await startRedis({ persistent: true });
    const storeDir = mkdtempSync(join(tmpdir(), 'js-redis-away-'));
    const server = await serverOn(redis, storeDir, 'a');
    try {
      const nc = await connect({ servers: server.clientUrl });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.*'] });
      const js = jetstream(nc, { timeout: 1_500 });
      expect(await publishRange(js, 1, 10)).toHaveLength(10);

      await redis.stop();
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => js.publish('orders.1', `away${i}`)));
      for (const outcome of outcomes) expect(outcome.status, 'a publish acked while Redis was away').toBe('rejected');
      // Core NATS does not need Redis.
      const echo = nc.subscribe('echo');
      void (async () => {
        for await (const m of echo) m.respond(m.data);
      })();
      expect(decoder.decode((await nc.request('echo', 'ping', { timeout: 2_000 })).data)).toBe('ping');

      await redis.start();
      let seq = 0;
      for (const deadline = Date.now() + 20_000; seq === 0 && Date.now() < deadline; ) {
        seq = await js.publish('orders.2', 'back').then(
          (ack) => ack.seq,
          () => sleep(200).then(() => 0),
        );
      }
      expect(seq).toBeGreaterThan(10);
      const state = (await jsm.streams.info('ORDERS')).state;
      expect(state.last_seq).toBe(seq);
      for (let s = 1; s <= 10; s++) expect(decoder.decode((await jsm.streams.getMessage('ORDERS', { seq: s }))!.data)).toBe(`m${s}`);
      expect(decoder.decode((await jsm.streams.getMessage('ORDERS', { seq }))!.data)).toBe('back');
      echo.unsubscribe();
      await nc.close();
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
