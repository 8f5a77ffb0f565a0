import { describe, expect, it } from 'vitest';
import { int64Decimal, int64FromHalves, int64High, int64Low } from './int64.js';

const halves = (value: bigint): [number, number] => [int64High(value), int64Low(value)];

describe('int64 halves', () => {
  const values = [
    0n,
    1n,
    999_999n,
    1_000_000n,
    4_294_967_295n,
    4_294_967_296n,
    2n ** 53n + 1n,
    1_780_000_000_123_456_789n,
    1_780_000_000_000_000_001n,
    2n ** 63n - 1n,
    -1n,
    -(2n ** 63n),
  ];

  it('splits and joins any int64 exactly', () => {
    for (const value of values) expect(int64FromHalves(...halves(value))).toBe(value);
  });

  it('prints the decimal of any int64 as bigint does', () => {
    for (const value of values) expect(int64Decimal(...halves(value))).toBe(value.toString());
    // Nanosecond times of this century, with every last-six-digit width.
    let value = 1_700_000_000_000_000_000n;
    for (let i = 0; i < 20_000; i++) {
      value += BigInt(Math.floor(Math.random() * 1e12)) + (i % 7 === 0 ? 1_000_000n - (value % 1_000_000n) : 0n);
      expect(int64Decimal(...halves(value))).toBe(value.toString());
    }
  });
});
