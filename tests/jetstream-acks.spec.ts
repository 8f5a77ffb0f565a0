// Ack timing, against nats-ts and nats-server -js: a nak with a delay, in-progress acks extending
// ack_wait, redeliveries spaced by a backoff up to max_deliver, and the sampled ack metrics.
import { AckPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import { useJetStreamServer } from './support/jetstream.js';
import { describeEachTarget } from './support/servers.js';

const MS = 1_000_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeEachTarget('JetStream ack timing', (target) => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  useJetStreamServer(target, 'js-acks', (suite) => ({ nc, jsm, js } = suite));

  async function stream(count: number): Promise<void> {
    await jsm.streams.add({ name: 'ACKS', subjects: ['acks'] });
    for (let i = 1; i <= count; i++) await js.publish('acks', `a${i}`);
  }

  it('redelivers a message nakked with a delay no sooner than the delay', async () => {
    await stream(1);
    await jsm.consumers.add('ACKS', { durable_name: 'NAK', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get('ACKS', 'NAK');
    const first = await consumer.next({ expires: 1_000 });
    const nakked = Date.now();
    first!.nak(500);
    const again = await consumer.next({ expires: 3_000 });
    const waited = Date.now() - nakked;
    expect([again?.seq, again?.info.deliveryCount]).toEqual([1, 2]);
    expect(waited).toBeGreaterThanOrEqual(490);
    expect(waited).toBeLessThan(1_500);
    // A Go duration after -NAK is a delay too.
    const nakkedAgain = Date.now();
    (again as unknown as { msg: Msg }).msg.respond('-NAK 300ms');
    const third = await consumer.next({ expires: 3_000 });
    expect(third?.info.deliveryCount).toBe(3);
    expect(Date.now() - nakkedAgain).toBeGreaterThanOrEqual(290);
  });

  it('extends ack_wait with each in-progress ack', async () => {
    await stream(1);
    await jsm.consumers.add('ACKS', { durable_name: 'WPI', ack_policy: AckPolicy.Explicit, ack_wait: 1_000 * MS });
    const consumer = await js.consumers.get('ACKS', 'WPI');
    const m = await consumer.next({ expires: 1_000 });
    for (let i = 0; i < 3; i++) {
      await sleep(600);
      m!.working();
    }
    const lastWorking = Date.now();
    const again = await consumer.next({ expires: 3_000 });
    expect(again?.info.deliveryCount).toBe(2);
    expect(Date.now() - lastWorking).toBeGreaterThanOrEqual(900);
  });

  it('spaces redeliveries by the backoff and stops at max_deliver', async () => {
    await stream(1);
    await jsm.consumers.add('ACKS', { durable_name: 'BO', ack_policy: AckPolicy.Explicit, backoff: [300 * MS, 600 * MS], max_deliver: 3 });
    const info = await jsm.consumers.info('ACKS', 'BO');
    expect(info.config.ack_wait).toBe(300 * MS);
    const inbox = createInbox();
    const arrivals: [number, number][] = [];
    nc.subscribe(inbox, { callback: (_e, m) => void arrivals.push([Date.now(), m.headers?.code ?? Number(m.reply!.split('.')[4])]) });
    nc.publish('$JS.API.CONSUMER.MSG.NEXT.ACKS.BO', JSON.stringify({ batch: 5, expires: 2_500 * MS }), { reply: inbox });
    await sleep(2_800);
    // Three deliveries (counts 1, 2, 3), then the request's 408.
    expect(arrivals.map(([, what]) => what)).toEqual([1, 2, 3, 408]);
    const [[t1], [t2], [t3]] = arrivals;
    expect(t2! - t1!).toBeGreaterThanOrEqual(280);
    expect(t2! - t1!).toBeLessThan(700);
    expect(t3! - t2!).toBeGreaterThanOrEqual(580);
    expect(t3! - t2!).toBeLessThan(1_000);
    // Given up on, not acked: the floor stays.
    expect(await jsm.consumers.info('ACKS', 'BO')).toMatchObject({
      delivered: { consumer_seq: 3, stream_seq: 1 },
      ack_floor: { consumer_seq: 0, stream_seq: 0 },
      num_redelivered: 1,
      num_ack_pending: 0,
    });
  });

  /** The ack metrics published while `run` acks, once `settleMs` passed after it. */
  async function ackMetrics(consumer: string, run: () => Promise<void>): Promise<Record<string, unknown>[]> {
    const metrics: Record<string, unknown>[] = [];
    const sub = nc.subscribe(`$JS.EVENT.METRIC.CONSUMER.ACK.ACKS.${consumer}`, { callback: (_e, m) => void metrics.push(m.json()) });
    await nc.flush();
    await run();
    await sleep(200);
    sub.unsubscribe();
    return metrics;
  }

  it('sends an ack metric for every ack at sample_freq 100%, with nats-server 2.9 fields', async () => {
    await stream(3);
    await jsm.consumers.add('ACKS', { durable_name: 'ALL', ack_policy: AckPolicy.Explicit, sample_freq: '100%' });
    const consumer = await js.consumers.get('ACKS', 'ALL');
    const metrics = await ackMetrics('ALL', async () => {
      const first = await consumer.next({ expires: 1_000 });
      first!.nak();
      // The nak is taken before the next pull asks (nats-server handles them apart).
      await nc.flush();
      await sleep(50);
      const again = await consumer.next({ expires: 1_000 });
      await sleep(20);
      await again!.ackAck();
      const second = await consumer.next({ expires: 1_000 });
      second!.term();
      const third = await consumer.next({ expires: 1_000 });
      // +NXT acks too, and is sampled as an ack.
      (third as unknown as { msg: Msg }).msg.respond('+NXT {"batch":1,"no_wait":true}');
    });
    // The terminated message sends none.
    expect(metrics).toHaveLength(2);
    expect(Object.keys(metrics[0]!)).toEqual(['type', 'id', 'timestamp', 'stream', 'consumer', 'consumer_seq', 'stream_seq', 'ack_time', 'deliveries']);
    expect(metrics[0]).toMatchObject({ type: 'io.nats.jetstream.metric.v1.consumer_ack', stream: 'ACKS', consumer: 'ALL', consumer_seq: 2, stream_seq: 1, deliveries: 2 });
    expect(metrics[0]!.ack_time).toBeGreaterThanOrEqual(15 * MS);
    expect(metrics[0]!.ack_time).toBeLessThan(1_000 * MS);
    expect(metrics[1]).toMatchObject({ consumer_seq: 4, stream_seq: 3, deliveries: 1 });
  });

  it('samples about the share sample_freq asks, none at 0, and none without explicit acks', async () => {
    await stream(200);
    const ackAll = async (name: string, config: { sample_freq: string; ack_policy?: AckPolicy }): Promise<number> => {
      await jsm.consumers.add('ACKS', { durable_name: name, ack_policy: AckPolicy.Explicit, ...config });
      const consumer = await js.consumers.get('ACKS', name);
      const metrics = await ackMetrics(name, async () => {
        const batch = await consumer.fetch({ max_messages: 200, expires: 2_000 });
        for await (const m of batch) m.ack();
        await nc.flush();
      });
      return metrics.length;
    };
    const half = await ackAll('HALF', { sample_freq: '50%' });
    expect(half).toBeGreaterThan(50);
    expect(half).toBeLessThan(150);
    // A bare number is a percentage too.
    const most = await ackAll('MOST', { sample_freq: '90' });
    expect(most).toBeGreaterThan(150);
    expect(await ackAll('NONE', { sample_freq: '0' })).toBe(0);
    expect(await ackAll('ACKALL', { sample_freq: '100%', ack_policy: AckPolicy.All })).toBe(0);
    const refused = await jsm.consumers.add('ACKS', { durable_name: 'BAD', ack_policy: AckPolicy.Explicit, sample_freq: 'often' }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain('failed to parse consumer sampling configuration');
  });
});
