import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the CRC-32 check value and works on a range', () => {
    const bytes = new TextEncoder().encode('xx123456789yy');
    expect(crc32(bytes, 2, 11)).toBe(0xcbf43926);
    expect(crc32(bytes, 0, 0)).toBe(0);
  });
});
