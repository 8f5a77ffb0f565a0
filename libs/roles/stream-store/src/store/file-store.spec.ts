import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileStore, type FileStoreOptions } from './file-store.js';
import { describeStreamStore } from './stream-store-suite.test-support.js';
import { UNLIMITED, type StoreLimits, type StreamStore } from './stream-store.js';

const NONE = new Uint8Array(0);
const HEADER = new TextEncoder().encode('NATS/1.0\r\nKey: value\r\n\r\n');
const directories = new Map<StreamStore, { dir: string; options: FileStoreOptions }>();

function openIn(dir: string, limits: StoreLimits, options: FileStoreOptions = {}): FileStore {
  const store = FileStore.open(dir, limits, options);
  directories.set(store, { dir, options });
  return store;
}

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'nats-ts-file-store-'));
}

function suiteWith(options: FileStoreOptions): [(limits: StoreLimits) => StreamStore, (store: StreamStore) => StreamStore] {
  return [
    (limits) => openIn(freshDir(), limits, options),
    (store) => {
      const { dir } = directories.get(store)!;
      const limits = (store as FileStore).currentLimits();
      store.close();
      directories.delete(store);
      const reopened = openIn(dir, limits, options);
      expect(reopened.recoveryReport()).toEqual([]);
      return reopened;
    },
  ];
}

describeStreamStore('FileStore', ...suiteWith({}));
// Small blocks: the same tests across many block files, emptied blocks unlinked as they go.
describeStreamStore('FileStore with 512-byte blocks', ...suiteWith({ blockSize: 512 }));

/** Block files of a store directory, by number. */
function blockFiles(dir: string): number[] {
  return readdirSync(join(dir, 'msgs'))
    .filter((name) => name.endsWith('.blk'))
    .map((name) => Number(name.slice(0, -4)))
    .sort((a, b) => a - b);
}

function blockPath(dir: string, id: number): string {
  return join(dir, 'msgs', `${id}.blk`);
}

/** Compares bytes as bytes (fast), showing the difference only when they differ. */
function expectBytes(actual: Uint8Array, expected: Uint8Array, label: string): void {
  if (!Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)) expect(actual, label).toEqual(expected);
}

/** Data of `length` bytes that says which message it is. */
function payload(seq: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seq * 31 + i) & 0xff);
}

