// A stream's republish: each stored message goes out again on the transformed subject, with the
// Nats-* headers nats-server adds, against nats-ts and nats-server -js alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const decoder = new TextDecoder();

/** The lines an HMSG of `header` and `payload` on `subject` (sid 1) shows in RawClient's lines(). */
function hmsg(subject: string, header: string, payload: string): string[] {
  const lines = [`HMSG ${subject} 1 ${header.length} ${header.length + payload.length}`, ...header.split('\r\n').slice(0, -1)];
  return [...lines, payload];
}

function republished(stream: string, subject: string, seq: number, last: number, extra = ''): string {
  return `Nats-Stream: ${stream}\r\nNats-Subject: ${subject}\r\nNats-Sequence: ${seq}\r\nNats-Last-Sequence: ${last}\r\n${extra}\r\n`;
}

/** The messages a subscription got within `ms`, once `count` have come. */
async function collect(messages: Msg[], count: number, ms = 3_000): Promise<Msg[]> {
  const until = Date.now() + ms;
  while (messages.length < count && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return messages;
}

describeEachTarget('JetStream republish', (target) => {
  let server: RunningServer;
  let storeDir: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  const raws: RawClient[] = [];

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), `js-republish-${target}-`));
    server = await startServer(target, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`);
    nc = await connect({ servers: server.clientUrl });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });

  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.close();
    for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  /** A raw client subscribed to `repub.>` as sid 1 and to the ack inbox `ack` as sid 2. */
  async function rawSubscriber(): Promise<RawClient> {
    const raw = await RawClient.connected(server.port, { headers: true });
    raws.push(raw);
    await raw.roundTrip('SUB repub.> 1\r\nSUB ack 2\r\n');
    return raw;
  }

  /** Publishes through `raw` with reply `ack` and waits for the ack; the lines that came meanwhile. */
  async function publishRaw(raw: RawClient, subject: string, payload: string, header = ''): Promise<string[]> {
    const mark = raw.lines().length;
    const total = header.length + payload.length;
    raw.send(header === '' ? `PUB ${subject} ack ${payload.length}\r\n${payload}\r\n` : `HPUB ${subject} ack ${header.length} ${total}\r\n${header}${payload}\r\n`);
    await raw.waitForLine(/^\{"(stream|error)"/);
    // nats-server writes the empty reply of its JetStream messages as a second space.
    return raw.lines().slice(mark).map((line) => (/^H?MSG /.test(line) ? line.replace(/ +/g, ' ') : line));
  }

  it('republishes each stored message on the transformed subject, with nats-server headers, before its ack', async () => {
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.*'], republish: { src: 'orders.*', dest: 'repub.{{wildcard(1)}}' } });
    const raw = await rawSubscriber();
    const ack = (seq: number): string[] => [`MSG ack 2 ${`{"stream":"ORDERS", "seq":${seq}}`.length}`, `{"stream":"ORDERS", "seq":${seq}}`];
    expect(await publishRaw(raw, 'orders.new', 'one')).toEqual([...hmsg('repub.new', `NATS/1.0\r\n${republished('ORDERS', 'orders.new', 1, 0)}`, 'one'), ...ack(1)]);
    expect(await publishRaw(raw, 'orders.old', 'two')).toEqual([...hmsg('repub.old', `NATS/1.0\r\n${republished('ORDERS', 'orders.old', 2, 0)}`, 'two'), ...ack(2)]);
    // Nats-Last-Sequence: the subject's message before this one.
    expect(await publishRaw(raw, 'orders.new', 'three')).toEqual([...hmsg('repub.new', `NATS/1.0\r\n${republished('ORDERS', 'orders.new', 3, 1)}`, 'three'), ...ack(3)]);

    // Through the client: the header values and the payload.
    const got: Msg[] = [];
    const sub = nc.subscribe('repub.>', { callback: (_err, msg) => void got.push(msg) });
    await nc.flush();
    await js.publish('orders.paid', 'four');
    const [msg] = await collect(got, 1);
    sub.unsubscribe();
    expect(msg!.subject).toBe('repub.paid');
    expect(decoder.decode(msg!.data)).toBe('four');
    expect(msg!.headers?.get('Nats-Stream')).toBe('ORDERS');
    expect(msg!.headers?.get('Nats-Subject')).toBe('orders.paid');
    expect(msg!.headers?.get('Nats-Sequence')).toBe('4');
    expect(msg!.headers?.get('Nats-Last-Sequence')).toBe('0');
    expect(msg!.headers?.has('Nats-Msg-Size')).toBe(false);
  });

  it('keeps the message’s own headers, the Nats-* lines after them', async () => {
    await jsm.streams.add({ name: 'H', subjects: ['h.>'], republish: { src: 'h.>', dest: 'repub.h.>' } });
    const raw = await rawSubscriber();
    const own = 'NATS/1.0\r\nA: 1\r\nNats-Msg-Id: m1\r\n\r\n';
    const lines = await publishRaw(raw, 'h.x.y', 'body', own);
    expect(lines.slice(0, -2)).toEqual(hmsg('repub.h.x.y', `NATS/1.0\r\nA: 1\r\nNats-Msg-Id: m1\r\n${republished('H', 'h.x.y', 1, 0)}`, 'body'));

    const got: Msg[] = [];
    const sub = nc.subscribe('repub.>', { callback: (_err, msg) => void got.push(msg) });
    await nc.flush();
    const h = headers();
    h.set('X-Custom', 'kept');
    await js.publish('h.x.y', 'again', { headers: h, msgID: 'm2' });
    const [msg] = await collect(got, 1);
    sub.unsubscribe();
    expect(msg!.subject).toBe('repub.h.x.y');
    expect(decoder.decode(msg!.data)).toBe('again');
    expect(msg!.headers?.get('X-Custom')).toBe('kept');
    expect(msg!.headers?.get('Nats-Msg-Id')).toBe('m2');
    expect(msg!.headers?.get('Nats-Sequence')).toBe('2');
    expect(msg!.headers?.get('Nats-Last-Sequence')).toBe('1');
  });

  it('headers_only: no payload, its size in Nats-Msg-Size', async () => {
    await jsm.streams.add({ name: 'HO', subjects: ['ho.*'], republish: { src: 'ho.*', dest: 'repub.$1', headers_only: true } });
    const raw = await rawSubscriber();
    let lines = await publishRaw(raw, 'ho.a', 'twelve bytes');
    expect(lines.slice(0, -2)).toEqual(hmsg('repub.a', `NATS/1.0\r\n${republished('HO', 'ho.a', 1, 0, 'Nats-Msg-Size: 12\r\n')}`, ''));
    lines = await publishRaw(raw, 'ho.a', 'abc', 'NATS/1.0\r\nA: 1\r\n\r\n');
    expect(lines.slice(0, -2)).toEqual(hmsg('repub.a', `NATS/1.0\r\nA: 1\r\n${republished('HO', 'ho.a', 2, 1, 'Nats-Msg-Size: 3\r\n')}`, ''));
    // The stream itself keeps the payload.
    expect(decoder.decode((await jsm.streams.getMessage('HO', { seq: 1 }))!.data)).toBe('twelve bytes');
  });

  it('republishes only what is stored: not duplicates, refused publishes, nor subjects outside the source', async () => {
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.*', 'other.*'], republish: { src: 'orders.*', dest: 'repub.{{wildcard(1)}}' } });
    const got: Msg[] = [];
    const sub = nc.subscribe('repub.>', { callback: (_err, msg) => void got.push(msg) });
    await nc.flush();
    await js.publish('orders.a', 'first', { msgID: 'x' });
    expect((await js.publish('orders.a', 'first', { msgID: 'x' })).duplicate).toBe(true);
    const wrong = await js.publish('orders.a', 'refused', { expect: { lastSequence: 7 } }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(JetStreamApiError);
    expect((wrong as JetStreamApiError).apiError().err_code).toBe(10071);
    await js.publish('other.a', 'not republished');
    await js.publish('orders.b', 'second');
    await collect(got, 2);
    // Whatever would come late has had a round trip to arrive.
    await nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    sub.unsubscribe();
    expect(got.map((m) => [m.subject, decoder.decode(m.data), m.headers?.get('Nats-Sequence')])).toEqual([
      ['repub.a', 'first', '1'],
      ['repub.b', 'second', '3'],
    ]);
  });

  it('maps with the transform functions as nats-server does', async () => {
    const cases: [subjects: string, dest: string, publish: string, expected: string][] = [
      ['f.*.*', 'repub.$2.$1', 'f.a.b', 'repub.b.a'],
      ['f.*.*', 'repub.{{partition(5,1,2)}}.$1.$2', 'f.foo.bar', 'repub.0.foo.bar'],
      ['f.*', 'repub.{{partition(1000,1)}}', 'f.a', 'repub.220'],
      ['f.*', 'repub.{{splitFromLeft(1,2)}}', 'f.abcde', 'repub.ab.cde'],
      ['f.*', 'repub.{{splitFromRight(1,2)}}', 'f.abcde', 'repub.abc.de'],
      ['f.*', 'repub.{{sliceFromLeft(1,2)}}', 'f.abcde', 'repub.ab.cd.e'],
      ['f.*', 'repub.{{sliceFromRight(1,2)}}', 'f.abcde', 'repub.a.bc.de'],
      ['f.*', 'repub.{{split(1,-)}}', 'f.-ab--cd-', 'repub.ab.cd'],
      ['f.>', 'repub.x.>', 'f.a.b.c', 'repub.x.a.b.c'],
      ['f.*', 'repub.{{split(1,)}}', 'f.abc', 'repub.a.b.c'],
      ['f.*', 'repub.{{partition(-1,1)}}', 'f.a', `repub.${0xe40c292c}`],
      // `$0` is no wildcard: Go's map lookup makes it the subject's first token.
      ['f.*', 'repub.$0.$1', 'f.a', 'repub.f.a'],
      // A literal source's destination is taken as it is.
      ['f.z', 'repub.{{wildcard(1)}}', 'f.z', 'repub.{{wildcard(1)}}'],
    ];
    for (const [subjects, dest, subject, expected] of cases) {
      await jsm.streams.add({ name: 'F', subjects: [subjects], republish: { src: subjects, dest } });
      const got: Msg[] = [];
      const sub = nc.subscribe('repub.>', { callback: (_err, msg) => void got.push(msg) });
      await nc.flush();
      await js.publish(subject, 'x');
      await collect(got, 1);
      sub.unsubscribe();
      expect([dest, got.map((m) => m.subject)]).toEqual([dest, [expected]]);
      await jsm.streams.delete('F');
    }
  });

  it("a republished message lands in another stream that takes its subject", async () => {
    await jsm.streams.add({ name: 'A', subjects: ['a.*'], republish: { src: 'a.*', dest: 'b.$1' } });
    await jsm.streams.add({ name: 'B', subjects: ['b.*'] });
    await js.publish('a.x', 'hop');
    const until = Date.now() + 3_000;
    while ((await jsm.streams.info('B')).state.messages === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    const msg = await jsm.streams.getMessage('B', { seq: 1 });
    expect(msg!.subject).toBe('b.x');
    expect(decoder.decode(msg!.data)).toBe('hop');
    expect(msg!.header.get('Nats-Stream')).toBe('A');
    expect(msg!.header.get('Nats-Subject')).toBe('a.x');
  });

  it('refuses a republish destination that forms a cycle, and other bad republish configs', async () => {
    const create = async (body: string): Promise<string> => decoder.decode((await nc.request('$JS.API.STREAM.CREATE.R', body, { timeout: 3_000 })).data);
    const error = (description: string): string =>
      `{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10052,"description":"${description}"}}`;
    expect(await create('{"name":"R","subjects":["orders.>"],"republish":{"src":"orders.*","dest":"orders.copy.$1"}}')).toBe(
      error('stream configuration for republish destination forms a cycle'),
    );
    expect(await create('{"name":"R","subjects":["orders.*"],"republish":{"dest":"orders.>"}}')).toBe(error('stream configuration for republish destination forms a cycle'));
    expect(await create('{"name":"R","subjects":["orders.*"],"republish":{"src":"other.*","dest":"repub.$1"}}')).toBe(
      error('stream configuration for republish source is not valid subset of subjects'),
    );
    expect(await create('{"name":"R","subjects":["orders.*"],"republish":{"src":"orders.*","dest":"repub.{{wildcard(2)}}"}}')).toBe(
      error('stream configuration for republish not valid'),
    );
    expect((await jsm.getAccountInfo()).streams).toBe(0);
  });
});
