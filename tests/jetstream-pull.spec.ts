// Pull consumer limits and delivery options, against nats-ts and nats-server -js: max_ack_pending,
// headers_only, replay_policy original, +NXT, and the 409/100 statuses of pull requests.
import { AckPolicy, ReplayPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { createInbox, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import { useJetStreamServer } from './support/jetstream.js';
import { describeEachTarget } from './support/servers.js';

const MS = 1_000_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeEachTarget('JetStream pull requests', (target) => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  useJetStreamServer(target, 'js-pull', (suite) => ({ nc, jsm, js } = suite));

  async function stream(count: number): Promise<void> {
    await jsm.streams.add({ name: 'PULL', subjects: ['pull.*'] });
    for (let i = 1; i <= count; i++) await js.publish('pull.a', `p${i}`);
  }

  /** Messages and statuses a raw subscription on a new inbox receives, with arrival times. */
  function inbox(): { subject: string; msgs: Msg[]; times: number[]; waitFor(n: number, ms?: number): Promise<void> } {
    const subject = createInbox();
    const msgs: Msg[] = [];
    const times: number[] = [];
    nc.subscribe(subject, {
      callback: (_e, m) => {
        msgs.push(m);
        times.push(Date.now());
      },
    });
    return {
      subject,
      msgs,
      times,
      async waitFor(n, ms = 5_000) {
        const until = Date.now() + ms;
        while (msgs.length < n && Date.now() < until) await sleep(10);
      },
    };
  }

  const status = (m: Msg | undefined): [number | undefined, string | undefined] => [m?.headers?.code, m?.headers?.description];

  function pull(consumer: string, request: Record<string, unknown>, reply: string): void {
    nc.publish(`$JS.API.CONSUMER.MSG.NEXT.PULL.${consumer}`, JSON.stringify(request), { reply });
  }

  it('holds deliveries at max_ack_pending until an ack', async () => {
    await stream(6);
    await jsm.consumers.add('PULL', { durable_name: 'MAP', ack_policy: AckPolicy.Explicit, max_ack_pending: 3 });
    const box = inbox();
    pull('MAP', { batch: 10, expires: 1_500 * MS }, box.subject);
    await box.waitFor(3);
    await sleep(200);
    expect(box.msgs.map((m) => m.string())).toEqual(['p1', 'p2', 'p3']);
    box.msgs[0]!.respond('+ACK');
    await box.waitFor(4);
    expect(box.msgs[3]!.string()).toBe('p4');
    await box.waitFor(5, 2_000);
    expect(status(box.msgs[4])).toEqual([408, 'Request Timeout']);
    expect(box.msgs[4]!.headers?.get('Nats-Pending-Messages')).toBe('6');
    expect(await jsm.consumers.info('PULL', 'MAP')).toMatchObject({ num_ack_pending: 3, num_pending: 2, ack_floor: { consumer_seq: 1, stream_seq: 1 } });
  });

  it('delivers headers only with Nats-Msg-Size', async () => {
    await jsm.streams.add({ name: 'PULL', subjects: ['pull.*'] });
    const h = headers();
    h.set('X-Kind', 'order');
    await js.publish('pull.a', 'twelve bytes', { headers: h });
    await js.publish('pull.a', '');
    await jsm.consumers.add('PULL', { durable_name: 'HO', ack_policy: AckPolicy.None, headers_only: true });
    const consumer = await js.consumers.get('PULL', 'HO');
    const first = await consumer.next({ expires: 1_000 });
    expect(first?.data.length).toBe(0);
    expect(first?.headers?.get('Nats-Msg-Size')).toBe('12');
    expect(first?.headers?.get('X-Kind')).toBe('order');
    const second = await consumer.next({ expires: 1_000 });
    expect(second?.headers?.get('Nats-Msg-Size')).toBe('0');
  });

  it('replays with the original spacing', async () => {
    await jsm.streams.add({ name: 'PULL', subjects: ['pull.*'] });
    for (let i = 1; i <= 3; i++) {
      await js.publish('pull.a', `r${i}`);
      if (i < 3) await sleep(300);
    }
    await jsm.consumers.add('PULL', { durable_name: 'REPLAY', ack_policy: AckPolicy.None, replay_policy: ReplayPolicy.Original });
    const box = inbox();
    pull('REPLAY', { batch: 3, expires: 3_000 * MS }, box.subject);
    await box.waitFor(3);
    expect(box.msgs.map((m) => m.string())).toEqual(['r1', 'r2', 'r3']);
    for (const i of [1, 2]) {
      expect(box.times[i]! - box.times[i - 1]!).toBeGreaterThanOrEqual(250);
      expect(box.times[i]! - box.times[i - 1]!).toBeLessThan(600);
    }
  });

  it('acks and asks for the next message at once with +NXT', async () => {
    await stream(3);
    await jsm.consumers.add('PULL', { durable_name: 'NXT', ack_policy: AckPolicy.Explicit });
    const box = inbox();
    pull('NXT', { batch: 1, expires: 1_000 * MS }, box.subject);
    await box.waitFor(1);
    nc.publish(box.msgs[0]!.reply!, '+NXT {"batch":2,"expires":1000000000}', { reply: box.subject });
    await box.waitFor(3);
    expect(box.msgs.map((m) => m.string())).toEqual(['p1', 'p2', 'p3']);
    // No ack answer comes for +NXT: the messages are the answer.
    await sleep(200);
    expect(box.msgs).toHaveLength(3);
    expect(await jsm.consumers.info('PULL', 'NXT')).toMatchObject({ num_ack_pending: 2, ack_floor: { stream_seq: 1 } });
  });

  it('answers a pull whose max_bytes a message passes with 409 Message Size Exceeds MaxBytes', async () => {
    await stream(2);
    await jsm.consumers.add('PULL', { durable_name: 'MB', ack_policy: AckPolicy.Explicit });
    const box = inbox();
    pull('MB', { batch: 1, max_bytes: 10, expires: 1_000 * MS }, box.subject);
    await box.waitFor(1);
    expect(status(box.msgs[0])).toEqual([409, 'Message Size Exceeds MaxBytes']);
    expect(box.msgs[0]!.headers?.get('Nats-Pending-Messages')).toBe('1');
    expect(box.msgs[0]!.headers?.get('Nats-Pending-Bytes')).toBe('10');
    // Room for one: the second does not fit in what is left, and the request ends on it.
    // A delivery counts its subject, ack reply and payload: about 55 bytes here.
    pull('MB', { batch: 5, max_bytes: 100, expires: 1_000 * MS }, box.subject);
    await box.waitFor(3);
    expect(box.msgs[1]!.string()).toBe('p1');
    expect(status(box.msgs[2])).toEqual([409, 'Message Size Exceeds MaxBytes']);
    expect(box.msgs[2]!.headers?.get('Nats-Pending-Messages')).toBe('4');
  });

  it('refuses a request past max_waiting with 409 Exceeded MaxWaiting', async () => {
    await stream(0);
    await jsm.consumers.add('PULL', { durable_name: 'MW', ack_policy: AckPolicy.Explicit, max_waiting: 1 });
    const box = inbox();
    pull('MW', { batch: 1, expires: 500 * MS }, box.subject);
    pull('MW', { batch: 1, expires: 500 * MS }, box.subject);
    await box.waitFor(2, 2_000);
    expect(status(box.msgs[0])).toEqual([409, 'Exceeded MaxWaiting']);
    expect(status(box.msgs[1])).toEqual([408, 'Request Timeout']);
  });

  it('tells each waiting request 409 Consumer Deleted when the consumer is deleted', async () => {
    await stream(0);
    await jsm.consumers.add('PULL', { durable_name: 'DEL', ack_policy: AckPolicy.Explicit });
    const box = inbox();
    pull('DEL', { batch: 1, expires: 5_000 * MS }, box.subject);
    pull('DEL', { batch: 3 }, box.subject);
    await nc.flush();
    expect((await jsm.consumers.info('PULL', 'DEL')).num_waiting).toBe(2);
    await jsm.consumers.delete('PULL', 'DEL');
    await box.waitFor(2);
    expect(box.msgs.map(status)).toEqual([
      [409, 'Consumer Deleted'],
      [409, 'Consumer Deleted'],
    ]);
  });

  it('answers a request it cannot read with Go\'s words', async () => {
    await stream(0);
    await jsm.consumers.add('PULL', { durable_name: 'BAD', ack_policy: AckPolicy.Explicit });
    const bodies = ['{bad', '{"batch":1,}', '{"batch":"5"}', '{"expires":1.5}', '{"no_wait":1}', '{"batch":1} x'];
    const box = inbox();
    for (const body of bodies) nc.publish('$JS.API.CONSUMER.MSG.NEXT.PULL.BAD', body, { reply: box.subject });
    await box.waitFor(bodies.length);
    expect(box.msgs.map(status)).toEqual(
      [
        "invalid character 'b' looking for beginning of object key string",
        "invalid character '}' looking for beginning of object key string",
        'json: cannot unmarshal string into Go struct field JSApiConsumerGetNextRequest.batch of type int',
        'json: cannot unmarshal number 1.5 into Go struct field JSApiConsumerGetNextRequest.expires of type time.Duration',
        'json: cannot unmarshal number into Go struct field JSApiConsumerGetNextRequest.no_wait of type bool',
        "invalid character 'x' after top-level value",
      ].map((text) => [400, `Bad Request - ${text}`]),
    );
  });

  it('sends idle heartbeats on the inbox of a waiting pull request', async () => {
    await stream(1);
    await jsm.consumers.add('PULL', { durable_name: 'HB', ack_policy: AckPolicy.Explicit });
    const box = inbox();
    pull('HB', { batch: 2, expires: 2_500 * MS, idle_heartbeat: 1_000 * MS }, box.subject);
    await box.waitFor(4, 4_000);
    expect(box.msgs[0]!.string()).toBe('p1');
    expect(box.msgs.slice(1).map(status)).toEqual([
      [100, 'Idle Heartbeat'],
      [100, 'Idle Heartbeat'],
      [408, 'Request Timeout'],
    ]);
    expect(box.msgs[1]!.headers?.get('Nats-Last-Consumer')).toBe('1');
    expect(box.msgs[1]!.headers?.get('Nats-Last-Stream')).toBe('1');
    // A heartbeat too long for the expiry is refused.
    pull('HB', { batch: 1, expires: 1_000 * MS, idle_heartbeat: 600 * MS }, box.subject);
    await box.waitFor(5);
    expect(status(box.msgs[4])).toEqual([400, 'Bad Request - heartbeat value too large']);
  });
});
