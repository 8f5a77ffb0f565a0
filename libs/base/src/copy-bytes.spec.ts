import { describe, expect, it } from 'vitest';
import { copyBytes } from './copy-bytes.js';

describe('copyBytes', () => {
  it('copies a range, short or long, from a Buffer or a plain Uint8Array', () => {
    for (const size of [0, 5, 31, 32, 200]) {
      const bytes = Uint8Array.from({ length: size + 4 }, (_, i) => (i * 7) & 0xff);
      for (const source of [Buffer.from(bytes), bytes]) {
        const target = Buffer.alloc(size + 10, 0xee);
        expect(copyBytes(source, 2, 2 + size, target, 3)).toBe(3 + size);
        expect([...target.subarray(3, 3 + size)]).toEqual([...bytes.subarray(2, 2 + size)]);
        expect(target[2]).toBe(0xee);
        expect(target[3 + size]).toBe(0xee);
      }
    }
  });
});
