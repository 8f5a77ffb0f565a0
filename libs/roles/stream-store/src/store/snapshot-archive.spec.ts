import { describe, expect, it } from 'vitest';
import { encodeMessage, messageRecordLength } from './block-record.js';
import { MemoryStore } from './memory-store.js';
import { ArchiveReader, ArchiveWriter, type ArchiveEnd, type ArchiveTarget } from './snapshot-archive.js';
import { UNLIMITED, type StreamStore } from './stream-store.js';

const encoder = new TextEncoder();
const HEADER = encoder.encode('NATS/1.0\r\nKey: value\r\n\r\n');
const NONE = new Uint8Array(0);
const META = '{"config":{"name":"S"},"created":"2024-01-01T00:00:00Z"}';

interface Restored {
  meta?: string;
  messages: { seq: number; subject: string; header: string; data: string; timeNs: bigint }[];
  end?: ArchiveEnd;
}

class RecordingTarget implements ArchiveTarget {
  readonly restored: Restored = { messages: [] };
  meta(json: string): undefined {
    this.restored.meta = json;
  }
  message(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): undefined {
    this.restored.messages.push({ seq, subject, header: Buffer.from(header).toString('latin1'), data: Buffer.from(data).toString('latin1'), timeNs });
  }
  end(end: ArchiveEnd): undefined {
    this.restored.end = end;
  }
}

function sampleStore(): StreamStore {
  const store = new MemoryStore(UNLIMITED);
  for (let i = 1; i <= 20; i++) store.append(`s.${i % 3}`, i % 2 === 0 ? HEADER : NONE, encoder.encode(`m${i}`.repeat(i)), 1_700_000_000_000_000_000n + BigInt(i));
  store.append('big', NONE, new Uint8Array(300_000).fill(7), 1_800_000_000_000_000_000n);
  store.remove(1, false);
  store.remove(7, false);
  store.remove(21, false);
  return store;
}

function endOf(store: StreamStore): ArchiveEnd {
  const s = store.state();
  return { firstSeq: s.firstSeq, lastSeq: s.lastSeq, lastTimeNs: s.lastTimeNs };
}

/** The whole archive, written in chunks of `chunkSize`. */
function archive(store: StreamStore, chunkSize: number): Buffer[] {
  const writer = new ArchiveWriter(store, META, endOf(store));
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = Buffer.alloc(chunkSize);
    const n = writer.fill(chunk);
    if (n === 0) return chunks;
    chunks.push(chunk.subarray(0, n));
  }
}

function read(chunks: Uint8Array[]): { restored: Restored; problem: string | undefined } {
  const reader = new ArchiveReader();
  const target = new RecordingTarget();
  for (const chunk of chunks) {
    const problem = reader.push(chunk, target);
    if (problem !== undefined) return { restored: target.restored, problem };
  }
  return { restored: target.restored, problem: reader.finish() };
}

function expected(store: StreamStore): Restored {
  const messages: Restored['messages'] = [];
  const s = store.state();
  for (let seq = s.firstSeq; seq <= s.lastSeq; seq++) {
    const m = store.load(seq);
    if (m !== undefined) messages.push({ seq, subject: m.subject, header: Buffer.from(m.header).toString('latin1'), data: Buffer.from(m.data).toString('latin1'), timeNs: m.timeNs });
  }
  return { meta: META, messages, end: endOf(store) };
}

describe('snapshot archive', () => {
  it('gives back the meta, every message and the end, whatever the chunk size', () => {
    const store = sampleStore();
    const want = expected(store);
    expect(want.messages.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    for (const chunkSize of [1, 3, 31, 1024, 128 * 1024, 4 * 1024 * 1024]) {
      const chunks = archive(store, chunkSize);
      expect(chunks.slice(0, -1).every((c) => c.length === chunkSize)).toBe(true);
      expect(read(chunks)).toEqual({ restored: want, problem: undefined });
    }
  });

  it('writes an empty or emptied stream as its end alone', () => {
    const store = new MemoryStore(UNLIMITED);
    expect(read(archive(store, 100))).toEqual({ restored: { meta: META, messages: [], end: { firstSeq: 0, lastSeq: 0, lastTimeNs: 0n } }, problem: undefined });
    store.append('a', NONE, NONE, 5n);
    store.purge({});
    expect(read(archive(store, 100)).restored.end).toEqual({ firstSeq: 2, lastSeq: 1, lastTimeNs: 5n });
  });

  it('leaves out what is appended after it started', () => {
    const store = sampleStore();
    const want = expected(store);
    const writer = new ArchiveWriter(store, META, endOf(store));
    store.append('late', NONE, NONE, 1n);
    const chunks: Buffer[] = [];
    for (let chunk = Buffer.alloc(4096), n = writer.fill(chunk); n > 0; chunk = Buffer.alloc(4096), n = writer.fill(chunk)) chunks.push(chunk.subarray(0, n));
    expect(read(chunks)).toEqual({ restored: want, problem: undefined });
  });

  it('says truncated wherever it is cut', () => {
    const whole = Buffer.concat(archive(sampleStore(), 1 << 20));
    for (const cut of [0, 1, 8, 12, 60, 100, 1000, whole.length - 33, whole.length - 1]) {
      expect(read([whole.subarray(0, cut)]).problem).toBe('the archive is truncated');
    }
  });

  it('refuses another format, a changed byte (or a length that waits for bytes never sent), and data after the end', () => {
    const whole = Buffer.concat(archive(sampleStore(), 1 << 20));
    expect(read([Buffer.from('garbage, not an archive')]).problem).toBe('not a nats-ts snapshot');
    for (const at of [10, 30, 200, whole.length - 10]) {
      const changed = Buffer.from(whole);
      changed[at] = changed[at]! ^ 0xff;
      expect(read([changed]).problem).toMatch(/checksum|too long|too short|record|truncated/);
    }
    expect(read([whole, Buffer.from([1])]).problem).toBe('data after the end of the archive');
  });

  it('refuses pieces longer than a message can be, without waiting for them', () => {
    const whole = Buffer.concat(archive(new MemoryStore(UNLIMITED), 1 << 20));
    const head = whole.subarray(0, whole.length - 33);
    const huge = Buffer.alloc(4);
    huge.writeUInt32LE(0xffffffff);
    expect(read([head, huge]).problem).toBe('a piece too long');
  });

  it('refuses messages out of order', () => {
    const whole = Buffer.concat(archive(new MemoryStore(UNLIMITED), 1 << 20));
    const head = whole.subarray(0, whole.length - 33);
    const record = (seq: number): Buffer => {
      const out = Buffer.alloc(messageRecordLength(1, 0, 0));
      encodeMessage(out, 0, seq, 1n, 'a', NONE, NONE);
      return out;
    };
    expect(read([head, record(3), record(3)]).problem).toBe('messages out of order');
    expect(read([head, record(0)]).problem).toBe('messages out of order');
  });

  it('stops at the first error the target answers', () => {
    const reader = new ArchiveReader();
    const target: ArchiveTarget = { meta: () => 'stream names do not match', message: () => undefined, end: () => undefined };
    expect(reader.push(Buffer.concat(archive(sampleStore(), 1 << 20)), target)).toBe('stream names do not match');
  });
});
