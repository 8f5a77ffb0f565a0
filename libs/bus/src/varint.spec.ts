import { describe, expect, it } from 'vitest';
import { ByteCursor, VARINT_INCOMPLETE, VARINT_TOO_LONG, varintSize, writeVarint } from './varint.js';

describe('varint', () => {
  it('reads back what it writes, at every size', () => {
    const buf = Buffer.alloc(16);
    const cursor = new ByteCursor();
    for (const n of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 31 - 1]) {
      const end = writeVarint(buf, 3, n);
      expect(end - 3).toBe(varintSize(n));
      cursor.pos = 3;
      expect(cursor.readVarint(buf, end)).toBe(n);
      expect(cursor.pos).toBe(end);
    }
  });

  it('reads five-byte values up to 2^35 - 1', () => {
    const cursor = new ByteCursor();
    expect(cursor.readVarint(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x7f]), 5)).toBe(2 ** 35 - 1);
  });

  it('reports an incomplete varint without moving, and one longer than five bytes', () => {
    const cursor = new ByteCursor();
    expect(cursor.readVarint(Uint8Array.from([0x80, 0x80]), 2)).toBe(VARINT_INCOMPLETE);
    expect(cursor.pos).toBe(0);
    expect(cursor.readVarint(Uint8Array.from([]), 0)).toBe(VARINT_INCOMPLETE);
    expect(cursor.readVarint(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 6)).toBe(VARINT_TOO_LONG);
  });
});
