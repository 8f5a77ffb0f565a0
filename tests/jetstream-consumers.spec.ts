// JetStream consumers through the official @nats-io/jetstream client (pull, ordered, push) and
// raw requests, against nats-ts and nats-server -js alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const decoder = new TextDecoder();
const MS = 1_000_000;

function apiErrCode(err: unknown): number {
  expect(err).toBeInstanceOf(JetStreamApiError);
  return (err as JetStreamApiError).apiError().err_code;
}

/** Messages a raw subscription received, with a bounded wait. */
function collect(nc: NatsConnection, subject: string): { msgs: Msg[]; waitFor(n: number, ms?: number): Promise<Msg[]> } {
  const msgs: Msg[] = [];
  nc.subscribe(subject, { callback: (_e, m) => void msgs.push(m) });
  return {
    msgs,
    async waitFor(n, ms = 5_000) {
      const until = Date.now() + ms;
      while (msgs.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      return msgs;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A raw API request's answer, as the server wrote it. */
async function api(nc: NatsConnection, subject: string, body = ''): Promise<string> {
  return decoder.decode((await nc.request(subject, body, { timeout: 2_000 })).data);
}

describeEachTarget('JetStream consumers', (target) => {
  let server: RunningServer;
  let storeDir: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), `js-consumers-${target}-`));
    server = await startServer(target, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`);
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

  async function orders(count: number): Promise<void> {
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.*'] });
    for (let i = 1; i <= count; i++) await js.publish(i % 2 === 0 ? 'orders.even' : 'orders.odd', `o${i}`);
  }

  it('creates durables and ephemerals with nats-server defaults, and lists, names and deletes them', async () => {
    await orders(3);
    const durable = await jsm.consumers.add('ORDERS', { durable_name: 'D1', ack_policy: AckPolicy.Explicit });
    expect(durable).toMatchObject({ stream_name: 'ORDERS', name: 'D1', num_pending: 3, num_ack_pending: 0, delivered: { consumer_seq: 0, stream_seq: 0 } });
    expect(durable.config).toMatchObject({ durable_name: 'D1', deliver_policy: 'all', ack_policy: 'explicit', ack_wait: 30_000 * MS, max_deliver: -1, replay_policy: 'instant', max_waiting: 512, max_ack_pending: 1000 });
    const ephemeral = await jsm.consumers.add('ORDERS', { ack_policy: AckPolicy.None, filter_subject: 'orders.even' });
    expect(ephemeral.name).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(ephemeral.num_pending).toBe(1);
    expect(ephemeral.config.inactive_threshold).toBe(5_000 * MS);
    const names: string[] = [];
    for await (const name of jsm.consumers.list('ORDERS')) names.push(name.name);
    expect(names.sort()).toEqual([ephemeral.name, 'D1'].sort());
    expect((await jsm.streams.info('ORDERS')).state.consumer_count).toBe(2);
    expect(await jsm.consumers.delete('ORDERS', 'D1')).toBe(true);
    const err = await jsm.consumers.info('ORDERS', 'D1').catch((e: unknown) => e);
    expect(apiErrCode(err)).toBe(10014);
    const again = await jsm.consumers.add('ORDERS', { durable_name: 'D2', ack_policy: AckPolicy.Explicit });
    const changed = await jsm.consumers.add('ORDERS', { durable_name: 'D2', ack_policy: AckPolicy.None }).catch((e: unknown) => e);
    expect(again.name).toBe('D2');
    expect(apiErrCode(changed)).toBe(10012);
  });

  it('names and lists no consumers as [] (null only for no stream names), and counts consumers in account info', async () => {
    const type = (kind: string): string => `"type":"io.nats.jetstream.api.v1.${kind}_response"`;
    expect(await api(nc, '$JS.API.STREAM.NAMES')).toBe(`{${type('stream_names')},"total":0,"offset":0,"limit":1024,"streams":null}`);
    expect(await api(nc, '$JS.API.STREAM.LIST')).toBe(`{${type('stream_list')},"total":0,"offset":0,"limit":256,"streams":[]}`);
    expect(await api(nc, '$JS.API.STREAM.LIST', 'x')).toBe(`{${type('stream_list')},"error":{"code":400,"err_code":10025,"description":"invalid JSON"},"total":0,"offset":0,"limit":0,"streams":[]}`);
    expect(await api(nc, '$JS.API.CONSUMER.NAMES.ORDERS')).toBe(
      `{${type('consumer_names')},"error":{"code":404,"err_code":10059,"description":"stream not found"},"total":0,"offset":0,"limit":0,"consumers":[]}`,
    );
    expect(await api(nc, '$JS.API.CONSUMER.LIST.ORDERS')).toBe(
      `{${type('consumer_list')},"error":{"code":404,"err_code":10059,"description":"stream not found"},"total":0,"offset":0,"limit":0,"consumers":[]}`,
    );
    await orders(1);
    expect(await api(nc, '$JS.API.CONSUMER.NAMES.ORDERS')).toBe(`{${type('consumer_names')},"total":0,"offset":0,"limit":1024,"consumers":[]}`);
    expect(await api(nc, '$JS.API.CONSUMER.LIST.ORDERS')).toBe(`{${type('consumer_list')},"total":0,"offset":0,"limit":256,"consumers":[]}`);
    expect(await api(nc, '$JS.API.CONSUMER.NAMES.ORDERS', 'x')).toBe(
      `{${type('consumer_names')},"error":{"code":400,"err_code":10025,"description":"invalid JSON"},"total":0,"offset":0,"limit":0,"consumers":[]}`,
    );
    expect((await jsm.getAccountInfo()).consumers).toBe(0);
    await jsm.consumers.add('ORDERS', { durable_name: 'A', ack_policy: AckPolicy.Explicit });
    await jsm.consumers.add('ORDERS', { ack_policy: AckPolicy.None });
    await jsm.streams.add({ name: 'OTHER', subjects: ['other.*'] });
    await jsm.consumers.add('OTHER', { durable_name: 'B', ack_policy: AckPolicy.Explicit });
    expect((await jsm.getAccountInfo()).consumers).toBe(3);
    expect(await api(nc, '$JS.API.CONSUMER.NAMES.ORDERS', '{"offset":5}')).toBe(`{${type('consumer_names')},"total":2,"offset":2,"limit":1024,"consumers":[]}`);
    await jsm.consumers.delete('ORDERS', 'A');
    expect((await jsm.getAccountInfo()).consumers).toBe(2);
  });

  it('fetches, acks and moves the ack floor of a pull consumer', async () => {
    await orders(5);
    await jsm.consumers.add('ORDERS', { durable_name: 'P', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get('ORDERS', 'P');
    const got: string[] = [];
    const batch = await consumer.fetch({ max_messages: 3, expires: 1_000 });
    for await (const m of batch) {
      got.push(m.string());
      expect(m.subject).toMatch(/^orders\.(odd|even)$/);
      expect(m.info.stream).toBe('ORDERS');
      expect((m as unknown as { msg: Msg }).msg.reply).toMatch(/^\$JS\.ACK\.ORDERS\.P\.1\.\d+\.\d+\.\d{19}\.\d+$/);
      m.ack();
    }
    expect(got).toEqual(['o1', 'o2', 'o3']);
    await sleep(100);
    const info = await consumer.info();
    expect(info).toMatchObject({ num_pending: 2, num_ack_pending: 0, delivered: { consumer_seq: 3, stream_seq: 3 }, ack_floor: { consumer_seq: 3, stream_seq: 3 } });
    const next = await consumer.next({ expires: 1_000 });
    expect(next?.string()).toBe('o4');
    expect(await next?.ackAck()).toBe(true);
  });

  it('consumes continuously, and an ordered consumer reads the stream in order', async () => {
    await orders(0);
    await jsm.consumers.add('ORDERS', { durable_name: 'C', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get('ORDERS', 'C');
    const messages = await consumer.consume({ max_messages: 10 });
    const seen: string[] = [];
    const done = (async () => {
      for await (const m of messages) {
        seen.push(m.string());
        m.ack();
        if (seen.length === 50) break;
      }
    })();
    for (let i = 1; i <= 50; i++) await js.publish('orders.odd', `m${i}`);
    await done;
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 1}`));

    const ordered = await js.consumers.get('ORDERS');
    const read: string[] = [];
    const iter = await ordered.consume();
    for await (const m of iter) {
      read.push(m.string());
      if (read.length === 50) break;
    }
    expect(read).toEqual(seen);
  });

  it('redelivers after ack_wait, on -NAK, not after +TERM, and up to max_deliver', async () => {
    await orders(2);
    const advisories = collect(nc, '$JS.EVENT.ADVISORY.CONSUMER.>');
    await nc.flush();
    await jsm.consumers.add('ORDERS', { durable_name: 'R', ack_policy: AckPolicy.Explicit, ack_wait: 500 * MS, max_deliver: 2 });
    const consumer = await js.consumers.get('ORDERS', 'R');
    const first = await consumer.next({ expires: 1_000 });
    expect(first?.info.deliveryCount).toBe(1);
    const second = await consumer.next({ expires: 1_000 });
    second?.nak();
    const nakked = await consumer.next({ expires: 1_000 });
    expect([nakked?.seq, nakked?.info.deliveryCount]).toEqual([2, 2]);
    nakked?.term();
    await sleep(700);
    const redelivered = await consumer.next({ expires: 1_000 });
    expect([redelivered?.seq, redelivered?.info.deliveryCount]).toEqual([1, 2]);
    // Two deliveries were the maximum: nothing comes again.
    await sleep(700);
    expect(await consumer.next({ expires: 1_000 })).toBeNull();
    await advisories.waitFor(3);
    const terminated = advisories.msgs.find((m) => m.subject === '$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.ORDERS.R')?.json();
    expect(terminated).toMatchObject({ type: 'io.nats.jetstream.advisory.v1.terminated', stream: 'ORDERS', consumer: 'R', stream_seq: 2, deliveries: 2 });
    const exhausted = advisories.msgs.find((m) => m.subject === '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.R')?.json();
    expect(exhausted).toMatchObject({ type: 'io.nats.jetstream.advisory.v1.max_deliver', stream: 'ORDERS', consumer: 'R', stream_seq: 1, deliveries: 2 });
  });

  it('answers pull requests with nats-server status messages', async () => {
    await orders(1);
    await jsm.consumers.add('ORDERS', { durable_name: 'S', ack_policy: AckPolicy.Explicit, max_batch: 2 });
    const inbox = createInbox();
    const statuses = collect(nc, inbox);
    nc.publish('$JS.API.CONSUMER.MSG.NEXT.ORDERS.S', '{"batch":5}', { reply: inbox });
    nc.publish('$JS.API.CONSUMER.MSG.NEXT.ORDERS.S', '{"batch":1,"expires":300000000}', { reply: inbox });
    await statuses.waitFor(2);
    expect(statuses.msgs[0]!.headers?.code).toBe(409);
    expect(statuses.msgs[0]!.headers?.description).toBe('Exceeded MaxRequestBatch of 2');
    expect(statuses.msgs[1]!.string()).toBe('o1');
    nc.publish('$JS.API.CONSUMER.MSG.NEXT.ORDERS.S', '{"batch":1,"no_wait":true}', { reply: inbox });
    nc.publish('$JS.API.CONSUMER.MSG.NEXT.ORDERS.S', '{"batch":2,"expires":300000000}', { reply: inbox });
    await statuses.waitFor(4);
    expect([statuses.msgs[2]!.headers?.code, statuses.msgs[2]!.headers?.description]).toEqual([404, 'No Messages']);
    expect([statuses.msgs[3]!.headers?.code, statuses.msgs[3]!.headers?.description]).toEqual([408, 'Request Timeout']);
    expect(statuses.msgs[3]!.headers?.get('Nats-Pending-Messages')).toBe('2');
    const push = await jsm.consumers.add('ORDERS', { durable_name: 'PUSHED', deliver_subject: createInbox(), ack_policy: AckPolicy.Explicit });
    nc.publish(`$JS.API.CONSUMER.MSG.NEXT.ORDERS.${push.name}`, '', { reply: inbox });
    await statuses.waitFor(5);
    expect(statuses.msgs[4]!.headers?.description).toBe('Consumer is push based');
    // A pull request for a missing consumer gets no answer at all.
    await expect(nc.request('$JS.API.CONSUMER.MSG.NEXT.ORDERS.NOPE', '', { timeout: 500 })).rejects.toThrow();
  });

  it('pushes to a deliver subject, showing the stored subject, with the ack reply nats-server encodes', async () => {
    await orders(3);
    const deliver = createInbox();
    const pushed = collect(nc, deliver);
    await nc.flush();
    const info = await jsm.consumers.add('ORDERS', { durable_name: 'PUSH', deliver_subject: deliver, ack_policy: AckPolicy.Explicit, max_ack_pending: 2 });
    expect(info.push_bound).toBe(true);
    await pushed.waitFor(2);
    await sleep(200);
    // max_ack_pending 2: the third waits for an ack.
    expect(pushed.msgs.map((m) => m.subject)).toEqual(['orders.odd', 'orders.even']);
    expect(pushed.msgs[0]!.reply).toMatch(/^\$JS\.ACK\.ORDERS\.PUSH\.1\.1\.1\.\d{19}\.2$/);
    pushed.msgs[0]!.respond('+ACK');
    await pushed.waitFor(3);
    expect(decoder.decode(pushed.msgs[2]!.data)).toBe('o3');
  });

  it('starts delivering to a push consumer when its deliver subject gets a subscriber, and sends idle heartbeats', async () => {
    await orders(1);
    const deliver = createInbox();
    await jsm.consumers.add('ORDERS', { durable_name: 'LATE', deliver_subject: deliver, ack_policy: AckPolicy.None, idle_heartbeat: 500 * MS, flow_control: true });
    await sleep(200);
    const pushed = collect(nc, deliver);
    await pushed.waitFor(2, 3_000);
    expect(decoder.decode(pushed.msgs[0]!.data)).toBe('o1');
    const heartbeat = pushed.msgs[1]!;
    expect([heartbeat.headers?.code, heartbeat.headers?.description]).toEqual([100, 'Idle Heartbeat']);
    expect(heartbeat.headers?.get('Nats-Last-Consumer')).toBe('1');
    expect(heartbeat.headers?.get('Nats-Last-Stream')).toBe('1');
  });

  it('honours the deliver policies and filters', async () => {
    await orders(6);
    const firstOf = async (config: Record<string, unknown>): Promise<number | undefined> => {
      const c = await jsm.consumers.add('ORDERS', { ack_policy: AckPolicy.None, ...config });
      const m = await (await js.consumers.get('ORDERS', c.name)).next({ expires: 1_000 });
      return m?.seq;
    };
    expect(await firstOf({ deliver_policy: DeliverPolicy.Last })).toBe(6);
    expect(await firstOf({ deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 4 })).toBe(4);
    expect(await firstOf({ deliver_policy: DeliverPolicy.All, filter_subject: 'orders.even' })).toBe(2);
    expect(await firstOf({ deliver_policy: DeliverPolicy.LastPerSubject, filter_subject: 'orders.*' })).toBe(5);
    const fresh = await jsm.consumers.add('ORDERS', { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.New });
    expect(fresh.num_pending).toBe(0);
  });

  it('starts each deliver policy where nats-server starts it, as its info shows', async () => {
    await orders(6);
    const start = async (config: Record<string, unknown>): Promise<unknown> => {
      const c = await jsm.consumers.add('ORDERS', { ack_policy: AckPolicy.Explicit, ...config });
      expect(c.ack_floor).toEqual({ consumer_seq: 0, stream_seq: 0 });
      return [c.delivered.stream_seq, c.num_pending];
    };
    expect(await start({ deliver_policy: DeliverPolicy.All })).toEqual([0, 6]);
    expect(await start({ deliver_policy: DeliverPolicy.Last })).toEqual([5, 1]);
    expect(await start({ deliver_policy: DeliverPolicy.Last, filter_subject: 'orders.odd' })).toEqual([4, 1]);
    expect(await start({ deliver_policy: DeliverPolicy.New })).toEqual([6, 0]);
    expect(await start({ deliver_policy: DeliverPolicy.LastPerSubject, filter_subject: 'orders.*' })).toEqual([4, 2]);
    // A start past the end waits for the next message, whatever its sequence.
    const late = await jsm.consumers.add('ORDERS', { durable_name: 'LATE', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 100 });
    expect([late.delivered.stream_seq, late.num_pending]).toEqual([6, 0]);
    await js.publish('orders.odd', 'o7');
    const seventh = await (await js.consumers.get('ORDERS', 'LATE')).next({ expires: 1_000 });
    expect(seventh?.seq).toBe(7);
    // An ack moves the floor and stamps it, as nats-server shows it.
    await seventh!.ackAck();
    const acked = await jsm.consumers.info('ORDERS', 'LATE');
    expect(acked.ack_floor).toMatchObject({ consumer_seq: 1, stream_seq: 7 });
    expect((acked.ack_floor as unknown as { last_active?: string }).last_active).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('removes acked messages from a work queue, and from an interest stream once every consumer acked', async () => {
    await jsm.streams.add({ name: 'WQ', subjects: ['wq.*'], retention: 'workqueue' as never });
    await jsm.consumers.add('WQ', { durable_name: 'W', ack_policy: AckPolicy.Explicit });
    for (let i = 0; i < 3; i++) await js.publish('wq.a', `w${i}`);
    const overlap = await jsm.consumers.add('WQ', { durable_name: 'W2', ack_policy: AckPolicy.Explicit }).catch((e: unknown) => e);
    expect(apiErrCode(overlap)).toBe(10099);
    const wq = await js.consumers.get('WQ', 'W');
    for (let i = 0; i < 2; i++) await (await wq.next({ expires: 1_000 }))!.ackAck();
    expect((await jsm.streams.info('WQ')).state).toMatchObject({ messages: 1, first_seq: 3 });

    await jsm.streams.add({ name: 'INT', subjects: ['int.*'], retention: 'interest' as never });
    await jsm.consumers.add('INT', { durable_name: 'A', ack_policy: AckPolicy.Explicit });
    await jsm.consumers.add('INT', { durable_name: 'B', ack_policy: AckPolicy.Explicit });
    await js.publish('int.x', 'i1');
    await (await (await js.consumers.get('INT', 'A')).next({ expires: 1_000 }))!.ackAck();
    expect((await jsm.streams.info('INT')).state.messages).toBe(1);
    await (await (await js.consumers.get('INT', 'B')).next({ expires: 1_000 }))!.ackAck();
    expect((await jsm.streams.info('INT')).state.messages).toBe(0);
  });

  it('publishes advisories for stream and consumer actions and an audit of each API call', async () => {
    const advisories = collect(nc, '$JS.EVENT.ADVISORY.>');
    await nc.flush();
    await jsm.streams.add({ name: 'ADV', subjects: ['adv.*'] });
    await jsm.consumers.add('ADV', { durable_name: 'C', ack_policy: AckPolicy.Explicit });
    await jsm.consumers.delete('ADV', 'C');
    await jsm.streams.delete('ADV');
    await advisories.waitFor(8);
    const actions = advisories.msgs.filter((m) => !m.subject.endsWith('.API')).map((m) => [m.subject, (m.json() as { type: string; action: string }).action]);
    expect(actions).toEqual([
      ['$JS.EVENT.ADVISORY.STREAM.CREATED.ADV', 'create'],
      ['$JS.EVENT.ADVISORY.CONSUMER.CREATED.ADV.C', 'create'],
      ['$JS.EVENT.ADVISORY.CONSUMER.DELETED.ADV.C', 'delete'],
      ['$JS.EVENT.ADVISORY.STREAM.DELETED.ADV', 'delete'],
    ]);
    const audit = advisories.msgs.find((m) => m.subject === '$JS.EVENT.ADVISORY.API')!.json() as Record<string, unknown>;
    expect(audit).toMatchObject({ type: 'io.nats.jetstream.advisory.v1.api_audit', subject: '$JS.API.STREAM.CREATE.ADV' });
    expect(JSON.parse(audit.response as string)).toMatchObject({ type: 'io.nats.jetstream.api.v1.stream_create_response' });
    const created = advisories.msgs.find((m) => m.subject === '$JS.EVENT.ADVISORY.STREAM.CREATED.ADV')!.json() as Record<string, unknown>;
    expect(Object.keys(created)).toEqual(['type', 'id', 'timestamp', 'stream', 'action']);
  });

  it('keeps a durable consumer\'s position across a restart', async () => {
    await orders(4);
    await jsm.consumers.add('ORDERS', { durable_name: 'KEEP', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get('ORDERS', 'KEEP');
    for (let i = 0; i < 2; i++) await (await consumer.next({ expires: 1_000 }))!.ackAck();
    await nc.close();
    await server.stop();
    server = await startServer(target, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`);
    nc = await connect({ servers: server.clientUrl });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    const info = await jsm.consumers.info('ORDERS', 'KEEP');
    expect(info).toMatchObject({ num_pending: 2, delivered: { stream_seq: 2 }, ack_floor: { stream_seq: 2 } });
    expect((await (await js.consumers.get('ORDERS', 'KEEP')).next({ expires: 1_000 }))?.seq).toBe(3);
  });
});
