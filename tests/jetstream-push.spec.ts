// Push consumers and ephemeral lifetimes, against nats-ts and nats-server -js: queue groups on
// the deliver subject, flow control with a reader that does not answer, inactive ephemerals.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useJetStreamServer } from './support/jetstream.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const MS = 1_000_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await sleep(10);
  return condition();
}

describeEachTarget('JetStream push consumers', (target) => {
  let server: RunningServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  useJetStreamServer(target, 'js-push', (suite) => ({ server, nc, jsm, js } = suite));

  /** Whether the consumer is gone: CONSUMER.INFO answers 10014. */
  async function consumerGone(stream: string, name: string): Promise<boolean> {
    try {
      await jsm.consumers.info(stream, name);
      return false;
    } catch (err) {
      expect(err).toBeInstanceOf(JetStreamApiError);
      return (err as JetStreamApiError).apiError().err_code === 10014;
    }
  }

  it('delivers each message once across the subscribers of a deliver_group', async () => {
    await jsm.streams.add({ name: 'TASKS', subjects: ['tasks'] });
    const deliver = createInbox();
    const other = await connect({ servers: server.clientUrl });
    const got: [string, string][] = [];
    for (const [who, conn] of [['a', nc], ['b', other]] as const) {
      conn.subscribe(deliver, { queue: 'workers', callback: (_e, m) => void got.push([who, m.string()]) });
      await conn.flush();
    }
    const info = await jsm.consumers.add('TASKS', { durable_name: 'Q', deliver_subject: deliver, deliver_group: 'workers', ack_policy: AckPolicy.None });
    expect(info.config.deliver_group).toBe('workers');
    expect(info.push_bound).toBe(true);
    for (let i = 1; i <= 40; i++) await js.publish('tasks', `t${i}`);
    await until(() => got.length >= 40, 5_000);
    await sleep(200);
    expect(got.map(([, body]) => body).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `t${i + 1}`).sort());
    expect(new Set(got.map(([who]) => who))).toEqual(new Set(['a', 'b']));
    await other.close();
  });

  it('stops after about 2 MB for a reader that does not answer flow control, says so in heartbeats, and resumes', { timeout: 30_000 }, async () => {
    await jsm.streams.add({ name: 'BIG', subjects: ['big'] });
    const body = new Uint8Array(100_000).fill(0x61);
    for (let i = 0; i < 40; i++) await js.publish('big', body);
    const reader = await connect({ servers: server.clientUrl });
    const deliver = createInbox();
    const data: Msg[] = [];
    const requests: Msg[] = [];
    const heartbeats: Msg[] = [];
    const requestedAt: number[] = [];
    let answering = false;
    reader.subscribe(deliver, {
      callback: (_e, m) => {
        const code = m.headers?.code ?? 0;
        if (code === 100 && m.headers?.description === 'FlowControl Request') {
          requests.push(m);
          requestedAt.push(data.length);
          if (answering) m.respond();
        } else if (code === 100) heartbeats.push(m);
        else data.push(m);
      },
    });
    await reader.flush();
    await jsm.consumers.add('BIG', { durable_name: 'FC', deliver_subject: deliver, ack_policy: AckPolicy.None, flow_control: true, idle_heartbeat: 500 * MS });
    await until(() => requests.length > 0 && heartbeats.some((h) => h.headers?.has('Nats-Consumer-Stalled')), 5_000);
    const stalled = data.length;
    // nats-server's window: a request past 1 MB, no more past 2 MB until it is answered.
    expect(stalled).toBeGreaterThanOrEqual(20);
    expect(stalled).toBeLessThanOrEqual(22);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.reply).toMatch(/^\$JS\.FC\.BIG\.FC\.\w{4}$/);
    const heartbeat = heartbeats.find((h) => h.headers?.has('Nats-Consumer-Stalled'))!;
    expect(heartbeat.headers?.get('Nats-Consumer-Stalled')).toBe(requests[0]!.reply);
    expect(heartbeat.headers?.get('Nats-Last-Consumer')).toBe(String(stalled));
    await sleep(700);
    expect(data).toHaveLength(stalled);

    answering = true;
    requests[0]!.respond();
    await until(() => data.length === 40, 10_000);
    expect(data.map((m) => Number(m.reply!.split('.')[5]))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // Each answer doubles the window: the next request comes past 2 MB.
    expect(requestedAt).toEqual([11, 32]);
    heartbeats.length = 0;
    await until(() => heartbeats.length > 0, 2_000);
    expect(heartbeats[0]!.headers?.has('Nats-Consumer-Stalled')).toBe(false);
    await reader.close();
  });

  it('removes a push ephemeral without a subscriber after inactive_threshold', async () => {
    await jsm.streams.add({ name: 'EPH', subjects: ['eph'] });
    await js.publish('eph', 'x');
    const idle = await jsm.consumers.add('EPH', { deliver_subject: createInbox(), ack_policy: AckPolicy.None, inactive_threshold: 500 * MS });
    const deliver = createInbox();
    const sub = nc.subscribe(deliver);
    await nc.flush();
    const bound = await jsm.consumers.add('EPH', { deliver_subject: deliver, ack_policy: AckPolicy.None, inactive_threshold: 500 * MS });
    await sleep(1_500);
    expect(await consumerGone('EPH', idle.name)).toBe(true);
    // A subscriber on the deliver subject keeps it; once it leaves, the threshold runs.
    expect(await consumerGone('EPH', bound.name)).toBe(false);
    sub.unsubscribe();
    await nc.flush();
    await sleep(1_500);
    expect(await consumerGone('EPH', bound.name)).toBe(true);
  });

  it('removes a pull consumer after inactive_threshold without requests, not while one waits', async () => {
    await jsm.streams.add({ name: 'EPH', subjects: ['eph'] });
    const idle = await jsm.consumers.add('EPH', { ack_policy: AckPolicy.Explicit, inactive_threshold: 500 * MS });
    // A durable given a threshold goes the same way; one without stays.
    await jsm.consumers.add('EPH', { durable_name: 'IDLE', ack_policy: AckPolicy.Explicit, inactive_threshold: 500 * MS });
    await jsm.consumers.add('EPH', { durable_name: 'KEPT', ack_policy: AckPolicy.Explicit });
    const waited = await jsm.consumers.add('EPH', { ack_policy: AckPolicy.Explicit, inactive_threshold: 500 * MS });
    const inbox = createInbox();
    const statuses: Msg[] = [];
    nc.subscribe(inbox, { callback: (_e, m) => void statuses.push(m) });
    nc.publish(`$JS.API.CONSUMER.MSG.NEXT.EPH.${waited.name}`, JSON.stringify({ batch: 1, expires: 2_500 * MS }), { reply: inbox });
    // nats-server adds up to 1 s to a pull consumer's threshold.
    await sleep(2_000);
    expect(await consumerGone('EPH', idle.name)).toBe(true);
    expect(await consumerGone('EPH', 'IDLE')).toBe(true);
    expect(await consumerGone('EPH', 'KEPT')).toBe(false);
    expect(await consumerGone('EPH', waited.name)).toBe(false);
    await until(() => statuses.length > 0, 2_000);
    expect(statuses[0]!.headers?.code).toBe(408);
    await sleep(2_000);
    expect(await consumerGone('EPH', waited.name)).toBe(true);
  });
});

