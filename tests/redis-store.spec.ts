// The Redis store against a real redis-server (started on a free loopback port, stopped after):
// the shared store suite with reopen, and what it keeps in Redis.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, RedisStoreConnection, UNLIMITED, streamKeyPrefix, type RedisStreamName, type StoreLimits, type StreamStore } from '@nats-ts/stream-store/store';
import { describeStreamStore } from '@nats-ts/stream-store/test-support';
import { startRedis, stopAllRedis, type RunningRedis } from './support/redis.js';

const NONE = new Uint8Array(0);
const LEASE_MS = 600;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let redis: RunningRedis;
let connection: RedisStoreConnection;
let inspector: Redis;
let streams = 0;

beforeAll(async () => {
  redis = await startRedis();
  connection = await RedisStoreConnection.connect({ url: redis.url }, { minReplicas: 0, leaseMs: LEASE_MS, identity: 'here' }, () => undefined);
  inspector = new Redis(redis.url);
});

afterAll(async () => {
  await connection.close(5_000);
  inspector.disconnect();
  await stopAllRedis();
});

function freshName(): RedisStreamName {
  return { account: '$G', stream: `S${++streams}` };
}

function create(limits: StoreLimits, name = freshName()): RedisStore {
  return RedisStore.create(connection, name, limits, '{}', '');
}

async function reopen(store: StreamStore): Promise<StreamStore> {
  const redisStore = store as RedisStore;
  const limits = redisStore.currentLimits();
  redisStore.close();
  await redisStore.committed();
  return opened(await RedisStore.open(connection, redisStore.name, () => limits));
}

function opened(result: Awaited<ReturnType<typeof RedisStore.open>>): RedisStore {
  if (result === undefined || result === 'held') throw new Error(`the stream is ${result ?? 'missing'}`);
  return result.store;
}

describeStreamStore('RedisStore', create, reopen);