describe('FileStore on disk', () => {
  const opened: FileStore[] = [];
  let dir = '';
  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function open(options: FileStoreOptions = {}, limits: StoreLimits = UNLIMITED): FileStore {
    if (dir === '' || !existsSync(dir)) dir = freshDir();
    const store = FileStore.open(dir, limits, options);
    opened.push(store);
    return store;
  }

  function reopen(store: FileStore, options: FileStoreOptions = {}): FileStore {
    store.close();
    return open(options);
  }

  function fill(store: FileStore, count: number, length = 40): void {
    for (let i = 0; i < count; i++) {
      const seq = store.state().lastSeq + 1;
      store.append(`disk.${seq % 3}`, seq % 2 === 0 ? HEADER : NONE, payload(seq, length), BigInt(seq));
    }
    store.flush();
  }

  function expectIntact(store: FileStore, seqs: Iterable<number>, length = 40): void {
    for (const seq of seqs) {
      const message = store.load(seq);
      expect(message, `message ${seq}`).toBeDefined();
      expect(message!.subject).toBe(`disk.${seq % 3}`);
      expect(message!.header).toEqual(seq % 2 === 0 ? HEADER : NONE);
      expectBytes(message!.data, payload(seq, length), `data of ${seq}`);
      expect(message!.timeNs).toBe(BigInt(seq));
    }
  }

  function range(from: number, to: number): number[] {
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }

  it('creates its directory and a first block on the first write', () => {
    const parent = freshDir();
    dir = join(parent, 'nested', 'stream');
    const store = open();
    expect(blockFiles(dir)).toEqual([]);
    fill(store, 1);
    expect(blockFiles(dir)).toEqual([1]);
    store.close();
    rmSync(parent, { recursive: true });
  });

  describe('a torn tail', () => {
    it('cuts garbage after the last record and goes on appending', () => {
      let store = open();
      fill(store, 20);
      store.close();
      const path = blockPath(dir, 1);
      const goodSize = statSync(path).size;
      appendFileSync(path, randomBytes(100));
      store = open();
      expect(store.recoveryReport()).toEqual([{ block: 1, offset: goodSize, reason: expect.any(String), droppedBytes: 100, truncated: true }]);
      expect(statSync(path).size).toBe(goodSize);
      expect(store.state()).toMatchObject({ messages: 20, firstSeq: 1, lastSeq: 20 });
      expectIntact(store, range(1, 20));
      fill(store, 1);
      store = reopen(store);
      expect(store.recoveryReport()).toEqual([]);
      expectIntact(store, range(1, 21));
    });

    it('cuts zeroed bytes after the last record', () => {
      let store = open();
      fill(store, 5);
      store.close();
      appendFileSync(blockPath(dir, 1), new Uint8Array(64));
      store = open();
      expect(store.recoveryReport()).toHaveLength(1);
      expectIntact(store, range(1, 5));
    });

    it('drops a last record cut short, and its sequence is used again', () => {
      let store = open();
      fill(store, 10);
      store.close();
      const path = blockPath(dir, 1);
      truncateSync(path, statSync(path).size - 5);
      store = open();
      expect(store.recoveryReport()).toEqual([expect.objectContaining({ block: 1, reason: 'a record length beyond the block', truncated: true })]);
      expect(store.state()).toMatchObject({ messages: 9, lastSeq: 9 });
      expectIntact(store, range(1, 9));
      fill(store, 1);
      expect(store.state().lastSeq).toBe(10);
      store = reopen(store);
      expectIntact(store, range(1, 10));
    });

    it('drops a last record of which only part of the length is left', () => {
      let store = open();
      fill(store, 3);
      const threeSize = statSync(blockPath(dir, 1)).size;
      fill(store, 1);
      store.close();
      truncateSync(blockPath(dir, 1), threeSize + 3);
      store = open();
      expect(store.recoveryReport()).toEqual([{ block: 1, offset: threeSize, reason: 'a partial record', droppedBytes: 3, truncated: true }]);
      expect(store.state().lastSeq).toBe(3);
    });

    it('opens a block of nothing but garbage as an empty stream', () => {
      mkdirSync(join((dir = freshDir()), 'msgs'));
      writeFileSync(blockPath(dir, 1), randomBytes(1000));
      writeFileSync(join(dir, 'msgs', 'notes.txt'), 'not a block');
      const store = open();
      expect(store.recoveryReport()).toEqual([expect.objectContaining({ block: 1, offset: 0, truncated: true })]);
      expect(store.state()).toMatchObject({ messages: 0, lastSeq: 0 });
      expect(store.append('a', NONE, NONE, 1n)).toBe(1);
    });
  });

  it('stops at a bad record in an earlier block and keeps the later blocks', () => {
    let store = open({ blockSize: 1024 });
    fill(store, 60);
    store.close();
    expect(blockFiles(dir).length).toBeGreaterThan(3);
    const path = blockPath(dir, 2);
    const block = readFileSync(path);
    const records = messagesIn(block);
    block[records[1]!.offset + 40]! ^= 0xff;
    writeFileSync(path, block);
    store = open({ blockSize: 1024 });
    const droppedBytes = block.length - records[1]!.offset;
    expect(store.recoveryReport()).toEqual([{ block: 2, offset: records[1]!.offset, reason: 'a checksum mismatch', droppedBytes, truncated: false }]);
    expect(statSync(path).size).toBe(block.length);
    const lost = records.slice(1).map((record) => record.seq);
    expect(lost.map((seq) => store.load(seq))).toEqual(lost.map(() => undefined));
    expect(store.state()).toMatchObject({ lastSeq: 60, messages: 60 - lost.length });
    expectIntact(store, range(1, 60).filter((seq) => !lost.includes(seq)));
    fill(store, 1);
    expect(store.state().lastSeq).toBe(61);
  });

  it('rolls over to a new block when the next record does not fit, a larger one alone', () => {
    let store = open({ blockSize: 1000 });
    fill(store, 100, 100);
    const blocks = blockFiles(dir);
    expect(blocks).toEqual(range(1, blocks.length));
    expect(blocks.length).toBeGreaterThanOrEqual(14);
    for (const id of blocks) expect(statSync(blockPath(dir, id)).size).toBeLessThanOrEqual(1000);
    store.append('disk.2', NONE, payload(101, 5000), 101n);
    store.flush();
    const last = blockFiles(dir).at(-1)!;
    expect(last).toBe(blocks.length + 1);
    expect(statSync(blockPath(dir, last)).size).toBeGreaterThan(5000);
    store = reopen(store, { blockSize: 1000 });
    expectIntact(store, range(1, 100), 100);
    expectIntact(store, [101], 5000);
    fill(store, 1, 100);
    expect(blockFiles(dir).at(-1)).toBe(last + 1);
  });

  it('unlinks blocks whose messages are all removed, never the one written to', () => {
    let store = open({ blockSize: 1000 });
    fill(store, 100, 100);
    const blocks = blockFiles(dir);
    store.purge({ seq: 50 });
    store.flush();
    const left = blockFiles(dir);
    expect(left[0]).toBeGreaterThan(1);
    expect(left.length).toBeLessThan(blocks.length);
    expect(left.at(-1)).toBe(blocks.at(-1));
    // An interior block: remove each of its messages.
    const interior = left[2]!;
    const seqs = messagesIn(readFileSync(blockPath(dir, interior))).map((record) => record.seq);
    expect(seqs.length).toBeGreaterThan(0);
    for (const seq of seqs) store.remove(seq, false);
    store.flush();
    expect(blockFiles(dir)).not.toContain(interior);
    const state = store.state();
    store = reopen(store, { blockSize: 1000 });
    expect(store.state()).toEqual(state);
    expect(store.deletedSeqs()).toEqual(seqs);
    store.purge({});
    store.flush();
    expect(blockFiles(dir)).toEqual([blocks.at(-1)]);
    store = reopen(store, { blockSize: 1000 });
    expect(store.state()).toMatchObject({ messages: 0, firstSeq: 101, lastSeq: 100, lastTimeNs: 100n });
  });

  // With 50-byte data, records are 87 bytes (odd seqs) and 112 (even, with a header), a DELETE
  // 17 and a STATE 33; 220-byte blocks hold two messages and maybe one small record more.
  it('keeps removals recorded in an unlinked block', () => {
    let store = open({ blockSize: 220 });
    fill(store, 4, 50);
    store.remove(2, false); // an interior removal; its DELETE goes to block 2, with 3 and 4
    fill(store, 1, 50);
    expect(blockFiles(dir)).toEqual([1, 2, 3]);
    store.remove(3, false);
    store.remove(4, false);
    store.flush();
    expect(blockFiles(dir)).toEqual([1, 3]);
    const state = store.state();
    store = reopen(store, { blockSize: 220 });
    expect(store.state()).toEqual(state);
    expect(store.load(2)).toBeUndefined();
    expect(store.deletedSeqs()).toEqual([2, 3, 4]);
    expectIntact(store, [1, 5], 50);
  });

  it('keeps the last sequence when the block of the last messages is unlinked', () => {
    let store = open({ blockSize: 220 });
    fill(store, 4, 50);
    store.remove(3, false); // DELETE in block 2
    store.remove(4, false); // DELETE in block 3
    store.flush();
    expect(blockFiles(dir)).toEqual([1, 3]);
    store = reopen(store, { blockSize: 220 });
    expect(store.state()).toMatchObject({ messages: 2, firstSeq: 1, lastSeq: 4, lastTimeNs: 4n, numDeleted: 2 });
    expect(store.append('disk.2', NONE, payload(5, 50), 5n)).toBe(5);
  });

  it('keeps the first sequence when the block of a compaction record is unlinked', () => {
    let store = open({ blockSize: 220 });
    fill(store, 4, 50);
    store.purge({ seq: 2 }); // STATE in block 3
    fill(store, 2, 50); // 5 in block 3, 6 in block 4
    expect(blockFiles(dir)).toEqual([1, 2, 3, 4]);
    store.remove(5, false);
    store.flush();
    expect(blockFiles(dir)).toEqual([1, 2, 4]);
    store = reopen(store, { blockSize: 220 });
    expect(store.load(1)).toBeUndefined();
    expect(store.state()).toMatchObject({ messages: 4, firstSeq: 2, lastSeq: 6, numDeleted: 1 });
  });

  it('unlinks, when it opens, emptied blocks a crash left behind', () => {
    let store = open({ blockSize: 200 });
    fill(store, 6, 50);
    const emptied = [1, 2].map((id) => readFileSync(blockPath(dir, id)));
    for (const seq of [1, 2, 3, 4]) store.remove(seq, false);
    store.flush();
    store.close();
    // As if the process died after writing the removals, before unlinking the blocks.
    emptied.forEach((bytes, i) => writeFileSync(blockPath(dir, i + 1), bytes));
    store = open({ blockSize: 200 });
    expect(store.recoveryReport()).toEqual([]);
    expect(blockFiles(dir)).not.toContain(1);
    expect(blockFiles(dir)).not.toContain(2);
    expect(store.state()).toMatchObject({ messages: 2, firstSeq: 5, lastSeq: 6 });
    store = reopen(store, { blockSize: 200 });
    expectIntact(store, [5, 6], 50);
  });

  it('erases the bytes in the file, wherever the record is', () => {
    let store = open({ blockSize: 300 });
    const secret = (n: number): Uint8Array => new TextEncoder().encode(`secret-${n}-`.repeat(6));
    store.append('s', NONE, secret(1), 1n); // block 1, no longer written to
    store.append('s', NONE, secret(2), 2n);
    store.append('s', HEADER, secret(3), 3n);
    store.append('s', NONE, secret(4), 4n); // block 2, written
    store.flush();
    store.append('s', NONE, secret(5), 5n); // still in the write buffer
    expect(blockFiles(dir)).toEqual([1, 2]);
    for (const seq of [1, 4, 5]) expect(store.remove(seq, true)).toBe(true);
    store.flush();
    const files = blockFiles(dir).map((id) => readFileSync(blockPath(dir, id)));
    const found = (data: Uint8Array): boolean => files.some((file) => file.includes(Buffer.from(data)));
    expect([1, 2, 3, 4, 5].map((n) => found(secret(n)))).toEqual([false, true, true, false, false]);
    store = reopen(store, { blockSize: 300 });
    expect(store.state()).toMatchObject({ messages: 2, firstSeq: 2, lastSeq: 5, numDeleted: 2 });
    expect(store.load(2)!.data).toEqual(secret(2));
    expect(store.load(3)).toMatchObject({ header: HEADER, data: secret(3) });
  });

  it('fsyncs on every flush with syncAlways', () => {
    let store = open({ syncAlways: true, blockSize: 500 });
    fill(store, 30);
    store.remove(3, true);
    store.flush();
    store = reopen(store, { syncAlways: true });
    expect(store.state()).toMatchObject({ messages: 29, lastSeq: 30 });
  });

  it('writes a long batch out before it is flushed, and keeps it readable', () => {
    const store = open();
    for (let seq = 1; seq <= 200; seq++) store.append(`disk.${seq % 3}`, seq % 2 === 0 ? HEADER : NONE, payload(seq, 4000), BigInt(seq));
    expect(statSync(blockPath(dir, 1)).size).toBeGreaterThan(500_000);
    expectIntact(store, range(1, 200), 4000);
  });

  it('refuses a subject longer than a record can hold, and a bad block size', () => {
    const store = open();
    expect(() => store.append('x'.repeat(70_000), NONE, NONE, 1n)).toThrow(RangeError);
    expect(store.state().lastSeq).toBe(0);
    expect(() => FileStore.open(dir, UNLIMITED, { blockSize: 0 })).toThrow(RangeError);
  });

  it('destroy removes the directory', () => {
    const store = open();
    fill(store, 3);
    opened.splice(0);
    store.destroy();
    expect(existsSync(dir)).toBe(false);
  });
});

