// Two nats-ts servers of one cluster on one real redis-server, each asked to create the same
// stream at the same moment: one stream is kept, and both creators get nats-server's answer to
// a create of an existing stream (its info for the same config, 10058 for another).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterUrl, startClusterMember, waitForMesh } from './cluster-helpers.js';
import { startRedis, stopAllRedis } from './support/redis.js';
import { stopAllServers } from './support/servers.js';

afterAll(async () => {
  await stopAllServers();
  await stopAllRedis();
});

interface CreateAnswer {
  config?: { name: string; subjects: string[]; max_msgs: number };
  cluster?: { leader: string };
  error?: { code: number; err_code: number; description: string };
}

async function create(nc: NatsConnection, config: Record<string, unknown>): Promise<CreateAnswer> {
  const answer = await nc.request(`$JS.API.STREAM.CREATE.${String(config.name)}`, JSON.stringify(config), { timeout: 5_000 });
  return answer.json<CreateAnswer>();
}

describe('simultaneous stream creates on the Redis store [nats-ts]', () => {
  it('keeps one stream and answers both creators: success for the same config, 10058 for another', { timeout: 90_000 }, async () => {
    const redis = await startRedis();
    const dirs = [mkdtempSync(join(tmpdir(), 'js-redis-race-a-')), mkdtempSync(join(tmpdir(), 'js-redis-race-b-'))];
    const jetstreamOf = (name: string, dir: string): string => `server_name: ${name}\njetstream { store_dir: ${JSON.stringify(dir)}, redis: "${redis.url}/0" }`;
    const a = await startClusterMember('nats-ts', { extra: jetstreamOf('a', dirs[0]!) });
    const b = await startClusterMember('nats-ts', { routes: [clusterUrl(a)], extra: jetstreamOf('b', dirs[1]!) });
    try {
      await waitForMesh([a, b]);
      await a.waitForOutput('Redis Store');
      await b.waitForOutput('Redis Store');
      const viaA = await connect({ servers: a.clientUrl });
      const viaB = await connect({ servers: b.clientUrl });
      for (let i = 0; i < 12; i++) {
        const name = `RACE${i}`;
        const same = i % 2 === 0;
        const first = { name, subjects: [`race${i}.*`], max_msgs: -1 };
        const second = same ? first : { ...first, max_msgs: 10 };
        const [fromA, fromB] = await Promise.all([create(viaA, first), create(viaB, second)]);
        if (same) {
          expect(fromA.error, `${name} via a`).toBeUndefined();
          expect(fromB.error, `${name} via b`).toBeUndefined();
          expect(fromA.cluster?.leader).toBe(fromB.cluster?.leader);
        } else {
          const refused = [fromA, fromB].filter((answer) => answer.error !== undefined);
          expect(refused.map((answer) => answer.error), name).toEqual([{ code: 400, err_code: 10058, description: 'stream name already in use with a different configuration' }]);
        }
        const kept = [fromA, fromB].find((answer) => answer.error === undefined)!;
        const info = await viaB.request(`$JS.API.STREAM.INFO.${name}`, '', { timeout: 5_000 });
        expect(info.json<CreateAnswer>().config).toMatchObject(kept.config!);
      }
      const names = (await viaA.request('$JS.API.STREAM.NAMES', '', { timeout: 5_000 })).json<{ streams: string[] }>().streams;
      expect(names.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `RACE${i}`).sort());
      // The race itself happened (a server's create lost to the other's in Redis), not only creates one after the other.
      expect(`${a.output()}${b.output()}`).toMatch(/is another server's/);
      await viaA.close();
      await viaB.close();
    } finally {
      await a.stop();
      await b.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
