// STREAM.SNAPSHOT and STREAM.RESTORE driven over a plain connection the way jsm.go (`nats stream
// backup` / `nats stream restore`) drives them: the snapshot response kept as backup.json, the
// chunks acked one by one and kept in memory as the data file, then sent back in 64 KiB requests
// and an empty one. Each target restores its own archive (nats-ts's is not nats-server's tar.s2);
// what both answer the same is checked against both.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createInbox, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeEachTarget, startServer, stopAllServers, targets, type RunningServer, type Target } from './support/servers.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();
/** jsm.go's restore chunk. */
const RESTORE_CHUNK = 64 * 1024;
const ACK_REPLY = /^\$JS\.SNAPSHOT\.ACK\.([^.]+)\.([A-Za-z0-9]+)\.(\d+)\.(\d+)$/;

interface Backup {
  /** The snapshot response, as backup.json keeps its config and state. */
  response: { type: string; config: Record<string, unknown>; state: Record<string, unknown> };
  chunks: Uint8Array[];
  /** The reply subject of each chunk, which got an empty message back. */
  acked: string[];
  /** The last (empty) message. */
  end: Msg;
}

async function api(nc: NatsConnection, subject: string, body: string | Uint8Array = ''): Promise<string> {
  return decoder.decode((await nc.request(subject, body, { timeout: 5_000 })).data);
}

/** jsm.go's createSnapshot: ask, then subscribe the deliver subject, ack every chunk, stop at the empty one. */
async function backup(nc: NatsConnection, stream: string, request: Record<string, unknown> = {}): Promise<Backup> {
  const inbox = createInbox();
  const body = { deliver_subject: inbox, no_consumers: true, chunk_size: 128 * 1024, jsck: false, ...request };
  const response = JSON.parse(await api(nc, `$JS.API.STREAM.SNAPSHOT.${stream}`, JSON.stringify(body))) as Backup['response'];
  expect(response).not.toHaveProperty('error');
  const chunks: Uint8Array[] = [];
  const acked: string[] = [];
  for await (const msg of nc.subscribe(inbox, { timeout: 15_000 })) {
    if (msg.data.length === 0) return { response, chunks, acked, end: msg };
    if (msg.reply) {
      acked.push(msg.reply);
      msg.respond();
    }
    chunks.push(msg.data);
  }
  throw new Error('the snapshot ended without its last message');
}

