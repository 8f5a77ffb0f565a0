import { describe, expect, it } from 'vitest';
import { formatGoDuration, formatGoTime, formatRtt, formatUptime, goDurationNanos, toGoJson } from './go-format.js';

describe('Go value formats', () => {
  it('goDurationNanos writes milliseconds as integer nanoseconds (ping_interval)', () => {
    expect(goDurationNanos(120_000)).toBe(120_000_000_000);
    expect(goDurationNanos(0.0015)).toBe(1500);
  });

  it('formatUptime follows nats-server myUptime', () => {
    expect(formatUptime(0)).toBe('0s');
    expect(formatUptime(59_999)).toBe('59s');
    expect(formatUptime(61_000)).toBe('1m1s');
    expect(formatUptime(3_600_000)).toBe('1h0m0s');
    expect(formatUptime(3_723_000)).toBe('1h2m3s');
    expect(formatUptime(93_784_000)).toBe('1d2h3m4s');
    expect(formatUptime((366 * 24 * 3600 + 5) * 1000)).toBe('1y1d0h0m5s');
  });

  it('formatGoDuration follows time.Duration.String', () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(850)).toBe('850ns');
    expect(formatGoDuration(1_000)).toBe('1µs');
    expect(formatGoDuration(1_500)).toBe('1.5µs');
    expect(formatGoDuration(1_270_452)).toBe('1.270452ms');
    expect(formatGoDuration(2_250_000)).toBe('2.25ms');
    expect(formatGoDuration(1_000_000_000)).toBe('1s');
    expect(formatGoDuration(1_500_000_000)).toBe('1.5s');
    expect(formatGoDuration(90_500_000_000)).toBe('1m30.5s');
    expect(formatGoDuration(120_000_000_000)).toBe('2m0s');
    expect(formatGoDuration(3_600_000_000_000)).toBe('1h0m0s');
    expect(formatGoDuration(3_661_000_000_001)).toBe('1h1m1.000000001s');
    expect(formatGoDuration(-1_500)).toBe('-1.5µs');
  });

  it('formatRtt truncates sub-millisecond RTTs to microseconds like nats-server', () => {
    expect(formatRtt(0)).toBe('0s');
    expect(formatRtt(1.2704529)).toBe('1.270452ms');
    expect(formatRtt(0.5234567)).toBe('523µs');
    expect(formatRtt(0.0005)).toBe('500ns');
  });

  it('formatGoTime writes RFC 3339 UTC with the fraction trimmed', () => {
    const base = Date.UTC(2026, 10, 27, 17, 18, 55);
    expect(formatGoTime(base)).toBe('2026-11-27T17:18:55Z');
    expect(formatGoTime(base + 192.864)).toBe('2026-11-27T17:18:55.192864Z');
    expect(formatGoTime(base + 120)).toBe('2026-11-27T17:18:55.12Z');
    expect(formatGoTime(base + 0.5)).toBe('2026-11-27T17:18:55.0005Z');
    expect(formatGoTime(base + 999.9999)).toBe('2026-11-27T17:18:56Z');
  });

  it('toGoJson indents with two spaces and escapes HTML characters as Go does', () => {
    const value = { name: 'c<1>&', cluster: {}, list: [], n: 1, skipped: undefined };
    expect(toGoJson(value)).toBe('{\n  "name": "c\\u003c1\\u003e\\u0026",\n  "cluster": {},\n  "list": [],\n  "n": 1\n}');
    expect(toGoJson({ status: 'ok' }, false)).toBe('{"status":"ok"}');
  });
});