// nats-ts only: nats-server 2.9 writes a push backlog without flow control into the subscriber's
// connection as fast as it reads the stream and cuts it off as a slow consumer past max_pending;
// nats-ts holds the consumer back while that connection is stalled, as both servers hold back a
// client publisher, so a subscriber that pauses is not lost.
describe('a push consumer over a backlog larger than max_pending', () => {
  let server: RunningServer;
  let storeDir: string;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'js-push-backlog-'));
    server = await startServer('nats-ts', `max_pending: 1048576\nmax_payload: 65536\njetstream { store_dir: ${JSON.stringify(storeDir)} }`);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('waits while its subscriber stops reading, then delivers the rest of the backlog to it', async () => {
    const nc = await connect({ servers: server.clientUrl });
    // A reader on a bare socket that only counts MSG lines, so it reads as fast as the server writes.
    const socket = netConnect({ host: '127.0.0.1', port: server.port });
    let delivered = 0;
    let closed = false;
    let tail = '';
    socket.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      for (let at = text.indexOf('MSG backlog 1 '); at >= 0; at = text.indexOf('MSG backlog 1 ', at + 1)) delivered++;
      tail = text.slice(-13);
    });
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    try {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      await jsm.streams.add({ name: 'BACKLOG', subjects: ['backlog'] });
      const body = 'x'.repeat(4096);
      const acks = [];
      for (let i = 0; i < 8_000; i++) acks.push(js.publish('backlog', body));
      await Promise.all(acks);
      socket.write('CONNECT {"verbose":false}\r\nSUB backlog.deliver 1\r\nPING\r\n');
      await sleep(200);
      // 32 MiB of backlog against 1 MiB of max_pending and the kernel's socket buffers.
      socket.pause();
      await jsm.consumers.add('BACKLOG', { deliver_subject: 'backlog.deliver', ack_policy: AckPolicy.None });
      await sleep(1_500);
      socket.resume();
      expect(await until(() => delivered === 8_000 || closed, 20_000)).toBe(true);
      expect(closed, server.output().slice(-1500)).toBe(false);
      expect(delivered).toBe(8_000);
    } finally {
      socket.destroy();
      await nc.close();
    }
  });
});
