import { describe, expect, it } from 'vitest';
import { nowNs, parseRfc3339, parseRfc3339WithOffset, rfc3339Nano } from './time.js';

describe('rfc3339Nano', () => {
  it.each([
    // Times of the transcripts (JETSTREAM.md) with their Unix nanoseconds.
    [1796194857315880662n, '2026-12-02T07:00:57.315880662Z'],
    [1796194938331300924n, '2026-12-02T07:02:18.331300924Z'],
    [1796194857000000000n, '2026-12-02T07:00:57Z'],
    [1796194857500000000n, '2026-12-02T07:00:57.5Z'],
    [1796194857000001000n, '2026-12-02T07:00:57.000001Z'],
    [1n, '1970-01-01T00:00:00.000000001Z'],
    [-1n, '1969-12-31T23:59:59.999999999Z'],
    [951782400000000000n, '2000-02-29T00:00:00Z'],
    [253402300799999999999n, '9999-12-31T23:59:59.999999999Z'],
    [0n, '0001-01-01T00:00:00Z'],
  ])('%s → %s', (ns, text) => {
    expect(rfc3339Nano(ns)).toBe(text);
  });

  it('writes the local time and offset when given one', () => {
    expect(rfc3339Nano(1796194857315880662n, 3600)).toBe('2026-12-02T08:00:57.315880662+01:00');
    expect(rfc3339Nano(1796194857000000000n, -(5 * 3600 + 30 * 60))).toBe('2026-12-02T01:30:57-05:30');
    expect(rfc3339Nano(0n, 3600)).toBe('0001-01-01T01:00:00+01:00');
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2026-12-02T07:00:57.315880662Z', 1796194857315880662n],
    ['2026-12-02T07:00:57Z', 1796194857000000000n],
    ['2026-12-02T07:00:57.5Z', 1796194857500000000n],
    ['2026-12-02T07:00:57,5Z', 1796194857500000000n],
    ['2026-12-02T07:00:57.3158806629999Z', 1796194857315880662n],
    ['2026-12-02T08:00:57.315880662+01:00', 1796194857315880662n],
    ['2026-12-02T01:30:57-05:30', 1796194857000000000n],
    ['2000-02-29T00:00:00Z', 951782400000000000n],
    ['1969-12-31T23:59:59.999999999Z', -1n],
    ['0001-01-01T00:00:00Z', 0n],
    ['0001-01-01T01:00:00+01:00', 0n],
  ])('%s → %s', (text, ns) => {
    expect(parseRfc3339(text)).toBe(ns);
  });

  it.each([
    '',
    '2026-12-02',
    '2026-12-02T07:00:57',
    '2026-12-02 07:00:57Z',
    '2026-12-02T07:00:57.Z',
    '2026-12-02T07:00:57z',
    '2026-13-02T07:00:57Z',
    '2026-02-29T07:00:57Z',
    '2026-12-00T07:00:57Z',
    '2026-12-02T24:00:00Z',
    '2026-12-02T07:60:00Z',
    '2026-12-02T07:00:60Z',
    '2026-12-02T07:00:57+0100',
    '2026-12-02T07:00:57+24:00',
  ])('refuses %j', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });

  it('keeps the offset the time was written in, so it renders back the same', () => {
    const text = '2026-12-02T08:00:57.31588+01:00';
    const parsed = parseRfc3339WithOffset(text);
    expect(parsed).toEqual({ ns: 1796194857315880000n, offsetSeconds: 3600 });
    expect(rfc3339Nano(parsed!.ns, parsed!.offsetSeconds)).toBe(text);
  });

  it('renders back what it parses', () => {
    for (const ns of [0n, 1n, 1796194857315880662n, -62135596800000000000n + 1n]) {
      expect(parseRfc3339(rfc3339Nano(ns))).toBe(ns);
    }
  });
});

describe('nowNs', () => {
  it('is the wall clock with nanoseconds, increasing on every call', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    let last = nowNs();
    for (let i = 0; i < 1000; i++) {
      const next = nowNs();
      expect(next).toBeGreaterThan(last);
      last = next;
    }
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    expect(last).toBeGreaterThanOrEqual(before - 50_000_000n);
    expect(last).toBeLessThanOrEqual(after + 50_000_000n);
  });
});
