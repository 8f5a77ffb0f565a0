// Mirrors and sources through the official @nats-io/jetstream client, within one server and
// through another domain's API prefix (`external.api`), against nats-ts and nats-server -js.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, JetStreamApiError, RetentionPolicy, type JetStreamClient, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, startServer, type RunningServer, type Target } from './support/servers.js';

const decoder = new TextDecoder();

/** What two streams must agree on for each message. */
interface SeenMessage {
  seq: number;
  subject: string;
  headers: [string, string[]][];
  data: string;
  timeNs: string;
}

/** Every message of `stream`, read with an ordered consumer. */
async function readAll(js: JetStreamClient, jsm: JetStreamManager, stream: string): Promise<SeenMessage[]> {
  const state = (await jsm.streams.info(stream)).state;
  const out: SeenMessage[] = [];
  if (state.messages === 0) return out;
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume();
  for await (const m of messages) {
    const hdrs: [string, string[]][] = [];
    if (m.headers !== undefined) for (const key of m.headers.keys()) hdrs.push([key, m.headers.values(key)]);
    out.push({ seq: m.seq, subject: m.subject, headers: hdrs, data: decoder.decode(m.data), timeNs: String(m.info.timestampNanos) });
    if (m.seq >= state.last_seq) break;
  }
  await messages.close();
  return out;
}

