// Two stream-store processes of one node (the TCP bus, Redis membership) on one Redis store:
// the stream is served by the one holding its lease; kill -9 of that one under a publish burst,
// the other takes the stream over, and every acked message is there, none twice. Real
// redis-server, role processes and the official JetStream client.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, stopAllRedis } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';
import { publishUntil } from './support/publish-burst.js';

const decoder = new TextDecoder();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await stopAllRoles();
  await stopAllRedis();
});

describe('two stream-store processes of one node on one Redis store [nats-ts]', () => {
  it('keeps every acked message, none twice, when the owner is killed -9 under a publish burst', { timeout: 90_000 }, async () => {
    const redis = await startRedis();
    const bus = `bus { redis: "${redis.url}", heartbeat: "200ms", member_timeout: "1s" }`;
    const storeConfig = (name: string): string => `server_name: ${name}\n${bus}\njetstream { redis: "${redis.url}/0", redis_lease: "1s" }`;
    const gateway = await startRole('client-gateway', `${bus}\njetstream: enabled`);
    const stores: Record<string, RoleProcess> = { s1: await startRole('stream-store', storeConfig('s1')), s2: await startRole('stream-store', storeConfig('s2')) };
    await stores.s1!.waitForOutput(/Redis Store/);
    await stores.s2!.waitForOutput(/Redis Store/);

    const admin = await connect({ servers: gateway.clientUrl });
    const jsm = await jetstreamManager(admin, { timeout: 2_000 });
    let owner = '';
    // The stream-stores join the gateway's bus a moment after they start.
    for (const deadline = Date.now() + 15_000; owner === '' && Date.now() < deadline; ) {
      owner = await jsm.streams.add({ name: 'BURST', subjects: ['burst.*'] }).then(
        (info) => info.cluster?.leader ?? '?',
        () => sleep(200).then(() => ''),
      );
    }
    expect(['s1', 's2']).toContain(owner);

    const acked = new Map<string, number>();
    let stopping = false;
    const publishers = await Promise.all([0, 1, 2].map(() => connect({ servers: gateway.clientUrl })));
    const bursts = publishers.map((nc, id) => publishUntil(nc, id, acked, () => stopping));
    while (acked.size < 1_000) await sleep(20);
    await stores[owner]!.kill();
    const atKill = acked.size;
    // The other process takes the stream once the lease ran out; acks resume.
    for (const deadline = Date.now() + 20_000; acked.size < atKill + 1_000 && Date.now() < deadline; ) await sleep(50);
    stopping = true;
    await Promise.all(bursts);
    for (const nc of publishers) await nc.close();
    expect(acked.size, 'acks after the takeover').toBeGreaterThanOrEqual(atKill + 1_000);

    const info = await jsm.streams.info('BURST');
    expect(info.cluster?.leader).toBe(owner === 's1' ? 's2' : 's1');
    const state = info.state;
    expect(state.last_seq).toBeGreaterThanOrEqual(Math.max(...acked.values()));
    const seen = new Set<string>();
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage('BURST', { seq }).catch(() => null);
      if (msg === null) continue;
      const payload = decoder.decode(msg.data);
      expect(seen.has(payload), `${payload} stored twice`).toBe(false);
      seen.add(payload);
      const ackedSeq = acked.get(payload);
      if (ackedSeq !== undefined) expect(ackedSeq, payload).toBe(seq);
    }
    for (const payload of acked.keys()) expect(seen.has(payload), `acked ${payload} lost`).toBe(true);
    await admin.close();
  });
});
