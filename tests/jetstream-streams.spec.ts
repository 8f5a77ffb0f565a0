// JetStream streams through the official @nats-io/jetstream client and raw API requests,
// against nats-ts and nats-server -js alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, JetStreamApiError, type JetStreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SECOND_NS = 1_000_000_000;

/** The API's answer to a raw request, as text. */
async function api(nc: NatsConnection, subject: string, body = ''): Promise<string> {
  const msg = await nc.request(subject, body, { timeout: 3_000 });
  return decoder.decode(msg.data);
}

function apiError(err: unknown): { code: number; err_code: number; description: string } {
  expect(err).toBeInstanceOf(JetStreamApiError);
  return (err as JetStreamApiError).apiError() as { code: number; err_code: number; description: string };
}

async function expectApiError(promise: Promise<unknown>, errCode: number, description?: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  const e = apiError(err);
  expect(e.err_code).toBe(errCode);
  if (description !== undefined) expect(e.description).toBe(description);
}

describeEachTarget('JetStream streams', (target) => {
  let server: RunningServer;
  let storeDir: string;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), `js-streams-${target}-`));
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

  it('says jetstream in INFO and answers account info', async () => {
    expect(nc.info?.jetstream).toBe(true);
    const info = await jsm.getAccountInfo();
    expect(info.streams).toBe(0);
    expect(info.limits.max_streams).toBe(-1);
    const raw = await api(nc, '$JS.API.INFO');
    expect(raw).toMatch(/^\{"type":"io.nats.jetstream.api.v1.account_info_response","memory":0,"storage":0,"streams":0,"consumers":0,"limits":\{"max_memory":-1,"max_storage":-1,"max_streams":-1,"max_consumers":-1,"max_ack_pending":-1,"memory_max_stream_bytes":-1,"storage_max_stream_bytes":-1,"max_bytes_required":false\},"api":\{"total":\d+,"errors":\d+\}\}$/);
  });

  it('creates a stream with nats-server defaults and echoes its config byte for byte', async () => {
    const body = '{"name":"ORDERS","subjects":["orders.>"],"retention":"limits","max_consumers":-1,"max_msgs":1000,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":-1,"max_msg_size":-1,"storage":"file","discard":"old","num_replicas":1,"duplicate_window":120000000000,"allow_direct":true}';
    const created = await api(nc, '$JS.API.STREAM.CREATE.ORDERS', body);
    expect(created.replace(/"created":"[^"]+"/, '"created":"T"')).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"ORDERS","subjects":["orders.\\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":1000,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false},"created":"T","state":{"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z","last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0},"did_create":true}',
    );
    // The same config again answers the same; another one is refused.
    expect(await api(nc, '$JS.API.STREAM.CREATE.ORDERS', body)).toBe(created);
    await expectApiError(jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], max_msgs: 5 }), 10058, 'stream name already in use with a different configuration');
    await expectApiError(jsm.streams.add({ name: 'OTHER', subjects: ['orders.new'] }), 10065, 'subjects overlap with an existing stream');
    expect(await api(nc, '$JS.API.STREAM.CREATE.ABC', '{"name":"XYZ"}')).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10056,"description":"stream name in subject does not match request"}}',
    );
    expect(await api(nc, '$JS.API.STREAM.CREATE.ABC', '{not json')).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON"}}',
    );
    const mem = await jsm.streams.add({ name: 'MEM', subjects: ['mem.*'], storage: 'memory' as never });
    expect(mem.config).toMatchObject({ retention: 'limits', max_msgs: -1, max_age: 0, discard: 'old', num_replicas: 1, duplicate_window: 120 * SECOND_NS, allow_direct: false });
  });

  it('acks publishes as nats-server writes them, and refuses unknown streams with no responders', async () => {
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    expect(await api(nc, 'orders.new', 'o1')).toBe('{"stream":"ORDERS", "seq":1}');
    const h = headers();
    h.set('Nats-Msg-Id', 'abc-1');
    const first = decoder.decode((await nc.request('orders.new', 'o2', { headers: h, timeout: 3_000 })).data);
    expect(first).toBe('{"stream":"ORDERS", "seq":2}');
    const again = decoder.decode((await nc.request('orders.new', 'o2', { headers: h, timeout: 3_000 })).data);
    expect(again).toBe('{"stream":"ORDERS", "seq":2,"duplicate": true}');
    const wrong = headers();
    wrong.set('Nats-Expected-Last-Sequence', '1');
    expect(decoder.decode((await nc.request('orders.new', 'o3', { headers: wrong, timeout: 3_000 })).data)).toBe(
      '{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 2"},"stream":"ORDERS","seq":0}',
    );
    await expect(nc.request('nostream.x', 'x', { timeout: 2_000 })).rejects.toThrow(/no responders/i);
  });

  it('honours the expected-* headers and the duplicate window through the client', async () => {
    await jsm.streams.add({ name: 'EXP', subjects: ['exp.*'] });
    const a1 = await js.publish('exp.a', 'a1', { msgID: 'm1' });
    expect(a1).toMatchObject({ stream: 'EXP', seq: 1 });
    expect((await js.publish('exp.a', 'a1', { msgID: 'm1' })).duplicate).toBe(true);
    expect((await js.publish('exp.b', 'b1', { expect: { lastSequence: 1 } })).seq).toBe(2);
    await expectApiError(js.publish('exp.b', 'b2', { expect: { streamName: 'OTHER' } }), 10060, 'expected stream does not match');
    await expectApiError(js.publish('exp.a', 'a2', { expect: { lastSubjectSequence: 2 } }), 10071, 'wrong last sequence: 1');
    expect((await js.publish('exp.a', 'a2', { expect: { lastSubjectSequence: 1 } })).seq).toBe(3);
    await expectApiError(js.publish('exp.a', 'a3', { expect: { lastMsgID: 'nope' } }), 10070, 'wrong last msg ID: ');
    await js.publish('exp.a', 'a3', { msgID: 'm2' });
    expect((await js.publish('exp.a', 'a4', { expect: { lastMsgID: 'm2' } })).seq).toBe(5);
    const fresh = await js.publish('exp.a', 'a5', { expect: { lastSubjectSequence: 0 } }).catch((e: unknown) => e);
    expect(apiError(fresh).err_code).toBe(10071);
    expect((await js.publish('exp.new', 'n1', { expect: { lastSubjectSequence: 0 } })).seq).toBe(6);
  });

  it('keeps headers and bytes exactly, and reads messages back by sequence and subject', async () => {
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], allow_direct: true });
    const h = headers();
    h.set('X-Order', '2');
    const binary = new Uint8Array([0, 1, 2, 254, 255, 13, 10]);
    await js.publish('orders.new', 'o1');
    await js.publish('orders.new', binary, { headers: h, timeout: 3_000 });
    await js.publish('orders.old', 'x1');
    await js.publish('orders.old', '');
    const byHand = await api(nc, '$JS.API.STREAM.MSG.GET.ORDERS', '{"seq":2}');
    expect(byHand).toMatch(/^\{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":\{"subject":"orders.new","seq":2,"hdrs":"TkFUUy8xLjANClgtT3JkZXI6IDINCg0K","data":"AAEC\/v8NCg==","time":"[^"]+Z"\}\}$/);
    expect(await api(nc, '$JS.API.STREAM.MSG.GET.ORDERS', '{"seq":4}')).toMatch(/"message":\{"subject":"orders.old","seq":4,"time":/);
    const two = await jsm.streams.getMessage('ORDERS', { seq: 2 });
    expect(Array.from(two!.data)).toEqual(Array.from(binary));
    expect(two?.header.get('X-Order')).toBe('2');
    expect((await jsm.streams.getMessage('ORDERS', { last_by_subj: 'orders.new' }))?.seq).toBe(2);
    expect(await api(nc, '$JS.API.STREAM.MSG.GET.ORDERS', '{"seq":1,"next_by_subj":"orders.old"}')).toMatch(/"seq":3,/);
    expect(await api(nc, '$JS.API.STREAM.MSG.GET.ORDERS', '{"seq":999}')).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","error":{"code":404,"err_code":10037,"description":"no message found"}}',
    );
    const direct = await jsm.direct.getMessage('ORDERS', { seq: 2 });
    expect(Array.from(direct!.data)).toEqual(Array.from(binary));
    expect(direct?.header.get('X-Order')).toBe('2');
    expect(direct?.header.get('Nats-Stream')).toBe('ORDERS');
    expect(direct?.header.get('Nats-Sequence')).toBe('2');
    expect(direct?.header.get('Nats-Subject')).toBe('orders.new');
    expect((await jsm.direct.getMessage('ORDERS', { last_by_subj: 'orders.old' }))?.seq).toBe(4);
    expect(await jsm.direct.getMessage('ORDERS', { seq: 99 })).toBeNull();
    const lastByPath = await nc.request('$JS.API.DIRECT.GET.ORDERS.orders.new', '', { timeout: 2_000 });
    expect(lastByPath.headers?.get('Nats-Sequence')).toBe('2');
    const malformed = await nc.request('$JS.API.DIRECT.GET.ORDERS', '{bad', { timeout: 2_000 });
    expect(malformed.headers?.code).toBe(408);
  });

  it('deletes single messages and purges all, by subject, keeping some, and below a sequence', async () => {
    await jsm.streams.add({ name: 'P', subjects: ['p.*'] });
    for (let i = 0; i < 10; i++) await js.publish(i % 2 === 0 ? 'p.even' : 'p.odd', `m${i}`);
    expect(await jsm.streams.deleteMessage('P', 1)).toBe(true);
    expect(await api(nc, '$JS.API.STREAM.MSG.DELETE.P', '{"seq":1}')).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_msg_delete_response","error":{"code":500,"err_code":10057,"description":"no message found"}}',
    );
    expect(await jsm.streams.deleteMessage('P', 5, false)).toBe(true);
    let info = await jsm.streams.info('P', { deleted_details: true, subjects_filter: '>' });
    expect(info.state).toMatchObject({ messages: 8, first_seq: 2, last_seq: 10, num_deleted: 1, deleted: [5], subjects: { 'p.even': 3, 'p.odd': 5 } });
    expect((await jsm.streams.purge('P', { filter: 'p.odd', keep: 1 })).purged).toBe(4);
    expect((await jsm.streams.purge('P', { seq: 9 })).purged).toBe(2);
    info = await jsm.streams.info('P');
    expect(info.state).toMatchObject({ messages: 2, first_seq: 9, last_seq: 10 });
    expect((await jsm.streams.purge('P')).purged).toBe(2);
    info = await jsm.streams.info('P');
    expect(info.state).toMatchObject({ messages: 0, first_seq: 11, last_seq: 10 });
  });

  it('enforces the limits: count, bytes, per subject, age, message size, discard new', async () => {
    await jsm.streams.add({ name: 'LIM', subjects: ['lim.*'], max_msgs: 3 });
    for (let i = 0; i < 5; i++) await js.publish('lim.a', `m${i}`);
    expect((await jsm.streams.info('LIM')).state).toMatchObject({ messages: 3, first_seq: 3, last_seq: 5 });

    await jsm.streams.add({ name: 'NEW', subjects: ['new.*'], max_msgs: 1, discard: 'new' as never });
    await js.publish('new.a', 'one');
    await expectApiError(js.publish('new.a', 'two'), 10077, 'maximum messages exceeded');

    await jsm.streams.add({ name: 'PER', subjects: ['per.*'], max_msgs_per_subject: 2 });
    for (let i = 0; i < 4; i++) await js.publish('per.a', `a${i}`);
    await js.publish('per.b', 'b0');
    expect((await jsm.streams.info('PER', { subjects_filter: '>' })).state.subjects).toEqual({ 'per.a': 2, 'per.b': 1 });

    await jsm.streams.add({ name: 'SIZE', subjects: ['size.*'], max_msg_size: 8 });
    await expectApiError(js.publish('size.a', '123456789'), 10054, 'message size exceeds maximum allowed');

    await jsm.streams.add({ name: 'BYTES', subjects: ['bytes.*'], max_bytes: 200 });
    for (let i = 0; i < 10; i++) await js.publish('bytes.a', 'x'.repeat(40));
    const bytes = (await jsm.streams.info('BYTES')).state;
    expect(bytes.bytes).toBeLessThanOrEqual(200);
    expect(bytes.last_seq).toBe(10);

    await jsm.streams.add({ name: 'AGE', subjects: ['age.*'], max_age: SECOND_NS / 2 });
    await js.publish('age.a', 'old');
    const age = await jsm.streams.info('AGE');
    expect(age.config.duplicate_window).toBe(SECOND_NS / 2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await jsm.streams.info('AGE')).state.messages).toBe(0);
  });

  it('stores nothing for an interest stream without consumers, and everything for a work queue', async () => {
    await jsm.streams.add({ name: 'INT', subjects: ['int.*'], retention: 'interest' as never });
    await jsm.streams.add({ name: 'WQ', subjects: ['wq.*'], retention: 'workqueue' as never });
    expect((await js.publish('int.a', 'x')).seq).toBe(1);
    expect((await js.publish('int.a', 'y')).seq).toBe(2);
    expect((await jsm.streams.info('INT')).state).toMatchObject({ messages: 0, last_seq: 2 });
    await js.publish('wq.a', 'x');
    expect((await jsm.streams.info('WQ')).state).toMatchObject({ messages: 1, last_seq: 1 });
  });

  it('rolls up a subject or the whole stream with Nats-Rollup', async () => {
    await jsm.streams.add({ name: 'R', subjects: ['r.*'], allow_rollup_hdrs: true });
    await jsm.streams.add({ name: 'NR', subjects: ['nr.*'] });
    for (let i = 0; i < 3; i++) await js.publish('r.a', `a${i}`);
    await js.publish('r.b', 'b0');
    const sub = headers();
    sub.set('Nats-Rollup', 'sub');
    await js.publish('r.a', 'a-rollup', { headers: sub });
    expect((await jsm.streams.info('R', { subjects_filter: '>' })).state.subjects).toEqual({ 'r.a': 1, 'r.b': 1 });
    const all = headers();
    all.set('Nats-Rollup', 'all');
    await js.publish('r.b', 'everything', { headers: all });
    expect((await jsm.streams.info('R')).state.messages).toBe(1);
    await expectApiError(js.publish('nr.a', 'x', { headers: sub }), 10111, 'rollup not permitted');
  });

  it('updates what may change and refuses the rest', async () => {
    await jsm.streams.add({ name: 'U', subjects: ['u.*'], max_msgs: 10 });
    const updated = await jsm.streams.update('U', { subjects: ['u.*', 'v.*'], max_msgs: 20 });
    expect(updated.config.max_msgs).toBe(20);
    expect(updated.config.subjects).toEqual(['u.*', 'v.*']);
    expect((await js.publish('v.a', 'x')).stream).toBe('U');
    const current = (await jsm.streams.info('U')).config;
    expect(await api(nc, '$JS.API.STREAM.UPDATE.U', JSON.stringify({ ...current, storage: 'memory' }))).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_update_response","error":{"code":500,"err_code":10052,"description":"stream configuration update can not change storage type"}}',
    );
    await expectApiError(jsm.streams.update('MISSING', { max_msgs: 1 }), 10059, 'stream not found');
  });

  it('lists and names streams, filtered by subject', async () => {
    await jsm.streams.add({ name: 'B', subjects: ['b.*'] });
    await jsm.streams.add({ name: 'A', subjects: ['a.*'] });
    expect(await api(nc, '$JS.API.STREAM.NAMES')).toBe('{"type":"io.nats.jetstream.api.v1.stream_names_response","total":2,"offset":0,"limit":1024,"streams":["A","B"]}');
    expect(await api(nc, '$JS.API.STREAM.NAMES', '{"subject":"b.x"}')).toBe('{"type":"io.nats.jetstream.api.v1.stream_names_response","total":1,"offset":0,"limit":1024,"streams":["B"]}');
    const listed: string[] = [];
    for await (const info of jsm.streams.list()) listed.push(info.config.name);
    expect(listed).toEqual(['A', 'B']);
    expect(await jsm.streams.find('a.z')).toBe('A');
    expect(await api(nc, '$JS.API.STREAM.INFO.NOPE')).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_info_response","error":{"code":404,"err_code":10059,"description":"stream not found"},"total":0,"offset":0,"limit":0}',
    );
    expect(await api(nc, '$JS.API.STREAM.DELETE.A')).toBe('{"type":"io.nats.jetstream.api.v1.stream_delete_response","success":true}');
  });

  it('keeps streams and messages across a restart', async () => {
    await jsm.streams.add({ name: 'KEEP', subjects: ['keep.*'], max_msgs_per_subject: 5 });
    const h = headers();
    h.set('Nats-Msg-Id', 'k-1');
    for (let i = 1; i <= 5; i++) await js.publish('keep.a', `k${i}`, i === 5 ? { headers: h } : {});
    await jsm.streams.deleteMessage('KEEP', 2);
    const before = (await jsm.streams.info('KEEP')).state;
    await nc.close();
    await server.stop();
    server = await startServer(target, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`);
    nc = await connect({ servers: server.clientUrl });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    const after = (await jsm.streams.info('KEEP')).state;
    expect(after).toEqual(before);
    expect(decoder.decode((await jsm.streams.getMessage('KEEP', { seq: 3 }))!.data)).toBe('k3');
    // The duplicate window survives the restart.
    expect((await js.publish('keep.a', 'k5', { msgID: 'k-1' })).duplicate).toBe(true);
    expect((await js.publish('keep.a', 'k6')).seq).toBe(6);
  });

  it('answers bad bodies with errors, not silence or a crash', async () => {
    await jsm.streams.add({ name: 'BAD', subjects: ['bad.*'] });
    expect(await api(nc, '$JS.API.STREAM.PURGE.BAD', '{"seq":')).toContain('"err_code":10025');
    expect(await api(nc, '$JS.API.STREAM.MSG.GET.BAD', '{}')).toContain('"err_code":10003');
    expect(await api(nc, '$JS.API.STREAM.CREATE.X', '{"name":"X","num_replicas":3}')).toContain('"error"');
    expect(encoder.encode(await api(nc, '$JS.API.INFO')).length).toBeGreaterThan(0);
  });
});

describeEachTarget('JetStream per account', (target) => {
  it('enables JetStream only for the accounts that ask for it, with their limits', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-accounts-${target}-`));
    const server = await startServer(
      target,
      `jetstream { store_dir: ${JSON.stringify(storeDir)} }
accounts {
  A { jetstream { max_mem: 64MB, max_file: 1GB, max_streams: 1, max_consumers: 100 }, users: [{ user: a, password: a }] }
  B { users: [{ user: b, password: b }] }
}`,
    );
    const a = await connect({ servers: server.clientUrl, user: 'a', pass: 'a' });
    const b = await connect({ servers: server.clientUrl, user: 'b', pass: 'b' });
    try {
      const jsmA = await jetstreamManager(a);
      const info = await jsmA.getAccountInfo();
      expect(info.limits).toMatchObject({ max_memory: 64 * 1024 * 1024, max_storage: 1024 ** 3, max_streams: 1, max_consumers: 100 });
      await jsmA.streams.add({ name: 'ONE', subjects: ['one'] });
      await expectApiError(jsmA.streams.add({ name: 'TWO', subjects: ['two'] }), 10027, 'maximum number of streams reached');
      expect(await api(b, '$JS.API.INFO')).toBe(
        '{"type":"io.nats.jetstream.api.v1.account_info_response","error":{"code":503,"err_code":10039,"description":"JetStream not enabled for account"}}',
      );
      expect(await api(b, '$JS.API.STREAM.NAMES')).toBe(
        '{"type":"io.nats.jetstream.api.v1.stream_names_response","error":{"code":503,"err_code":10039,"description":"JetStream not enabled for account"},"total":0,"offset":0,"limit":0,"streams":null}',
      );
    } finally {
      await a.close();
      await b.close();
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});

