import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration (Go time.ParseDuration syntax, in ms)', () => {
  it.each([
    ['2s', 2000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['2000000ns', 2],
    ['.5s', 500],
    ['1.s', 1000],
    ['-1m', -60_000],
    ['+3s', 3000],
    ['0', 0],
    ['-0', 0],
    ['1h1m1s1ms', 3_661_001],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', 'invalid duration ""'],
    ['1', 'missing unit in duration "1"'],
    ['10', 'missing unit in duration "10"'],
    ['1d', 'unknown unit "d" in duration "1d" (use ns, us, ms, s, m or h)'],
    ['s', 'invalid duration "s"'],
    ['1s2', 'missing unit in duration "1s2"'],
    ['.s', 'invalid duration ".s"'],
    ['1 s', 'unknown unit " s" in duration "1 s" (use ns, us, ms, s, m or h)'],
    ['-', 'invalid duration "-"'],
    ['3000000h', 'invalid duration "3000000h": too large'],
  ])('refuses %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });
});