/** Polls `stream`'s info until `done` holds; the last info. */
async function waitForInfo(jsm: JetStreamManager, stream: string, done: (info: StreamInfo) => boolean, timeoutMs = 15_000): Promise<StreamInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.streams.info(stream);
    if (done(info)) return info;
    if (Date.now() > deadline) throw new Error(`stream ${stream} still at ${JSON.stringify(info.state)} ${JSON.stringify(info.mirror ?? info.sources ?? null)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function publishOrders(js: JetStreamClient, from: number, count: number, subject = (n: number) => `orders.${n % 3}`): Promise<void> {
  const acks: Promise<unknown>[] = [];
  for (let n = from; n < from + count; n++) {
    const h = headers();
    h.set('X-Order', String(n));
    if (n % 2 === 0) h.append('X-Order', 'even');
    acks.push(js.publish(subject(n), `order ${n}`, n % 5 === 0 ? undefined : { headers: h }));
    if (acks.length >= 100) await Promise.all(acks.splice(0));
  }
  await Promise.all(acks);
}

function apiError(err: unknown): { code: number; err_code: number; description: string } {
  expect(err).toBeInstanceOf(JetStreamApiError);
  return (err as JetStreamApiError).apiError() as { code: number; err_code: number; description: string };
}

function serverConfig(storeDir: string, domain?: string): string {
  return `jetstream { store_dir: ${JSON.stringify(storeDir)}${domain === undefined ? '' : `, domain: ${domain}`} }`;
}

describeEachTarget('JetStream mirrors and sources', (target: Target) => {
  let server: RunningServer;
  let storeDir: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), `js-mirrors-${target}-`));
    server = await startServer(target, serverConfig(storeDir, 'hub'));
    nc = await connect({ servers: server.clientUrl });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });

  afterEach(async () => {
    for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('mirrors 1,000 messages and those published while it runs, each as the origin has it (seq, subject, headers, data, time)', async () => {
    await jsm.streams.add({ name: 'ORIGIN', subjects: ['orders.*'] });
    await publishOrders(js, 0, 1_000);
    await jsm.streams.add({ name: 'MIRROR', mirror: { name: 'ORIGIN' } });
    await publishOrders(js, 1_000, 500);
    await waitForInfo(jsm, 'MIRROR', (i) => i.state.last_seq === 1_500);
    // The mirror's consumer on the origin is not listed.
    expect((await jsm.streams.info('ORIGIN')).state.consumer_count).toBe(0);
    expect(await jsm.consumers.list('ORIGIN').next()).toEqual([]);
    const origin = await readAll(js, jsm, 'ORIGIN');
    const mirror = await readAll(js, jsm, 'MIRROR');
    expect(origin).toHaveLength(1_500);
    expect(mirror).toEqual(origin);
    const [o, m] = [(await jsm.streams.info('ORIGIN')).state, (await jsm.streams.info('MIRROR')).state];
    expect(m).toMatchObject({ messages: o.messages, bytes: o.bytes, first_seq: 1, last_seq: 1_500, first_ts: o.first_ts, last_ts: o.last_ts });
  });

  it('mirrors from a start sequence with a filter subject, at the origin sequences', async () => {
    await jsm.streams.add({ name: 'ORIGIN', subjects: ['orders.*'] });
    await publishOrders(js, 1, 20, (n) => (n % 2 === 1 ? 'orders.odd' : 'orders.even'));
    await jsm.streams.add({ name: 'ODD', mirror: { name: 'ORIGIN', filter_subject: 'orders.odd', opt_start_seq: 6 } });
    await publishOrders(js, 21, 4, (n) => (n % 2 === 1 ? 'orders.odd' : 'orders.even'));
    const info = await waitForInfo(jsm, 'ODD', (i) => i.state.last_seq >= 23);
    expect(info.state).toMatchObject({ messages: 9, first_seq: 7, last_seq: 23, num_deleted: 8 });
    const origin = (await readAll(js, jsm, 'ORIGIN')).filter((msg) => msg.subject === 'orders.odd' && msg.seq >= 6);
    expect(await readAll(js, jsm, 'ODD')).toEqual(origin);
  });

  it('sources two streams into one, each message restamped with a Nats-Stream-Source header', async () => {
    await jsm.streams.add({ name: 'EU', subjects: ['eu.*'] });
    await jsm.streams.add({ name: 'US', subjects: ['us.*'] });
    await publishOrders(js, 0, 30, (n) => `eu.${n % 2}`);
    await publishOrders(js, 0, 20, (n) => `us.${n % 2}`);
    await jsm.streams.add({ name: 'ALL', subjects: ['all.*'], sources: [{ name: 'EU' }, { name: 'US', filter_subject: 'us.1' }] });
    await publishOrders(js, 30, 10, (n) => `eu.${n % 2}`);
    await publishOrders(js, 20, 10, (n) => `us.${n % 2}`);
    await js.publish('all.own', 'own');
    const info = await waitForInfo(jsm, 'ALL', (i) => i.state.messages === 40 + 15 + 1);
    expect(info.sources?.map((s) => s.name).sort()).toEqual(['EU', 'US']);
    const origins = new Map<string, Map<number, SeenMessage>>();
    for (const name of ['EU', 'US']) origins.set(name, new Map((await readAll(js, jsm, name)).map((msg) => [msg.seq, msg])));
    const lastSeen = new Map<string, number>();
    let lastTime = 0n;
    for (const msg of await readAll(js, jsm, 'ALL')) {
      expect(BigInt(msg.timeNs)).toBeGreaterThanOrEqual(lastTime);
      lastTime = BigInt(msg.timeNs);
      if (msg.subject === 'all.own') {
        expect(msg.headers).toEqual([]);
        continue;
      }
      const source = msg.headers.at(-1)!;
      expect(source[0]).toBe('Nats-Stream-Source');
      const [name, originSeq] = source[1][0]!.split(' ') as [string, string];
      const original = origins.get(name)!.get(Number(originSeq))!;
      expect(msg.subject).toBe(original.subject);
      expect(msg.data).toBe(original.data);
      expect(msg.headers.slice(0, -1)).toEqual(original.headers);
      // Restamped with the time it was stored here; each source in its own order, none twice.
      expect(BigInt(msg.timeNs)).toBeGreaterThan(BigInt(original.timeNs));
      expect(Number(originSeq)).toBeGreaterThan(lastSeen.get(name) ?? 0);
      lastSeen.set(name, Number(originSeq));
    }
    expect(lastSeen.get('EU')).toBe(40);
    expect(lastSeen.get('US')).toBe(30);
  });

  it("reports the mirror's and the sources' lag and activity in stream info", async () => {
    await jsm.streams.add({ name: 'ORIGIN', subjects: ['orders.*'] });
    await publishOrders(js, 0, 5);
    await jsm.streams.add({ name: 'MIRROR', mirror: { name: 'ORIGIN' } });
    await jsm.streams.add({ name: 'SOURCED', sources: [{ name: 'ORIGIN' }] });
    const mirror = await waitForInfo(jsm, 'MIRROR', (i) => i.state.messages === 5);
    expect(Object.keys(mirror.mirror!)).toEqual(['name', 'lag', 'active']);
    expect(mirror.mirror).toMatchObject({ name: 'ORIGIN', lag: 0 });
    expect(mirror.mirror!.active).toBeGreaterThanOrEqual(0);
    expect(mirror.mirror!.active).toBeLessThan(3_000_000_000);
    expect(mirror.sources).toBeUndefined();
    const sourced = await waitForInfo(jsm, 'SOURCED', (i) => i.state.messages === 5);
    expect(sourced.sources).toHaveLength(1);
    expect(sourced.sources![0]).toMatchObject({ name: 'ORIGIN', lag: 0 });
    expect(sourced.mirror).toBeUndefined();
    // A mirror of a stream that does not exist says why.
    await jsm.streams.add({ name: 'ORPHAN', mirror: { name: 'NOWHERE' } });
    const orphan = await waitForInfo(jsm, 'ORPHAN', (i) => i.mirror?.error !== undefined);
    expect(orphan.mirror).toEqual({ name: 'NOWHERE', lag: 0, active: -1, error: { code: 404, err_code: 10059, description: 'stream not found' } });
  });

  it('mirrors a work queue, whose messages go once both the worker and the mirror have them', async () => {
    await jsm.streams.add({ name: 'JOBS', subjects: ['jobs.*'], retention: RetentionPolicy.Workqueue });
    // The worker first: with the mirror's consumer there, a work queue takes no other unfiltered one.
    await jsm.consumers.add('JOBS', { durable_name: 'worker', ack_policy: AckPolicy.Explicit });
    await jsm.streams.add({ name: 'MIRROR', mirror: { name: 'JOBS' } });
    await waitForInfo(jsm, 'MIRROR', (i) => i.mirror !== undefined && i.mirror.active >= 0);
    await publishOrders(js, 0, 20, (n) => `jobs.${n % 2}`);
    await waitForInfo(jsm, 'MIRROR', (i) => i.state.messages === 20);
    expect((await jsm.streams.info('JOBS')).state.messages).toBe(20);
    const refused = await jsm.consumers.add('JOBS', { durable_name: 'other', ack_policy: AckPolicy.Explicit }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(apiError(refused).err_code).toBe(10099);
    const worker = await js.consumers.get('JOBS', 'worker');
    const batch = await worker.fetch({ max_messages: 20, expires: 2_000 });
    for await (const m of batch) {
      m.ack();
      if (m.seq === 20) break;
    }
    await waitForInfo(jsm, 'JOBS', (i) => i.state.messages === 0);
    expect((await jsm.streams.info('MIRROR')).state).toMatchObject({ messages: 20, first_seq: 1, last_seq: 20 });
  });

  it("serves the origin's direct gets from a mirror of an allow_direct origin", async () => {
    await jsm.streams.add({ name: 'ORIGIN', subjects: ['orders.*'], allow_direct: true });
    await publishOrders(js, 0, 5);
    const mirror = await jsm.streams.add({ name: 'MIRROR', mirror: { name: 'ORIGIN' } });
    expect(mirror.config.mirror_direct).toBe(true);
    expect(mirror.config.allow_direct).toBe(false);
    await waitForInfo(jsm, 'MIRROR', (i) => i.state.messages === 5);
    const got = await jsm.direct.getMessage('ORIGIN', { seq: 3 });
    expect(got?.string()).toBe('order 2');
  });

  it('takes no subjects on a mirror, and leaves publishes to the origin', async () => {
    await jsm.streams.add({ name: 'ORIGIN', subjects: ['orders.*'] });
    const refused = await jsm.streams.add({ name: 'BAD', subjects: ['bad.*'], mirror: { name: 'ORIGIN' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(apiError(refused)).toEqual({ code: 400, err_code: 10034, description: 'stream mirrors can not contain subjects' });
    await jsm.streams.add({ name: 'MIRROR', mirror: { name: 'ORIGIN' } });
    const h = headers();
    h.set('Nats-Expected-Stream', 'MIRROR');
    await expect(js.publish('orders.1', 'x', { headers: h })).rejects.toThrow(/expected stream does not match/);
    await js.publish('orders.1', 'y');
    await waitForInfo(jsm, 'MIRROR', (i) => i.state.messages === 1);
    expect((await jsm.streams.getMessage('MIRROR', { seq: 1 }))?.string()).toBe('y');
  });

  // nats-server reaches another domain's API only over a leaf link: its streams' own requests do
  // not go through the domain mapping of the server's own domain, which nats-ts's router serves.
  it.skipIf(target === 'nats-server')("mirrors and sources a stream through a domain's API prefix", async () => {
    await jsm.streams.add({ name: 'ORIGIN', subjects: ['orders.*'] });
    await publishOrders(js, 0, 50);
    await jsm.streams.add({ name: 'MIRROR', mirror: { name: 'ORIGIN', domain: 'hub' } });
    await jsm.streams.add({ name: 'SOURCED', sources: [{ name: 'ORIGIN', external: { api: '$JS.hub.API', deliver: '' } }] });
    await publishOrders(js, 50, 50);
    const mirror = await waitForInfo(jsm, 'MIRROR', (i) => i.state.last_seq === 100);
    expect(mirror.config.mirror).toEqual({ name: 'ORIGIN', external: { api: '$JS.hub.API', deliver: '' } });
    expect(mirror.mirror).toMatchObject({ name: 'ORIGIN', external: { api: '$JS.hub.API', deliver: '' }, lag: 0 });
    expect(await readAll(js, jsm, 'MIRROR')).toEqual(await readAll(js, jsm, 'ORIGIN'));
    const sourced = await waitForInfo(jsm, 'SOURCED', (i) => i.state.messages === 100);
    expect(sourced.sources![0]).toMatchObject({ name: 'ORIGIN', external: { api: '$JS.hub.API', deliver: '' }, lag: 0 });
    // The source's name in the header carries the hash of the API prefix.
    const last = await jsm.streams.getMessage('SOURCED', { seq: 100 });
    expect(last?.header.get('Nats-Stream-Source')).toBe('ORIGIN:bTMUkJQk 100');
  });

  it('mirrors a stream created after the mirror (the mirror retries)', { timeout: 40_000 }, async () => {
    await jsm.streams.add({ name: 'MIRROR', mirror: { name: 'LATE' } });
    await waitForInfo(jsm, 'MIRROR', (i) => i.mirror?.error !== undefined);
    await jsm.streams.add({ name: 'LATE', subjects: ['late.*'] });
    await publishOrders(js, 0, 25, (n) => `late.${n % 4}`);
    const info = await waitForInfo(jsm, 'MIRROR', (i) => i.state.last_seq === 25, 25_000);
    expect(info.mirror?.error).toBeUndefined();
    expect(await readAll(js, jsm, 'MIRROR')).toEqual(await readAll(js, jsm, 'LATE'));
  });
});

describeEachTarget('JetStream mirrors and sources across restarts', (target: Target) => {
  it('catch up after the server restarts on the same store, without gaps or duplicates', { timeout: 60_000 }, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-mirrors-restart-${target}-`));
    let server = await startServer(target, serverConfig(storeDir));
    try {
      let nc = await connect({ servers: server.clientUrl });
      let jsm = await jetstreamManager(nc);
      let js = jetstream(nc);
      await jsm.streams.add({ name: 'ORIGIN', subjects: ['orders.*'] });
      await jsm.streams.add({ name: 'OTHER', subjects: ['other.*'] });
      await publishOrders(js, 0, 300);
      await publishOrders(js, 0, 100, (n) => `other.${n % 2}`);
      await jsm.streams.add({ name: 'MIRROR', mirror: { name: 'ORIGIN' } });
      await jsm.streams.add({ name: 'SOURCED', sources: [{ name: 'ORIGIN' }, { name: 'OTHER' }] });
      await waitForInfo(jsm, 'MIRROR', (i) => i.state.last_seq === 300);
      await waitForInfo(jsm, 'SOURCED', (i) => i.state.messages === 400);
      await nc.close();
      await server.stop();

      server = await startServer(target, serverConfig(storeDir));
      nc = await connect({ servers: server.clientUrl });
      jsm = await jetstreamManager(nc);
      js = jetstream(nc);
      await publishOrders(js, 300, 200);
      await publishOrders(js, 100, 50, (n) => `other.${n % 2}`);
      await waitForInfo(jsm, 'MIRROR', (i) => i.state.last_seq === 500);
      const sourced = await waitForInfo(jsm, 'SOURCED', (i) => i.state.messages >= 650);
      expect(await readAll(js, jsm, 'MIRROR')).toEqual(await readAll(js, jsm, 'ORIGIN'));
      // Each source's messages once each, in order.
      const seen = new Map<string, number[]>();
      for (const msg of await readAll(js, jsm, 'SOURCED')) {
        const [name, seq] = msg.headers.at(-1)![1][0]!.split(' ') as [string, string];
        seen.set(name, [...(seen.get(name) ?? []), Number(seq)]);
      }
      expect(sourced.state.messages).toBe(650);
      expect(seen.get('ORIGIN')).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      expect(seen.get('OTHER')).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
      await nc.close();
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
