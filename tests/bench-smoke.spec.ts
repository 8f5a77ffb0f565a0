import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BENCH = 'tools/bench/dist/main.js';

const EXPECTED_COLUMNS = [
  'scenario',
  'payload',
  'nats-server msgs/s',
  'nats-ts msgs/s',
  'nats-ts / nats-server',
  'nats-server peak RSS',
  'nats-ts peak RSS',
  'notes',
];

function cellsOf(line: string): string[] {
  return line
    .slice(1, -1)
    .split(' | ')
    .map((cell) => cell.trim());
}

// Runs the built load generator briefly against nats-server only; checks the shape of the
// report, never the numbers (the machine is shared).
describe('bench --quick', () => {
  it('prints one table with a row per scenario', { timeout: 120_000 }, async () => {
    expect(existsSync(BENCH), `${BENCH} is missing: build first (npx tsc -b tools/bench)`).toBe(true);
    const { stdout } = await run(process.execPath, [BENCH, '--quick', '--targets', 'nats-server'], {
      timeout: 110_000,
      maxBuffer: 1 << 20,
    });
    const lines = stdout.trim().split('\n');
    expect(cellsOf(lines[0])).toEqual(EXPECTED_COLUMNS);
    expect(lines[1]).toMatch(/^\|-+(\|-+)+\|$/);
    const rows = lines.slice(2).map(cellsOf);
    expect(rows.map((cells) => `${cells[0]} ${cells[1]}`)).toEqual([
      'pub 16 B',
      'pubsub 16 B',
      'routed 16 B',
      'bus 16 B',
      'gateway 16 B',
      'leaf 16 B',
      'fanout4 16 B',
      'queue4 16 B',
      'reqrep 16 B',
      'jspub 16 B',
      'conns 10000 conns',
      'conns 100000 subs',
    ]);
    for (const cells of rows) {
      expect(cells).toHaveLength(EXPECTED_COLUMNS.length);
      if (cells[0] !== 'conns') expect(cells[2], cells.join(' | ')).toMatch(/^\d+(\.\d+)?( [kM])?$/);
      expect(cells[3]).toMatch(/^(not run|-)$/);
      expect(cells[5], cells.join(' | ')).toMatch(/^\d+\.\d MiB$/);
    }
    expect(rows[8][7]).toMatch(/^nats-server p50 \d+ µs p99 \d+ µs$/);
  });

  it('writes a small JetStream stream and reads it back on nats-server', { timeout: 60_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      [BENCH, '--quick', '--targets', 'nats-server', '--scenarios', 'jsstream', '--js-stream-mb', '4'],
      { timeout: 50_000, maxBuffer: 1 << 20 },
    );
    const rows = stdout.trim().split('\n').slice(2).map(cellsOf);
    expect(rows.map((cells) => `${cells[0]} ${cells[1]}`)).toEqual(['jsstream 4 MiB write', 'jsstream 4 MiB read']);
    for (const cells of rows) {
      expect(cells[2], cells.join(' | ')).toMatch(/^\d+\.\d MiB\/s$/);
      expect(cells[3]).toBe('not run');
      expect(cells[5]).toMatch(/^\d+\.\d MiB$/);
      expect(cells[7]).toBe('');
    }
  });

  it('drains a stream through push and pull consumers and puts and gets KV keys on nats-server', { timeout: 90_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      [BENCH, '--quick', '--targets', 'nats-server', '--scenarios', 'jspush,jspull,kvput,kvget'],
      { timeout: 80_000, maxBuffer: 1 << 20 },
    );
    const rows = stdout.trim().split('\n').slice(2).map(cellsOf);
    expect(rows.map((cells) => `${cells[0]} ${cells[1]}`)).toEqual(['jspush 16 B', 'jspull 16 B', 'kvput 16 B', 'kvget 16 B']);
    for (const cells of rows) {
      expect(cells[2], cells.join(' | ')).toMatch(/^\d+(\.\d+)?( [kM])?$/);
      expect(cells[3]).toBe('not run');
      expect(cells[5]).toMatch(/^\d+\.\d MiB$/);
      expect(cells[7]).toBe('');
    }
  });

  it('publishes and pulls with acks on nats-ts on the Redis store, a redis-server of its own started and stopped', { timeout: 90_000 }, async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('nats-bench-redis-')).length;
    const { stdout } = await run(process.execPath, [BENCH, '--quick', '--targets', 'nats-ts', '--scenarios', 'jspub-redis,jspull-redis'], {
      timeout: 80_000,
      maxBuffer: 1 << 20,
    });
    const rows = stdout.trim().split('\n').slice(2).map(cellsOf);
    expect(rows.map((cells) => `${cells[0]} ${cells[1]}`)).toEqual(['jspub-redis 16 B', 'jspull-redis 16 B']);
    for (const cells of rows) {
      expect(cells[2]).toBe('not run');
      expect(cells[3], cells.join(' | ')).toMatch(/^\d+(\.\d+)?( [kM])?$/);
      expect(cells[7]).toBe('');
    }
    // Each server's redis-server took its data directory with it.
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('nats-bench-redis-')).length).toBe(before);
  });

  it('runs the bus scenario on two client-gateway processes beside a routed nats-server pair', { timeout: 60_000 }, async () => {
    expect(existsSync('apps/client-gateway/dist/main.js'), 'apps/client-gateway is not built').toBe(true);
    const { stdout } = await run(process.execPath, [BENCH, '--quick', '--scenarios', 'bus'], { timeout: 50_000, maxBuffer: 1 << 20 });
    const rows = stdout.trim().split('\n').slice(2).map(cellsOf);
    expect(rows).toHaveLength(1);
    const [scenario, payload, serverRate, natsTsRate, ratio, serverRss, natsTsRss] = rows[0]!;
    expect(`${scenario} ${payload}`).toBe('bus 16 B');
    for (const rate of [serverRate, natsTsRate]) expect(rate, rows[0]!.join(' | ')).toMatch(/^\d+(\.\d+)?( [kM])?$/);
    expect(ratio).toMatch(/^\d+\.\d+$/);
    for (const rss of [serverRss, natsTsRss]) expect(rss).toMatch(/^\d+\.\d MiB$/);
  });
});