describe('RedisStore in Redis', () => {
  it('keeps one hash slot per stream, the subjects in sorted sets, the bodies as bytes', async () => {
    const name: RedisStreamName = { account: 'ACC', stream: 'ORDERS' };
    const store = create(UNLIMITED, name);
    store.append('a', NONE, Buffer.from([0, 255, 1]), 1n);
    store.append('b', NONE, NONE, 2n);
    store.append('a', NONE, NONE, 3n);
    store.remove(2, false);
    await store.committed();
    const prefix = streamKeyPrefix(name);
    expect(prefix).toBe('nats-ts:js:{ACC:ORDERS}:');
    expect(await inspector.zrange(`${prefix}s:a`, 0, -1)).toEqual(['1', '3']);
    expect(await inspector.exists(`${prefix}s:b`)).toBe(0);
    expect(await inspector.smembers(`${prefix}subjects`)).toEqual(['a']);
    const record = await inspector.hgetBuffer(`${prefix}msgs`, '1');
    expect([...record!.subarray(record!.length - 3)]).toEqual([0, 255, 1]);
    expect(await inspector.smembers('nats-ts:js:streams:ACC')).toEqual(['ORDERS']);
    store.destroy();
    await store.committed();
    expect(await inspector.keys(`${prefix}*`)).toEqual([]);
    expect(await inspector.smembers('nats-ts:js:streams:ACC')).toEqual([]);
  });

  it('refuses the writes of a store whose stream was opened since (fencing)', async () => {
    const name = freshName();
    const stale = create(UNLIMITED, name);
    stale.append('a', NONE, NONE, 1n);
    await stale.committed();
    const taken = opened(await RedisStore.open(connection, name, () => UNLIMITED));
    stale.append('a', NONE, NONE, 2n);
    await expect(stale.committed()).rejects.toThrow(/owned by another store/);
    expect(stale.unavailable()).toMatch(/owned by another store/);
    taken.append('b', NONE, NONE, 3n);
    await taken.committed();
    const reloaded = opened(await RedisStore.open(connection, name, () => UNLIMITED));
    expect(reloaded.state()).toMatchObject({ messages: 2, lastSeq: 2 });
    expect(reloaded.load(2)!.subject).toBe('b');
  });

  it('keeps a long run of appends and the removals of their limits, sent as several script calls', async () => {
    const store = create({ ...UNLIMITED, maxMsgs: 5000 });
    for (let i = 1; i <= 12_000; i++) store.append(`big.${i % 3}`, NONE, Buffer.from(`m${i}`), BigInt(i));
    await store.committed();
    const reopened = await reopen(store);
    expect(reopened.state()).toMatchObject({ messages: 5000, firstSeq: 7001, lastSeq: 12_000 });
    expect(reopened.countOfSubject('big.0')).toBe(1667);
  });

  it('leaves a stream to the server holding its lease, and takes it over once the lease ran out', async () => {
    const elsewhere = await RedisStoreConnection.connect({ url: redis.url }, { minReplicas: 0, leaseMs: LEASE_MS, identity: 'elsewhere' }, () => undefined);
    try {
      const name = freshName();
      const owner = create(UNLIMITED, name);
      owner.append('a', NONE, NONE, 1n);
      await owner.committed();
      // Renewed while the owner is open: the other server waits.
      await sleep(LEASE_MS * 2);
      expect(await RedisStore.open(elsewhere, name, () => UNLIMITED)).toBe('held');
      expect(owner.unavailable()).toBeUndefined();
      // A create of that name elsewhere is refused by Redis, and wipes nothing.
      const rival = RedisStore.create(elsewhere, name, UNLIMITED, '{}', '');
      await expect(rival.committed()).rejects.toThrow(/kept in Redis/);
      expect(rival.failedWrite()).toMatch(/kept in Redis/);
      // The owner stops renewing (as when killed): after the lease, the stream is taken.
      connection.releaseLease(owner);
      await sleep(LEASE_MS + 200);
      const taken = opened(await RedisStore.open(elsewhere, name, () => UNLIMITED));
      expect(taken.state()).toMatchObject({ messages: 1, lastSeq: 1 });
      taken.append('b', NONE, NONE, 2n);
      await taken.committed();
      // The old owner learns at its next renewal that the stream is another's, and writes nothing more.
      connection.holdLease(owner);
      await sleep(LEASE_MS);
      expect(owner.lost).toBe(true);
      owner.append('c', NONE, NONE, 3n);
      await expect(owner.committed()).rejects.toThrow(/taken over|owned by another/);
      taken.close();
      owner.close();
    } finally {
      await elsewhere.close(5_000);
    }
  });

  it('gives consumers only what Redis confirmed', async () => {
    const store = create(UNLIMITED);
    store.append('a', NONE, NONE, 1n);
    store.append('a', NONE, NONE, 2n);
    expect(store.deliverableSeq()).toBe(0);
    await store.committed();
    expect(store.deliverableSeq()).toBe(2);
    store.append('a', NONE, NONE, 3n);
    expect(store.deliverableSeq()).toBe(2);
    const reopened = (await reopen(store)) as RedisStore;
    expect(reopened.deliverableSeq()).toBe(3);
    reopened.close();
  });

  it('opens nothing for a stream Redis does not have', async () => {
    expect(await RedisStore.open(connection, { account: '$G', stream: 'MISSING' }, () => UNLIMITED)).toBeUndefined();
  });

  it('summarizes the streams of an account as Redis has them, state as the owner counts it', async () => {
    expect(await connection.streamSummaries('NOBODY')).toEqual([]);
    const busy = create(UNLIMITED, { account: 'SUM', stream: 'BUSY' });
    const empty = create(UNLIMITED, { account: 'SUM', stream: 'EMPTY' });
    busy.append('a', NONE, Buffer.from('one'), 1_000_000_000_000_000_001n);
    busy.append('b', Buffer.from('NATS/1.0\r\n\r\n'), Buffer.from('two'), 1_000_000_000_000_000_002n);
    busy.append('a', NONE, Buffer.from('three'), 1_000_000_000_000_000_003n);
    busy.append('c', NONE, NONE, 1_000_000_000_000_000_004n);
    busy.remove(1, false);
    busy.remove(3, false);
    busy.writeConsumerMeta('C1', '{}');
    await Promise.all([busy.committed(), empty.committed()]);
    const state = busy.state();
    const summaries = (await connection.streamSummaries('SUM')).sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(summaries).toEqual([
      {
        name: 'BUSY',
        config: '{}',
        created: '',
        messages: 2,
        bytes: state.bytes,
        firstSeq: 2,
        firstTimeNs: 1_000_000_000_000_000_002n,
        lastSeq: 4,
        lastTimeNs: 1_000_000_000_000_000_004n,
        numSubjects: 2,
        consumers: 1,
        leader: 'here',
      },
      { name: 'EMPTY', config: '{}', created: '', messages: 0, bytes: 0, firstSeq: 0, firstTimeNs: 0n, lastSeq: 0, lastTimeNs: 0n, numSubjects: 0, consumers: 0, leader: 'here' },
    ]);
    expect(state).toMatchObject({ messages: 2, firstSeq: 2, lastSeq: 4, numSubjects: 2 });
    busy.close();
    empty.close();
  });
});
