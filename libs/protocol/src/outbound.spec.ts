import { describe, expect, it } from 'vitest';
import { OutboundBuffer } from './outbound.js';

describe('OutboundBuffer', () => {
  it('takes exactly the bytes written since the last take', () => {
    const out = new OutboundBuffer();
    out.writeAscii('PING');
    out.writeBytes(Buffer.from('\r\n'));
    expect(out.length).toBe(6);
    expect(out.take().toString()).toBe('PING\r\n');
    expect(out.length).toBe(0);
    expect(out.take()).toHaveLength(0);
    out.writeLatin1('PONG\r\n');
    expect(out.take().toString()).toBe('PONG\r\n');
  });

  it('never changes a taken Buffer, whatever is written afterwards', () => {
    const out = new OutboundBuffer();
    const taken: Array<[Buffer, string]> = [];
    for (let round = 0; round < 200; round++) {
      const text = `${round}:`.padEnd(1 + ((round * 37) % 3000), String.fromCharCode(97 + (round % 26)));
      out.writeLatin1(text);
      if (round % 2 === 1) {
        const chunk = out.take();
        taken.push([chunk, chunk.toString('latin1')]);
      }
    }
    for (const [chunk, text] of taken) expect(chunk.toString('latin1')).toBe(text);
  });

  it('keeps untaken bytes when it grows', () => {
    const out = new OutboundBuffer();
    const parts: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const part = `part-${i};`;
      parts.push(part);
      out.writeLatin1(part);
    }
    expect(out.take().toString('latin1')).toBe(parts.join(''));
  });

  it('releases a large store after a burst so an idle connection keeps little memory', () => {
    const out = new OutboundBuffer();
    out.writeBytes(Buffer.alloc(1024 * 1024, 1));
    expect(out.capacity).toBeGreaterThanOrEqual(1024 * 1024);
    const burst = out.take();
    expect(burst).toHaveLength(1024 * 1024);
    expect(out.capacity).toBe(0);
    out.writeAscii('PING\r\n');
    const next = out.take();
    expect(next.toString()).toBe('PING\r\n');
    expect(out.capacity).toBe(0);
    // The store sized from the burst is itself dropped, so small writes settle back to a small store.
    out.writeAscii('PONG\r\n');
    expect(out.capacity).toBeLessThanOrEqual(64 * 1024);
    expect(burst.every((b) => b === 1)).toBe(true);
  });

  it('sizes a new store for the previous batch so a busy connection does not regrow', () => {
    const out = new OutboundBuffer();
    const batch = 300 * 1024;
    out.writeBytes(Buffer.alloc(batch));
    out.take();
    out.writeAscii('x');
    const capacity = out.capacity;
    expect(capacity).toBeGreaterThanOrEqual(batch);
    for (let written = 1; written < batch; written += 3000) out.writeBytes(Buffer.alloc(3000));
    expect(out.capacity).toBe(capacity);
  });

  it('writes from the start of the same store again once the taken bytes are released', () => {
    const out = new OutboundBuffer();
    out.writeAscii('first');
    const first = out.take();
    out.reuseStore();
    out.writeAscii('again');
    const again = out.take();
    expect(again.buffer).toBe(first.buffer);
    expect(again.byteOffset).toBe(first.byteOffset);
    expect(again.toString()).toBe('again');
  });

  it('keeps pending bytes when asked to reuse its store', () => {
    const out = new OutboundBuffer();
    out.writeAscii('sent');
    out.take();
    out.writeAscii('pending');
    out.reuseStore();
    out.writeAscii('+more');
    expect(out.take().toString()).toBe('pending+more');
  });

  it('writes a sized payload as <size> CRLF <bytes> CRLF, short and long, across a store boundary', () => {
    const out = new OutboundBuffer();
    const source = Buffer.from('..hello-world..', 'latin1');
    out.writeSizedPayload(source, 2, 13);
    out.writeSizedPayload(source, 0, 0);
    expect(out.take().toString('latin1')).toBe('11\r\nhello-world\r\n0\r\n\r\n');
    const long = Buffer.alloc(5000, 0x61);
    out.writeBytes(Buffer.alloc(4090, 0x62));
    out.writeSizedPayload(long, 0, long.length);
    out.writeCrlf();
    const taken = out.take().toString('latin1');
    expect(taken).toBe(`${'b'.repeat(4090)}5000\r\n${'a'.repeat(5000)}\r\n\r\n`);
  });

  it('discards pending bytes on reset without touching taken ones', () => {
    const out = new OutboundBuffer();
    out.writeAscii('taken');
    const taken = out.take();
    out.writeAscii('dropped');
    out.reset();
    expect(out.length).toBe(0);
    out.writeAscii('next');
    expect(out.take().toString()).toBe('next');
    expect(taken.toString()).toBe('taken');
  });

  it('writes non-negative integers in decimal', () => {
    const out = new OutboundBuffer();
    const values = [0, 7, 9, 10, 99, 100, 12345, 1048576, 999999999, 2 ** 32, Number.MAX_SAFE_INTEGER];
    for (const value of values) {
      out.writeDecimal(value);
      out.writeAscii(' ');
    }
    expect(out.take().toString()).toBe(values.map((value) => `${value} `).join(''));
  });

  it('writes strings as latin1, short and long', () => {
    const out = new OutboundBuffer();
    const short = 'caf\xc3\xa9\xff';
    const long = `${'x'.repeat(40)}\xe9\x80`;
    out.writeLatin1(short);
    out.writeLatin1(long);
    expect(out.take()).toEqual(Buffer.from(short + long, 'latin1'));
  });
});