describeEachTarget('JetStream monitoring', (target) => {
  it('has the jetstream block in /varz and answers /jsz with nats-server field names', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-jsz-${target}-`));
    const server = await startServer(target, `http: "127.0.0.1:-1"\njetstream { store_dir: ${JSON.stringify(storeDir)}, max_memory_store: 64MB, max_file_store: 1GB }`);
    const nc = await connect({ servers: server.clientUrl });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'MON', subjects: ['mon.*'] });
      await jetstream(nc).publish('mon.a', 'x');
      await jsm.consumers.add('MON', { durable_name: 'C', ack_policy: AckPolicy.Explicit });
      const get = async (path: string): Promise<Record<string, any>> => (await fetch(`${server.httpUrl}${path}`)).json() as Promise<Record<string, any>>;
      const varz = await get('/varz');
      expect(varz.jetstream.config).toMatchObject({ max_memory: 64 * 1024 * 1024, max_storage: 1024 ** 3 });
      expect(Object.keys(varz.jetstream.stats)).toEqual(['memory', 'storage', 'reserved_memory', 'reserved_storage', 'accounts', 'ha_assets', 'api']);
      expect(varz.jetstream.stats.accounts).toBe(1);
      const jsz = await get('/jsz?accounts=true&streams=true&config=true');
      expect(Object.keys(jsz)).toEqual(['server_id', 'now', 'config', 'memory', 'storage', 'reserved_memory', 'reserved_storage', 'accounts', 'ha_assets', 'api', 'streams', 'consumers', 'messages', 'bytes', 'account_details']);
      expect(jsz).toMatchObject({ streams: 1, consumers: 1, messages: 1, accounts: 1 });
      const account = jsz.account_details[0];
      expect(account.name).toBe('$G');
      expect(account.stream_detail[0]).toMatchObject({ name: 'MON', config: { name: 'MON' }, state: { messages: 1 } });
      expect(Object.keys(account.stream_detail[0])).toEqual(['name', 'created', 'cluster', 'config', 'state']);
      expect(Object.keys(await get('/jsz'))).not.toContain('account_details');
    } finally {
      await nc.close();
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});

describeEachTarget('JetStream storage limits', (target) => {
  it('refuses streams and messages past the account and server limits, with nats-server errors', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-limits-${target}-`));
    const server = await startServer(
      target,
      `jetstream { store_dir: ${JSON.stringify(storeDir)}, max_memory_store: 1MB }
accounts { A { jetstream { max_file: 4KB, max_mem: 64KB }, users: [{ user: a, password: a }] } }`,
    );
    const nc = await connect({ servers: server.clientUrl, user: 'a', pass: 'a' });
    try {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      await expectApiError(jsm.streams.add({ name: 'BIG', subjects: ['big'], max_bytes: 8192 }), 10047, 'insufficient storage resources available');
      await expectApiError(jsm.streams.add({ name: 'MBIG', subjects: ['mbig'], storage: 'memory' as never, max_bytes: 2 * 1024 * 1024 }), 10028, 'insufficient memory resources available');
      await jsm.streams.add({ name: 'SMALL', subjects: ['small'] });
      const payload = 'x'.repeat(1000);
      let refused: unknown;
      for (let i = 0; i < 10 && refused === undefined; i++) await js.publish('small', payload).catch((err: unknown) => (refused = err));
      const e = apiError(refused);
      expect([e.err_code, e.description]).toEqual([10002, 'resource limits exceeded for account']);
      const state = (await jsm.streams.info('SMALL')).state;
      expect(state.bytes).toBeLessThanOrEqual(4096);
    } finally {
      await nc.close();
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});

