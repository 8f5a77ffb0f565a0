// Key-value buckets (@nats-io/kv) and object stores (@nats-io/obj) on nats-ts and nats-server -js.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KvWatchEntry } from '@nats-io/kv';
import { Objm, type ObjectWatchInfo } from '@nats-io/obj';
import { connect, type NatsConnection, type QueuedIterator } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Collects what a watcher yields, in the background. */
function gather<T>(iter: QueuedIterator<T>): { items: T[]; waitFor(n: number, ms?: number): Promise<T[]> } {
  const items: T[] = [];
  void (async () => {
    for await (const item of iter) items.push(item);
  })();
  return {
    items,
    async waitFor(n, ms = 5_000) {
      const until = Date.now() + ms;
      while (items.length < n && Date.now() < until) await sleep(10);
      return items;
    },
  };
}

const entry = (e: KvWatchEntry): string => `${e.key}:${e.operation}:${e.string()}`;

describeEachTarget('JetStream key-value and object stores', (target) => {
  let server: RunningServer;
  let storeDir: string;
  let nc: NatsConnection;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), `js-kv-${target}-`));
    server = await startServer(target, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`);
    nc = await connect({ servers: server.clientUrl });
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('puts, gets, creates, updates, deletes and purges keys, and keeps history', async () => {
    const kv = await new Kvm(nc).create('cfg', { history: 5 });
    expect(await kv.put('a', '1')).toBe(1);
    expect((await kv.get('a'))?.string()).toBe('1');
    expect(await kv.create('b', 'x')).toBe(2);
    await expect(kv.create('b', 'y')).rejects.toThrow(/wrong last sequence/);
    expect(await kv.update('a', '2', 1)).toBe(3);
    await expect(kv.update('a', '3', 1)).rejects.toThrow(/wrong last sequence/);
    await kv.delete('a');
    const deleted = await kv.get('a');
    expect(deleted?.operation).toBe('DEL');
    await kv.purge('b');
    expect((await kv.get('b'))?.operation).toBe('PURGE');
    expect(await kv.get('missing')).toBeNull();
    const history: string[] = [];
    for await (const e of await kv.history({ key: 'a' })) history.push(`${e.operation}:${e.string()}`);
    expect(history).toEqual(['PUT:1', 'PUT:2', 'DEL:']);
    const status = await kv.status();
    expect(status.history).toBe(5);
  });

  it('lists keys and watches changes', async () => {
    const kv = await new Kvm(nc).create('watch');
    await kv.put('k1', 'v1');
    await kv.put('k2', 'v2');
    await kv.put('k1', 'v1b');
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    expect(keys.sort()).toEqual(['k1', 'k2']);
    const seen: string[] = [];
    const watch = await kv.watch();
    const done = (async () => {
      for await (const e of watch) {
        seen.push(`${e.key}=${e.string()}`);
        if (seen.length === 3) break;
      }
    })();
    await kv.put('k3', 'v3');
    await done;
    expect(seen).toEqual(['k2=v2', 'k1=v1b', 'k3=v3']);
  });

  it('stores and reads back an object in chunks, lists and deletes it', async () => {
    const os = await new Objm(nc).create('files');
    const data = new Uint8Array(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const info = await os.putBlob({ name: 'blob.bin' }, data);
    expect(info.size).toBe(data.length);
    expect(info.chunks).toBeGreaterThan(1);
    const back = await os.getBlob('blob.bin');
    expect(back?.length).toBe(data.length);
    expect(Buffer.from(back!).equals(Buffer.from(data))).toBe(true);
    const names = (await os.list()).map((o) => o.name);
    expect(names).toEqual(['blob.bin']);
    await os.delete('blob.bin');
    expect(await os.getBlob('blob.bin')).toBeNull();
  });

  it('watches with history, without deletes, and by key filter', async () => {
    const kv = await new Kvm(nc).create('hist', { history: 5 });
    await kv.put('a.x', '1');
    await kv.put('a.x', '2');
    await kv.put('b.z', '3');
    const history = gather(await kv.watch({ include: 'history' }));
    await history.waitFor(3);
    expect(history.items.map(entry)).toEqual(['a.x:PUT:1', 'a.x:PUT:2', 'b.z:PUT:3']);
    // The client counts the pending ones: the last of them already counts as an update.
    expect(history.items.map((e) => e.isUpdate)).toEqual([false, false, true]);
    const filtered = gather(await kv.watch({ key: 'a.*', ignoreDeletes: true }));
    await filtered.waitFor(1);
    await kv.delete('a.x');
    await kv.put('a.y', '4');
    await kv.put('b.z', '5');
    await history.waitFor(6);
    await filtered.waitFor(2);
    await sleep(200);
    expect(history.items.slice(3).map(entry)).toEqual(['a.x:DEL:', 'a.y:PUT:4', 'b.z:PUT:5']);
    expect(history.items[5]!.isUpdate).toBe(true);
    // Only the last value of a.x, then a.y: the delete is left out, b.z is not in the filter.
    expect(filtered.items.map(entry)).toEqual(['a.x:PUT:2', 'a.y:PUT:4']);
    const updates = gather(await kv.watch({ include: 'updates' }));
    await sleep(200);
    await kv.put('c', '6');
    await updates.waitFor(1);
    expect(updates.items.map(entry)).toEqual(['c:PUT:6']);
  });

  it('gives a bucket a TTL, reports its status and destroys it', { timeout: 15_000 }, async () => {
    const kvm = new Kvm(nc);
    const kv = await kvm.create('ttl', { ttl: 1_000, history: 2 });
    await kv.put('k', 'v');
    await kv.put('k', 'w');
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.info('KV_ttl');
    expect(stream.config).toMatchObject({ max_age: 1_000_000_000, max_msgs_per_subject: 2, duplicate_window: 1_000_000_000, allow_rollup_hdrs: true });
    const status = await kv.status();
    expect([status.bucket, status.values, status.history, status.ttl, status.storage]).toEqual(['ttl', 2, 2, 1_000, 'file']);
    expect(status.size).toBeGreaterThan(0);
    await sleep(1_600);
    expect(await kv.get('k')).toBeNull();
    expect((await kv.status()).values).toBe(0);
    expect(await kv.destroy()).toBe(true);
    await expect(jsm.streams.info('KV_ttl')).rejects.toThrow(/stream not found/);
  });

  it('keeps a watch going across a server restart', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), `js-kv-restart-${target}-`));
    const config = `jetstream { store_dir: ${JSON.stringify(dir)} }`;
    let own = await startServer(target, config);
    const conn = await connect({ servers: own.clientUrl, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    try {
      const kv = await new Kvm(conn).create('live');
      await kv.put('k', 'before');
      const watch = gather(await kv.watch());
      await watch.waitFor(1);
      const reconnected = (async () => {
        for await (const s of conn.status()) if (s.type === 'reconnect') return;
      })();
      const port = own.port;
      await own.stop();
      own = await startServer(target, `port: ${port}\n${config}`);
      await reconnected;
      await kv.put('k', 'after');
      await watch.waitFor(2, 15_000);
      expect(watch.items.map(entry)).toEqual(['k:PUT:before', 'k:PUT:after']);
    } finally {
      await conn.close();
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives object info with its digest, watches, links, updates metadata and destroys the store', async () => {
    const objm = new Objm(nc);
    const os = await objm.create('docs');
    const watch = gather<ObjectWatchInfo>(await os.watch());
    const data = new Uint8Array(200_000).map((_, i) => (i * 13) & 0xff);
    const info = await os.putBlob({ name: 'report.bin', description: 'first' }, data);
    // Go's URL-safe base64, padded.
    const sha = createHash('sha256').update(data).digest('base64').replaceAll('+', '-').replaceAll('/', '_');
    expect(info.digest).toBe(`SHA-256=${sha}`);
    expect((await os.info('report.bin'))).toMatchObject({ name: 'report.bin', size: 200_000, description: 'first', digest: `SHA-256=${sha}`, deleted: false });
    await os.putBlob({ name: 'small.txt' }, new TextEncoder().encode('hello'));
    await watch.waitFor(2);
    expect(watch.items.map((w) => w.name)).toEqual(['report.bin', 'small.txt']);
    expect((await os.list()).map((o) => o.name).sort()).toEqual(['report.bin', 'small.txt']);

    const link = await os.link('latest', (await os.info('report.bin'))!);
    expect(link.options?.link).toMatchObject({ bucket: 'docs', name: 'report.bin' });
    expect(Buffer.from((await os.getBlob('latest'))!).equals(Buffer.from(data))).toBe(true);
    const other = await objm.create('other');
    await other.linkStore('docs-store', os);
    expect((await other.info('docs-store'))?.options?.link).toMatchObject({ bucket: 'docs' });

    await os.update('report.bin', { name: 'report-v2.bin', description: 'second' });
    expect(await os.info('report.bin')).toBeNull();
    expect(await os.info('report-v2.bin')).toMatchObject({ description: 'second', size: 200_000, digest: `SHA-256=${sha}` });
    expect(Buffer.from((await os.getBlob('report-v2.bin'))!).equals(Buffer.from(data))).toBe(true);

    expect(await other.destroy()).toBe(true);
    expect(await os.destroy()).toBe(true);
    const jsm = await jetstreamManager(nc);
    await expect(jsm.streams.info('OBJ_docs')).rejects.toThrow(/stream not found/);
  });
});