/** The MESSAGE records of a block file (length u32 at 0, type at 4, seq u64 at 5; see block-record.ts). */
function messagesIn(block: Buffer): { offset: number; seq: number }[] {
  const records: { offset: number; seq: number }[] = [];
  for (let offset = 0; offset < block.length; offset += block.readUInt32LE(offset)) {
    if (block[offset + 4] === 1) records.push({ offset, seq: Number(block.readBigUInt64LE(offset + 5)) });
  }
  return records;
}

// The built library in a child process: crashes and memory are seen from outside.
describe('FileStore in a child process', () => {
  const repoRoot = resolve(import.meta.dirname, '../../../../..');
  let dir = '';
  beforeAll(() => {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', join(repoRoot, 'libs/roles/stream-store')]);
  }, 120_000);
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every flushed message when killed with SIGKILL', async () => {
    dir = freshDir();
    // Appends and flushes one message at a time, printing each flushed sequence (stdout to a
    // pipe is synchronous on Linux, so a printed sequence was flushed before it).
    const script = `
      import { FileStore, UNLIMITED } from '@nats-ts/stream-store/store';
      const store = FileStore.open(process.env.STORE_DIR, UNLIMITED, { blockSize: 64 * 1024 });
      const header = new TextEncoder().encode('NATS/1.0\\r\\nKey: value\\r\\n\\r\\n');
      for (let seq = 1; seq <= 1_000_000; seq++) {
        const data = Uint8Array.from({ length: (seq * 7919) % 3000 }, (_, i) => (seq * 31 + i) & 0xff);
        store.append('kill.' + (seq % 5), seq % 2 ? header : new Uint8Array(0), data, BigInt(seq) * 1000n);
        store.flush();
        process.stdout.write(seq + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, env: { ...process.env, STORE_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (printed.split('\n').length > 2000) resolve();
      });
      child.once('exit', () => resolve());
    });
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    const seqs = printed.slice(0, printed.lastIndexOf('\n')).split('\n').map(Number);
    const lastPrinted = seqs.at(-1)!;
    expect(seqs).toEqual(Array.from({ length: lastPrinted }, (_, i) => i + 1));

    const store = FileStore.open(dir, UNLIMITED, { blockSize: 64 * 1024 });
    try {
      expect(store.recoveryReport().every((problem) => problem.truncated && problem.block === blockFiles(dir).at(-1))).toBe(true);
      const state = store.state();
      expect(state.firstSeq).toBe(1);
      expect(state.lastSeq).toBeGreaterThanOrEqual(lastPrinted);
      expect(state.messages).toBe(state.lastSeq);
      expect(blockFiles(dir).length).toBeGreaterThan(1);
      const header = new TextEncoder().encode('NATS/1.0\r\nKey: value\r\n\r\n');
      for (let seq = 1; seq <= state.lastSeq; seq++) {
        const message = store.load(seq)!;
        expect(message.subject).toBe(`kill.${seq % 5}`);
        expect(message.header).toEqual(seq % 2 ? header : NONE);
        expect(message.timeNs).toBe(BigInt(seq) * 1000n);
        expectBytes(message.data, Uint8Array.from({ length: (seq * 7919) % 3000 }, (_, i) => (seq * 31 + i) & 0xff), `data of ${seq}`);
      }
    } finally {
      store.close();
    }
  }, 30_000);

  it('writes and reads back 200 MB with the message bytes on disk, not in memory', () => {
    dir = freshDir();
    const script = `
      import { FileStore, UNLIMITED } from '@nats-ts/stream-store/store';
      const size = 64 * 1024;
      const count = 3200;
      const store = FileStore.open(process.env.STORE_DIR, UNLIMITED, { blockSize: 8 * 1024 * 1024 });
      const used = () => {
        globalThis.gc();
        const memory = process.memoryUsage();
        return memory.heapUsed + memory.arrayBuffers;
      };
      const stamp = (data, seq) => { data.fill(seq & 0xff); new DataView(data.buffer).setUint32(0, seq); };
      const data = new Uint8Array(size);
      const expected = new Uint8Array(size);
      const before = used();
      let peak = before;
      for (let seq = 1; seq <= count; seq++) {
        stamp(data, seq);
        store.append('big.' + (seq % 10), new Uint8Array(0), data, BigInt(seq));
        if (seq % 16 === 0) store.flush();
        if (seq % 200 === 0) peak = Math.max(peak, used());
      }
      store.flush();
      let mismatches = 0;
      for (let seq = 1; seq <= count; seq++) {
        const message = store.load(seq);
        stamp(expected, seq);
        if (message.data.length !== size || Buffer.compare(message.data, expected) !== 0) mismatches++;
        if (seq % 200 === 0) peak = Math.max(peak, used());
      }
      const state = store.state();
      store.close();
      console.log(JSON.stringify({ growth: peak - before, mismatches, messages: state.messages, bytes: state.bytes }));`;
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: { ...process.env, STORE_DIR: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { growth: number; mismatches: number; messages: number; bytes: number };
    expect(report).toMatchObject({ mismatches: 0, messages: 3200, bytes: 3200 * (22 + 5 + 64 * 1024 + 8) });
    expect(report.growth).toBeLessThan(64 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(blockFiles(dir).length).toBeGreaterThanOrEqual(25);
  }, 60_000);
});
