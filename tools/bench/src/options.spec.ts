import { describe, expect, it } from 'vitest';
import { UsageError, parseBenchOptions } from './options.js';

describe('parseBenchOptions', () => {
  it('defaults to 5 runs of 3 s over every scenario but the consumer, KV and jsstream rows, three payloads and both targets', () => {
    expect(parseBenchOptions([])).toEqual({
      runs: 5,
      seconds: 3,
      scenarios: ['pub', 'pubsub', 'routed', 'bus', 'gateway', 'leaf', 'fanout4', 'queue4', 'reqrep', 'jspub', 'conns'],
      sizes: [16, 128, 1024],
      targets: ['nats-server', 'nats-ts'],
      connections: 10_000,
      subscriptions: 100_000,
      jsStreamMebibytes: 1024,
      profileDir: undefined,
      help: false,
    });
  });

  it('--quick means one run of 0.5 s at 16 bytes and a 64 MiB stream, unless flags say otherwise', () => {
    expect(parseBenchOptions(['--quick'])).toMatchObject({ runs: 1, seconds: 0.5, sizes: [16], jsStreamMebibytes: 64 });
    expect(parseBenchOptions(['--quick', '--runs', '3', '--sizes', '128', '--js-stream-mb', '8'])).toMatchObject({
      runs: 3,
      seconds: 0.5,
      sizes: [128],
      jsStreamMebibytes: 8,
    });
  });

  it('reads lists and numbers', () => {
    const options = parseBenchOptions([
      '--scenarios',
      'pubsub,pub,jsstream',
      '--sizes',
      '16, 1024',
      '--targets',
      'nats-server',
      '--seconds',
      '1.5',
      '--connections',
      '500',
      '--profile',
      '/tmp/profiles',
      '--js-stream-mb',
      '2048',
    ]);
    expect(options).toMatchObject({
      profileDir: '/tmp/profiles',
      scenarios: ['pubsub', 'pub', 'jsstream'],
      sizes: [16, 1024],
      targets: ['nats-server'],
      seconds: 1.5,
      connections: 500,
      jsStreamMebibytes: 2048,
    });
  });

  it('runs the consumer and KV rows when asked for', () => {
    expect(parseBenchOptions(['--scenarios', 'jspush,jspull,kvput,kvget']).scenarios).toEqual(['jspush', 'jspull', 'kvput', 'kvget']);
  });

  it('runs the Redis-store rows only when asked for', () => {
    expect(parseBenchOptions([]).scenarios).not.toContain('jspub-redis');
    expect(parseBenchOptions(['--scenarios', 'jspub-redis,jspull-redis']).scenarios).toEqual(['jspub-redis', 'jspull-redis']);
  });

  it('rejects unknown names, bad numbers and unknown flags', () => {
    expect(() => parseBenchOptions(['--scenarios', 'pub,nope'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--targets', 'gnatsd'])).toThrow(/unknown 'gnatsd'/);
    expect(() => parseBenchOptions(['--runs', '0'])).toThrow(/positive integer/);
    expect(() => parseBenchOptions(['--runs', '2.5'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--js-stream-mb', '0.5'])).toThrow(/--js-stream-mb needs a positive integer/);
    expect(() => parseBenchOptions(['--seconds', 'x'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--fast'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--profile', ' '])).toThrow(/--profile needs a value/);
  });
});
