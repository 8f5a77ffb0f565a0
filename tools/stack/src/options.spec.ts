import { describe, expect, it } from 'vitest';
import { nthPort, parseStackOptions, UsageError } from './options.js';

describe('stack options', () => {
  it('defaults to two replicas on the usual ports', () => {
    expect(parseStackOptions([])).toEqual({ host: '127.0.0.1', replicas: 2, port: 4222, httpPort: 8222, clusterPort: 6222, redisPort: 6379 });
  });

  it('reads every flag, and --help', () => {
    const argv = ['--replicas', '3', '--host', '0.0.0.0', '--port', '-1', '--http-port', '0', '--cluster-port', '0', '--redis-port', '7000'];
    expect(parseStackOptions(argv)).toEqual({ host: '0.0.0.0', replicas: 3, port: -1, httpPort: 0, clusterPort: 0, redisPort: 7000 });
    expect(parseStackOptions(['--store-dir', '/var/js'])?.storeDir).toBe('/var/js');
    expect(parseStackOptions(['--help'])).toBeUndefined();
  });

  it('refuses unknown flags and bad numbers', () => {
    expect(() => parseStackOptions(['--nope'])).toThrow(UsageError);
    expect(() => parseStackOptions(['--replicas', '0'])).toThrow(/--replicas needs a number from 1 to 64/);
    expect(() => parseStackOptions(['--port'])).toThrow(/got nothing/);
    expect(() => parseStackOptions(['--port', '0'])).toThrow(/free ports/);
    expect(() => parseStackOptions(['--store-dir'])).toThrow(/needs a directory/);
  });

  it('numbers the ports of successive processes, keeping -1 and 0', () => {
    expect([0, 1, 2].map((i) => nthPort(4222, i))).toEqual([4222, 4223, 4224]);
    expect(nthPort(-1, 3)).toBe(-1);
    expect(nthPort(0, 3)).toBe(0);
  });
});
