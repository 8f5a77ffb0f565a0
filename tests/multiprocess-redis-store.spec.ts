// Two stream-store processes of one node (the TCP bus, Redis membership) on one Redis store:
// the stream is served by the one holding its lease; kill -9 of that one under a publish burst,
// the other takes the stream over, and every acked message is there, none twice. Real
// redis-server, role processes and the official JetStream client.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, stopAllRedis } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';
import { expectBurstKept, publishUntil } from './support/publish-burst.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await stopAllRoles();
  await stopAllRedis();
});

/** Every answer to one API request within 750 ms (each stream-store process receives it). */
async function answersTo(nc: NatsConnection, subject: string, body = ''): Promise<Record<string, any>[]> {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox);
  const answers: Record<string, any>[] = [];
  const collected = (async () => {
    for await (const m of sub) answers.push(m.json<Record<string, any>>());
  })();
  nc.publish(subject, body, { reply: inbox });
  await sleep(750);
  sub.unsubscribe();
  await collected;
  return answers;
}

describe('two stream-store processes of one node on one Redis store [nats-ts]', () => {
  it('answers account-wide requests once, listing the streams of both processes', { timeout: 90_000 }, async () => {
    const redis = await startRedis();
    const bus = `bus { redis: "${redis.url}", heartbeat: "200ms", member_timeout: "1s" }`;
    const storeConfig = (name: string): string => `server_name: ${name}\n${bus}\njetstream { redis: "${redis.url}/0" }`;
    const gateway = await startRole('client-gateway', `${bus}\njetstream: enabled`);
    const s1 = await startRole('stream-store', storeConfig('s1'));
    const s2 = await startRole('stream-store', storeConfig('s2'));
    await s1.waitForOutput(/Redis Store/);
    await s2.waitForOutput(/Redis Store/);
    const nc = await connect({ servers: gateway.clientUrl });
    // The stream-stores join the gateway's bus a moment after they start: until then nothing answers.
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      if ((await answersTo(nc, '$JS.API.INFO')).length === 1) break;
    }
    // A create goes to one of the two (a queue group over the bus): streams until each owns one.
    const leaders = new Map<string, string>();
    for (let i = 0; i < 16 && (i < 2 || new Set(leaders.values()).size < 2); i++) {
      const created = await answersTo(nc, `$JS.API.STREAM.CREATE.S${i}`, JSON.stringify({ name: `S${i}`, subjects: [`s${i}.*`] }));
      expect(created, `the answers to the create of S${i}`).toHaveLength(1);
      expect(created[0]!.error).toBeUndefined();
      leaders.set(`S${i}`, created[0]!.cluster.leader as string);
    }
    expect(new Set(leaders.values())).toEqual(new Set(['s1', 's2']));
    const names = [...leaders.keys()].sort();
    const js = jetstream(nc);
    for (const name of names) await js.publish(`${name.toLowerCase()}.x`, 'hello');

    const info = await answersTo(nc, '$JS.API.INFO');
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ streams: names.length, consumers: 0 });
    const listed = await answersTo(nc, '$JS.API.STREAM.NAMES', '{}');
    expect(listed).toHaveLength(1);
    expect(listed[0]!.streams).toEqual(names);
    const list = await answersTo(nc, '$JS.API.STREAM.LIST', '{}');
    expect(list).toHaveLength(1);
    for (const entry of list[0]!.streams as Record<string, any>[]) {
      expect(entry.cluster.leader).toBe(leaders.get(entry.config.name));
      expect(entry.state).toMatchObject({ messages: 1, first_seq: 1, last_seq: 1 });
    }
    expect(await answersTo(nc, '$JS.API.STREAM.INFO.MISSING')).toMatchObject([{ error: { err_code: 10059 } }]);
    await nc.close();
  });

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
    await expectBurstKept(jsm, 'BURST', acked);
    await admin.close();
  });
});
