// Key-value buckets (@nats-io/kv) and object stores (@nats-io/obj) on nats-ts and nats-server -js.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

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
});
