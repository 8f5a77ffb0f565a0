import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the CRC-32 check value and works on a range', () => {
    const bytes = new TextEncoder().encode('xx123456789yy');
    expect(crc32(bytes, 2, 11)).toBe(0xcbf43926);
    expect(crc32(bytes, 0, 0)).toBe(0);
  });

  it('agrees with the bit-at-a-time definition on every length and offset', () => {
    const reference = (data: Uint8Array, start: number, end: number): number => {
      let crc = 0xffffffff;
      for (let i = start; i < end; i++) {
        crc ^= data[i]!;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
      }
      return (crc ^ 0xffffffff) >>> 0;
    };
    const data = new Uint8Array(300);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= data.length; end += 7) expect(crc32(data, start, end)).toBe(reference(data, start, end));
    }
  });
});