/** jsm.go's restoreSnapshot: the request, the data in 64 KiB requests (each answered empty), then an empty one. */
async function restore(nc: NatsConnection, stream: string, saved: Backup, data = concat(saved.chunks)): Promise<Record<string, unknown>> {
  const { config, state } = saved.response;
  const started = JSON.parse(await api(nc, `$JS.API.STREAM.RESTORE.${stream}`, JSON.stringify({ config, state }))) as { deliver_subject: string };
  expect(started).toEqual({ type: 'io.nats.jetstream.api.v1.stream_restore_response', deliver_subject: expect.stringMatching(new RegExp(`^\\$JS\\.SNAPSHOT\\.RESTORE\\.${stream}\\.[A-Za-z0-9]+$`)) });
  for (let at = 0; at < data.length; at += RESTORE_CHUNK) {
    const answer = await api(nc, started.deliver_subject, data.subarray(at, at + RESTORE_CHUNK));
    if (answer !== '') return JSON.parse(answer) as Record<string, unknown>;
  }
  return JSON.parse(await api(nc, started.deliver_subject)) as Record<string, unknown>;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

/** Every sequence from 1 to the last as MSG.GET answers it: subject, headers, data and time, or not found. */
async function everyMessage(nc: NatsConnection, stream: string): Promise<string[]> {
  const info = JSON.parse(await api(nc, `$JS.API.STREAM.INFO.${stream}`)) as { state: { last_seq: number } };
  const out: string[] = [];
  for (let seq = 1; seq <= info.state.last_seq; seq++) out.push(await api(nc, `$JS.API.STREAM.MSG.GET.${stream}`, JSON.stringify({ seq })));
  return out;
}

async function streamInfo(nc: NatsConnection, stream: string): Promise<Record<string, unknown>> {
  const info = JSON.parse(await api(nc, `$JS.API.STREAM.INFO.${stream}`)) as Record<string, unknown>;
  expect(info).not.toHaveProperty('error');
  return { config: info.config, created: info.created, state: info.state };
}

/** A stream with headers, binary data, one message larger than a chunk, several subjects, and deletes inside and at both ends. */
async function fillStream(nc: NatsConnection, name: string, storage: 'file' | 'memory'): Promise<void> {
  const created = await api(nc, `$JS.API.STREAM.CREATE.${name}`, JSON.stringify({ name, subjects: [`${name}.>`], storage, allow_direct: true }));
  expect(created).toContain('"did_create":true');
  for (let i = 1; i <= 300; i++) {
    const h = headers();
    h.set('Nats-Msg-Id', `id-${i}`);
    if (i % 2 === 0) h.set('X-Part', `${i}`);
    const text = i % 50 === 0 ? new Uint8Array(200_000).fill(i % 256) : encoder.encode(`message ${i} `.repeat(i % 7));
    const data = text.length > 0 && i % 3 === 0 ? new Uint8Array([0, 255, ...text]) : text;
    const ack = await nc.request(`${name}.${['orders', 'payments.eu', 'payments.us'][i % 3]}`, data, { headers: h, timeout: 5_000 });
    expect(decoder.decode(ack.data)).toContain(`"seq":${i}`);
  }
  // Publishes without headers too.
  for (let i = 301; i <= 310; i++) await nc.request(`${name}.plain`, `p${i}`);
  for (const seq of [1, 2, 57, 100, 101, 310]) {
    expect(await api(nc, `$JS.API.STREAM.MSG.DELETE.${name}`, JSON.stringify({ seq }))).toContain('"success":true');
  }
}

describeEachTarget('JetStream snapshot and restore', (target) => {
  /**
   * A restored stream's info, as comparable with the original's: nats-server 2.9.10 gives a stream
   * whose last message was deleted the Unix epoch as last_ts once restored (nats-ts keeps it).
   */
  const restoredInfo = (info: Record<string, unknown>): Record<string, unknown> =>
    target === 'nats-server' ? { ...info, state: { ...(info.state as object), last_ts: '1970-01-01T00:00:00Z' } } : info;
  let server: RunningServer;
  let storeDir: string;
  let nc: NatsConnection;

  const config = (): string => `jetstream { store_dir: ${JSON.stringify(storeDir)} }`;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), `js-snapshot-${target}-`));
    server = await startServer(target, config());
    nc = await connect({ servers: server.clientUrl });
  });

  afterEach(async () => {
    const names = JSON.parse(await api(nc, '$JS.API.STREAM.NAMES')) as { streams: string[] | null };
    for (const name of names.streams ?? []) await api(nc, `$JS.API.STREAM.DELETE.${name}`);
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('answers a snapshot with the config and state, sends chunks that are each acked, and ends with an empty message', async () => {
    await fillStream(nc, 'SNAP', 'file');
    const before = await streamInfo(nc, 'SNAP');
    const saved = await backup(nc, 'SNAP', { chunk_size: 4096 });
    expect(Object.keys(saved.response)).toEqual(['type', 'config', 'state']);
    expect(saved.response.type).toBe('io.nats.jetstream.api.v1.stream_snapshot_response');
    expect(saved.response.config).toEqual(before.config);
    expect(saved.response.state).toEqual(before.state);
    // Deleted: 57, 100 and 101 inside, 310 at the end (1 and 2 at the front are below first_seq).
    expect(saved.response.state).toMatchObject({ messages: 304, first_seq: 3, last_seq: 310, num_subjects: 4, num_deleted: 4 });
    // One ack per chunk, on the reply it came with: the chunk's size and its number from 1.
    expect(saved.acked.length).toBe(saved.chunks.length);
    expect(saved.chunks.length).toBeGreaterThan(1);
    const ids = new Set<string>();
    saved.acked.forEach((reply, i) => {
      const [, stream, id, size, index] = ACK_REPLY.exec(reply) ?? [];
      expect([stream, Number(size), Number(index)]).toEqual(['SNAP', saved.chunks[i]!.length, i + 1]);
      ids.add(id!);
    });
    expect(ids.size).toBe(1);
    expect(saved.chunks.every((chunk) => chunk.length > 0 && chunk.length <= 4096)).toBe(true);
    // The end: empty, no reply, no status (the snapshot is whole).
    expect([saved.end.reply ?? '', saved.end.headers]).toEqual(['', undefined]);
  });

  it('restores a deleted stream from its snapshot: every message, its sequence, headers, data and time, and the state', async () => {
    await fillStream(nc, 'ROUND', 'file');
    const info = await streamInfo(nc, 'ROUND');
    const messages = await everyMessage(nc, 'ROUND');
    expect(messages.filter((m) => m.includes('"err_code":10037')).length).toBe(6);
    const saved = await backup(nc, 'ROUND');
    expect(await api(nc, '$JS.API.STREAM.DELETE.ROUND')).toContain('"success":true');

    const restored = await restore(nc, 'ROUND', saved);
    expect(Object.keys(restored)).toEqual(['type', 'config', 'created', 'state']);
    expect(restored).toEqual({ type: 'io.nats.jetstream.api.v1.stream_create_response', ...restoredInfo(info) });
    expect(await streamInfo(nc, 'ROUND')).toEqual(restoredInfo(info));
    expect(await everyMessage(nc, 'ROUND')).toEqual(messages);
    // The stream goes on after its last sequence, and remembers the message ids it had.
    expect(await api(nc, 'ROUND.orders', 'next')).toBe('{"stream":"ROUND", "seq":311}');
    const dup = headers();
    dup.set('Nats-Msg-Id', 'id-300');
    expect(decoder.decode((await nc.request('ROUND.orders', 'again', { headers: dup, timeout: 5_000 })).data)).toBe('{"stream":"ROUND", "seq":300,"duplicate": true}');
  });

  it('keeps a restored stream across a restart', async () => {
    await fillStream(nc, 'KEPT', 'file');
    const info = await streamInfo(nc, 'KEPT');
    const messages = await everyMessage(nc, 'KEPT');
    const saved = await backup(nc, 'KEPT');
    await api(nc, '$JS.API.STREAM.DELETE.KEPT');
    expect(await restore(nc, 'KEPT', saved)).not.toHaveProperty('error');
    await nc.close();
    await server.stop();
    server = await startServer(target, config());
    nc = await connect({ servers: server.clientUrl });
    expect(await streamInfo(nc, 'KEPT')).toEqual(restoredInfo(info));
    expect(await everyMessage(nc, 'KEPT')).toEqual(messages);
  });

  it('refuses to restore over an existing stream, before any chunk', async () => {
    await fillStream(nc, 'TAKEN', 'file');
    const saved = await backup(nc, 'TAKEN');
    const { config: cfg, state } = saved.response;
    expect(await api(nc, '$JS.API.STREAM.RESTORE.TAKEN', JSON.stringify({ config: cfg, state }))).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_restore_response","error":{"code":400,"err_code":10130,"description":"stream name already in use, cannot restore"},"deliver_subject":""}',
    );
  });

  it('refuses a truncated archive at its end, and keeps no stream', async () => {
    await fillStream(nc, 'CUT', 'file');
    const saved = await backup(nc, 'CUT');
    await api(nc, '$JS.API.STREAM.DELETE.CUT');
    const data = concat(saved.chunks);
    const answer = await restore(nc, 'CUT', saved, data.subarray(0, Math.floor(data.length / 2)));
    expect(answer).toMatchObject({ type: 'io.nats.jetstream.api.v1.stream_create_response', error: { code: 500, err_code: 10062 } });
    expect((answer.error as { description: string }).description).toMatch(/^restore failed: /);
    expect(await api(nc, '$JS.API.STREAM.INFO.CUT')).toContain('"err_code":10059');
  });

  it('answers bad snapshot requests with nats-server errors', async () => {
    await api(nc, '$JS.API.STREAM.CREATE.ERR', JSON.stringify({ name: 'ERR', subjects: ['err'] }));
    const error = (code: number, errCode: number, description: string): string =>
      `{"type":"io.nats.jetstream.api.v1.stream_snapshot_response","error":{"code":${code},"err_code":${errCode},"description":"${description}"}}`;
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.ERR', '')).toBe(error(400, 10003, 'bad request'));
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.ERR', '{}')).toBe(error(400, 10003, 'bad request'));
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.NOPE', '{"deliver_subject":"x"}')).toBe(error(404, 10059, 'stream not found'));
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.NOPE', '{bad')).toBe(error(404, 10059, 'stream not found'));
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.ERR', '{bad')).toBe(error(400, 10025, 'invalid JSON'));
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.ERR', '{"deliver_subject":"x","chunk_size":"big"}')).toBe(error(400, 10025, 'invalid JSON'));
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.ERR', '{"deliver_subject":""}')).toBe(error(400, 10015, 'deliver subject not valid'));
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.ERR', '{"deliver_subject":"a..b"}')).toBe(error(400, 10015, 'deliver subject not valid'));
  });

  it('answers bad restore requests with nats-server errors', async () => {
    const error = (code: number, errCode: number, description: string): string =>
      `{"type":"io.nats.jetstream.api.v1.stream_restore_response","error":{"code":${code},"err_code":${errCode},"description":"${description}"},"deliver_subject":""}`;
    expect(await api(nc, '$JS.API.STREAM.RESTORE.R', '')).toBe(error(400, 10003, 'bad request'));
    expect(await api(nc, '$JS.API.STREAM.RESTORE.R', '{}')).toBe(error(400, 10003, 'bad request'));
    expect(await api(nc, '$JS.API.STREAM.RESTORE.R', '{bad')).toBe(error(400, 10025, 'invalid JSON'));
    expect(await api(nc, '$JS.API.STREAM.RESTORE.R', '{"config":{"name":"R","storage":"tape"}}')).toBe(error(400, 10025, 'invalid JSON'));
    expect(await api(nc, '$JS.API.STREAM.RESTORE.R', '{"config":{"name":"R"},"state":{"messages":"many"}}')).toBe(error(400, 10025, 'invalid JSON'));
    expect(await api(nc, '$JS.API.STREAM.RESTORE.R', '{"config":{"name":"R"},"state":5}')).toBe(error(400, 10025, 'invalid JSON'));
    expect(await api(nc, '$JS.API.STREAM.RESTORE.R', '{"config":{"name":"R.x"}}')).toBe(error(500, 10052, "stream name is required and can not contain '.', '*', '\\u003e'"));
  });

  it('drops a restore that stops sending, with what it staged', async () => {
    const started = JSON.parse(await api(nc, '$JS.API.STREAM.RESTORE.IDLE', JSON.stringify({ config: { name: 'IDLE', subjects: ['idle'] } }))) as { deliver_subject: string };
    expect(await api(nc, started.deliver_subject, 'the first bytes of something')).toMatch(target === 'nats-server' ? /^$/ : /"err_code":10062/);
    const again = JSON.parse(await api(nc, '$JS.API.STREAM.RESTORE.IDLE', JSON.stringify({ config: { name: 'IDLE', subjects: ['idle'] } }))) as { deliver_subject: string };
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    await expect(nc.request(again.deliver_subject, 'late', { timeout: 2_000 })).rejects.toThrow(/no responders/i);
    const staging = join(storeDir, 'jetstream', '.snap-staging');
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
    expect(await api(nc, '$JS.API.STREAM.INFO.IDLE')).toContain('"err_code":10059');
  });
});

// What nats-server does differently (its flow control in 2.9 does not wait for acks, it cannot
// snapshot memory streams), or what needs nats-ts's archive.
describe.runIf(targets.includes('nats-ts'))('JetStream snapshot and restore, nats-ts', () => {
  const target: Target = 'nats-ts';
  let server: RunningServer;
  let storeDir: string;
  let nc: NatsConnection;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), `js-snapshot-${target}-`));
    server = await startServer(target, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`);
    nc = await connect({ servers: server.clientUrl });
  });

  afterEach(async () => {
    const names = JSON.parse(await api(nc, '$JS.API.STREAM.NAMES')) as { streams: string[] | null };
    for (const name of names.streams ?? []) await api(nc, `$JS.API.STREAM.DELETE.${name}`);
  });

  afterAll(async () => {
    await nc?.close();
    await stopAllServers();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('snapshots and restores a memory stream', async () => {
    await fillStream(nc, 'MEM', 'memory');
    const info = await streamInfo(nc, 'MEM');
    const messages = await everyMessage(nc, 'MEM');
    const saved = await backup(nc, 'MEM');
    await api(nc, '$JS.API.STREAM.DELETE.MEM');
    expect(await restore(nc, 'MEM', saved)).toEqual({ type: 'io.nats.jetstream.api.v1.stream_create_response', ...info });
    expect(await everyMessage(nc, 'MEM')).toEqual(messages);
  });

  it('sends no more than the window without acks, then ends with 408 No Flow Response', async () => {
    await fillStream(nc, 'SLOW', 'file');
    const inbox = createInbox();
    const sub = nc.subscribe(inbox);
    const response = await api(nc, '$JS.API.STREAM.SNAPSHOT.SLOW', JSON.stringify({ deliver_subject: inbox, chunk_size: 1024, window_size: 4096 }));
    expect(response).toContain('"type":"io.nats.jetstream.api.v1.stream_snapshot_response"');
    // One snapshot of a stream at a time.
    expect(await api(nc, '$JS.API.STREAM.SNAPSHOT.SLOW', JSON.stringify({ deliver_subject: createInbox() }))).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_snapshot_response","error":{"code":500,"err_code":10064,"description":"snapshot failed: snapshot in progress"}}',
    );
    const received: Msg[] = [];
    const started = Date.now();
    for await (const msg of sub) {
      received.push(msg);
      if (msg.data.length === 0) break;
    }
    const end = received.pop()!;
    expect(received.map((m) => m.data.length)).toEqual([1024, 1024, 1024, 1024]);
    expect(Date.now() - started).toBeGreaterThan(4_500);
    expect([end.headers?.code, end.headers?.description, end.reply ?? '']).toEqual([408, 'No Flow Response', '']);
    // Acked, the same snapshot goes through.
    const saved = await backup(nc, 'SLOW', { chunk_size: 1024, window_size: 4096 });
    expect(saved.chunks.length).toBeGreaterThan(4);
    expect(saved.end.headers).toBeUndefined();
  });

  it('refuses an archive that is not one at the first chunk, and keeps no stream', async () => {
    const started = JSON.parse(await api(nc, '$JS.API.STREAM.RESTORE.JUNK', JSON.stringify({ config: { name: 'JUNK' } }))) as { deliver_subject: string };
    expect(await api(nc, started.deliver_subject, 'garbage, not a snapshot')).toBe(
      '{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":500,"err_code":10062,"description":"restore failed: not a nats-ts snapshot"}}',
    );
    await expect(nc.request(started.deliver_subject, '', { timeout: 2_000 })).rejects.toThrow(/no responders/i);
    expect(await api(nc, '$JS.API.STREAM.INFO.JUNK')).toContain('"err_code":10059');
  });

  it('restores under the name the archive has only', async () => {
    await fillStream(nc, 'FROM', 'file');
    const saved = await backup(nc, 'FROM');
    await api(nc, '$JS.API.STREAM.DELETE.FROM');
    const renamed = { ...saved, response: { ...saved.response, config: { ...saved.response.config, name: 'TO', subjects: ['to.>'] } } };
    expect(await restore(nc, 'TO', renamed)).toEqual({
      type: 'io.nats.jetstream.api.v1.stream_create_response',
      error: { code: 500, err_code: 10062, description: 'restore failed: stream names do not match' },
    });
  });

  it('refuses a restore past the server and the account storage limits at the chunk that passes them', async () => {
    await fillStream(nc, 'LIMIT', 'file');
    const saved = await backup(nc, 'LIMIT');
    expect(concat(saved.chunks).length).toBeGreaterThan(600 * 1024);
    const limitedDir = mkdtempSync(join(tmpdir(), `js-snapshot-limits-`));
    const limited = await startServer(
      target,
      `jetstream { store_dir: ${JSON.stringify(limitedDir)}, max_file_store: 600KB }
accounts {
  SMALL { jetstream { max_file: 100KB }, users: [{ user: s, password: s }] }
  BIG { jetstream: enabled, users: [{ user: b, password: b }] }
}`,
    );
    const big = await connect({ servers: limited.clientUrl, user: 'b', pass: 'b' });
    const small = await connect({ servers: limited.clientUrl, user: 's', pass: 's' });
    try {
      expect(await restore(big, 'LIMIT', saved)).toEqual({
        type: 'io.nats.jetstream.api.v1.stream_create_response',
        error: { code: 503, err_code: 10023, description: 'insufficient resources' },
      });
      expect(await restore(small, 'LIMIT', saved)).toEqual({
        type: 'io.nats.jetstream.api.v1.stream_create_response',
        error: { code: 400, err_code: 10002, description: 'resource limits exceeded for account' },
      });
      expect(await api(small, '$JS.API.STREAM.INFO.LIMIT')).toContain('"err_code":10059');
      // What the refused restores staged is released: a small one fits.
      await api(small, '$JS.API.STREAM.CREATE.TINY', JSON.stringify({ name: 'TINY', subjects: ['tiny'] }));
      await small.request('tiny', 'one');
      const tiny = await backup(small, 'TINY');
      await api(small, '$JS.API.STREAM.DELETE.TINY');
      expect(await restore(small, 'TINY', tiny)).toMatchObject({ state: { messages: 1 } });
    } finally {
      await big.close();
      await small.close();
      await limited.stop();
      rmSync(limitedDir, { recursive: true, force: true });
    }
  });
});
