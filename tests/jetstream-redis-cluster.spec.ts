// The Redis store on a real Redis Cluster (three primaries the test starts on free loopback
// ports): streams whose keys hash to different nodes are written and read through the official
// JetStream client, and a restarted server finds them as they were.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { streamKeyPrefix } from '@nats-ts/stream-store/store';
import { startRedisCluster, stopAllRedis } from './support/redis.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

const decoder = new TextDecoder();

afterAll(async () => {
  await stopAllServers();
  await stopAllRedis();
});

describe('JetStream on the Redis store in a Redis Cluster [nats-ts]', () => {
  it('keeps streams on different cluster nodes, each stream in one slot, and serves them again after a restart', { timeout: 90_000 }, async () => {
    const nodes = await startRedisCluster(3);
    const seeds = nodes.map((node) => `127.0.0.1:${node.port}`);
    const admin = new Cluster(nodes.map((node) => ({ host: '127.0.0.1', port: node.port })));
    const storeDir = mkdtempSync(join(tmpdir(), 'js-redis-cluster-'));
    const config = `server_name: a\njetstream { store_dir: ${JSON.stringify(storeDir)}, redis: { cluster: ${JSON.stringify(seeds)} } }`;
    let server: RunningServer | undefined;
    try {
      // One stream per node: names tried until each primary holds one stream's slot.
      const nodeOf = async (stream: string): Promise<string> => {
        const slot = (await admin.cluster('KEYSLOT', streamKeyPrefix({ account: '$G', stream }))) as number;
        const [nodeKey] = admin.slots[slot]!;
        return nodeKey!;
      };
      const streams = new Map<string, string>();
      for (let i = 0; streams.size < nodes.length && i < 100; i++) {
        const node = await nodeOf(`S${i}`);
        if (![...streams.values()].includes(node)) streams.set(`S${i}`, node);
      }
      expect(streams.size).toBe(3);

      server = await startServer('nats-ts', config);
      await server.waitForOutput('Redis Store');
      let nc = await connect({ servers: server.clientUrl });
      let jsm = await jetstreamManager(nc);
      for (const name of streams.keys()) {
        await jsm.streams.add({ name, subjects: [`${name}.*`] });
        await jsm.consumers.add(name, { durable_name: 'READER', ack_policy: AckPolicy.Explicit });
        const js = jetstream(nc);
        const acks = await Promise.all(Array.from({ length: 100 }, (_, i) => js.publish(`${name}.${i % 3}`, `${name}-${i + 1}`)));
        expect(acks.map((ack) => ack.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
        const reader = await jetstream(nc).consumers.get(name, 'READER');
        let read = 0;
        for await (const m of await reader.fetch({ max_messages: 40, expires: 5_000 })) {
          expect(decoder.decode(m.data)).toBe(`${name}-${m.seq}`);
          expect(await m.ackAck()).toBe(true);
          if (++read === 40) break;
        }
        expect(read).toBe(40);
      }
      // Every key of a stream is on the node of its slot: its messages are all there.
      for (const [name, node] of streams) {
        const [host, port] = node.split(':');
        const direct = admin.nodes('master').find((n) => n.options.host === host && n.options.port === Number(port))!;
        expect(await direct.hlen(`${streamKeyPrefix({ account: '$G', stream: name })}msgs`)).toBe(100);
      }
      await nc.close();
      await server.stop();

      server = await startServer('nats-ts', config);
      await server.waitForOutput('Redis Store');
      nc = await connect({ servers: server.clientUrl });
      jsm = await jetstreamManager(nc);
      for (const name of streams.keys()) {
        expect((await jsm.streams.info(name)).state).toMatchObject({ messages: 100, first_seq: 1, last_seq: 100, num_subjects: 3 });
        expect(await jsm.consumers.info(name, 'READER')).toMatchObject({ ack_floor: { stream_seq: 40 }, num_pending: 60 });
        const reader = await jetstream(nc).consumers.get(name, 'READER');
        const seqs: number[] = [];
        for await (const m of await reader.fetch({ max_messages: 60, expires: 5_000 })) {
          expect(decoder.decode(m.data)).toBe(`${name}-${m.seq}`);
          seqs.push(m.seq);
          m.ack();
          if (seqs.length === 60) break;
        }
        expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 41));
        expect((await jetstream(nc).publish(`${name}.0`, 'after')).seq).toBe(101);
      }
      expect((await jsm.streams.names().next()).sort()).toEqual([...streams.keys()].sort());
      await nc.close();
    } finally {
      admin.disconnect();
      await server?.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