describeEachTarget('JetStream domain', (target) => {
  it('names its domain in INFO, account info, acks and stream info, and answers $JS.<domain>.API', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-domain-${target}-`));
    const server = await startServer(target, `jetstream { store_dir: ${JSON.stringify(storeDir)}, domain: d1 }`);
    const nc = await connect({ servers: server.clientUrl });
    try {
      expect((nc.info as unknown as Record<string, unknown>).domain).toBe('d1');
      expect(await api(nc, '$JS.d1.API.INFO')).toMatch(/"domain":"d1","api":\{"total":\d+,"errors":0\}\}$/);
      expect(await api(nc, '$JS.d1.API.STREAM.CREATE.D', '{"name":"D","subjects":["d.*"]}')).toMatch(/"consumer_count":0\},"did_create":true\}$/);
      expect(await api(nc, 'd.a', 'x')).toBe('{"stream":"D", "domain":"d1", "seq":1}');
      const h = headers();
      h.set('Nats-Msg-Id', 'one');
      await nc.request('d.a', 'y', { headers: h, timeout: 3_000 });
      expect(decoder.decode((await nc.request('d.a', 'y', { headers: h, timeout: 3_000 })).data)).toBe('{"stream":"D", "domain":"d1", "seq":2,"duplicate": true}');
      expect(await api(nc, '$JS.API.STREAM.INFO.D')).toMatch(/"domain":"d1"\}$/);
      await expect(nc.request('$JS.nope.API.INFO', '', { timeout: 2_000 })).rejects.toThrow(/no responders/i);
    } finally {
      await nc.close();
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
