// The Redis store's durability with replicas: with `redis_min_replicas: 1` an ack waits for a
// replica to have the write, so a Sentinel failover after kill -9 of the primary loses no acked
// message; with the replica gone, nothing is acked. Real redis-server and redis-sentinel
// processes on free loopback ports, a real nats-ts server, the official JetStream client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, startSentinel, stopAllRedis, type RunningRedis } from './support/redis.js';
import { startServer, stopAllServers } from './support/servers.js';
import { expectBurstKept, publishUntil } from './support/publish-burst.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await stopAllServers();
  await stopAllRedis();
});

/** Waits until `replica` is linked to its primary and in sync. */
async function waitForReplicaLink(replica: RunningRedis): Promise<void> {
  const client = new Redis(replica.url);
  try {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
      if ((await client.info('replication')).includes('master_link_status:up')) return;
    }
    throw new Error('the replica did not link to its primary');
  } finally {
    client.disconnect();
  }
}

describe('JetStream on the Redis store with replicas [nats-ts]', () => {
  it('acks only what a replica has (redis_min_replicas: 1), and loses no acked message in a Sentinel failover after kill -9 of the primary', { timeout: 90_000 }, async () => {
    const primary = await startRedis();
    const replica = await startRedis({ replicaOf: primary.port });
    await waitForReplicaLink(replica);
    const sentinel = await startSentinel(primary.port);
    const storeDir = mkdtempSync(join(tmpdir(), 'js-redis-sentinel-'));
    const redis = `redis: { sentinels: ["127.0.0.1:${sentinel.port}"], name: "mymaster" }`;
    let server = await startServer('nats-ts', `server_name: a\njetstream { store_dir: ${JSON.stringify(storeDir)}, ${redis}, redis_min_replicas: 1 }`);
    try {
      const admin = await connect({ servers: server.clientUrl });
      await (await jetstreamManager(admin)).streams.add({ name: 'BURST', subjects: ['burst.*'] });
      await admin.close();

      const acked = new Map<string, number>();
      let stopping = false;
      const publishers = await Promise.all([0, 1].map(() => connect({ servers: server.clientUrl })));
      const bursts = publishers.map((nc, id) => publishUntil(nc, id, acked, () => stopping));
      while (acked.size < 500) await sleep(20);
      await primary.stop();
      // The failover takes a few seconds; after it the new primary has no replica, so nothing more is acked.
      await sleep(8_000);
      const asked = new Redis(sentinel.url);
      expect(await asked.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')).toEqual(['127.0.0.1', String(replica.port)]);
      asked.disconnect();
      const ackedAtFailover = acked.size;
      await sleep(2_000);
      expect(acked.size, 'an ack without a replica to confirm it').toBe(ackedAtFailover);
      stopping = true;
      await Promise.all(bursts);
      for (const nc of publishers) await nc.close();
      server.signal('SIGKILL');
      await server.waitExit();
      await server.stop();

      // The server again (its name takes its streams back at once), through the Sentinel, on the promoted replica.
      server = await startServer('nats-ts', `server_name: a\njetstream { store_dir: ${JSON.stringify(storeDir)}, ${redis} }`);
      const nc = await connect({ servers: server.clientUrl });
      const jsm = await jetstreamManager(nc);
      await expectBurstKept(jsm, 'BURST', acked);
      await nc.close();
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
