import { describe, expect, it } from 'vitest';
import { TABLE_COLUMNS, formatMebibytes, formatMebibytesPerSecond, formatRate, formatResultTable } from './report-table.js';
import type { ResultRow } from './results.js';

function cellsOf(line: string): string[] {
  return line
    .slice(1, -1)
    .split(' | ')
    .map((cell) => cell.trim());
}

describe('formatRate / formatMebibytes', () => {
  it('scales to M and k', () => {
    expect(formatRate(8_912_345)).toBe('8.91 M');
    expect(formatRate(380_000)).toBe('380.0 k');
    expect(formatRate(999)).toBe('999');
    expect(formatMebibytes(12.5 * 2 ** 20)).toBe('12.5 MiB');
    expect(formatMebibytesPerSecond(300 * 2 ** 20)).toBe('300.0 MiB/s');
  });
});

describe('formatResultTable', () => {
  const rows: ResultRow[] = [
    {
      scenario: 'pubsub',
      load: '16 B',
      kind: 'rate',
      outcomes: {
        'nats-server': { runs: 5, failedRuns: 0, rate: 2_000_000, rssBytes: 20 * 2 ** 20 },
        'nats-ts': { runs: 5, failedRuns: 1, rate: 1_000_000, rssBytes: 80 * 2 ** 20, problem: 'no PONG within 20000 ms' },
      },
    },
    {
      scenario: 'reqrep',
      load: '16 B',
      kind: 'rate',
      outcomes: {
        'nats-server': { runs: 5, failedRuns: 0, rate: 5300, p50Micros: 175, p99Micros: 458, rssBytes: 2 ** 24 },
        'nats-ts': { runs: 5, failedRuns: 5, problem: 'failed to start: exited with code 1' },
      },
    },
    {
      scenario: 'conns',
      load: '10000 conns',
      kind: 'memory',
      outcomes: {
        'nats-server': { runs: 1, failedRuns: 0, rssBytes: 200 * 2 ** 20, idleRssBytes: 10 * 2 ** 20 },
        'nats-ts': { runs: 1, failedRuns: 0, rssBytes: 300 * 2 ** 20, idleRssBytes: 60 * 2 ** 20 },
      },
    },
    { scenario: 'pub', load: '16 B', kind: 'rate', outcomes: { 'nats-server': { runs: 1, failedRuns: 0, rate: 9e6 } } },
    {
      scenario: 'jsstream',
      load: '1024 MiB write',
      kind: 'bandwidth',
      outcomes: {
        'nats-server': { runs: 1, failedRuns: 0, rate: 200 * 2 ** 20, rssBytes: 20 * 2 ** 20 },
        'nats-ts': { runs: 1, failedRuns: 0, rate: 50 * 2 ** 20, rssBytes: 90 * 2 ** 20 },
      },
    },
  ];
  const lines = formatResultTable(rows).split('\n');

  it('prints a Markdown header with every column, then one line per row', () => {
    expect(cellsOf(lines[0])).toEqual([...TABLE_COLUMNS]);
    expect(lines[1]).toMatch(/^\|-+(\|-+)+\|$/);
    expect(lines).toHaveLength(2 + rows.length);
    const widths = new Set(lines.map((line) => line.length));
    expect(widths.size).toBe(1);
  });

  it('shows medians, the ratio, peak RSS and partial failures', () => {
    expect(cellsOf(lines[2])).toEqual([
      'pubsub',
      '16 B',
      '2.00 M',
      '1.00 M',
      '0.50',
      '20.0 MiB',
      '80.0 MiB',
      'nats-ts 1/5 runs failed: no PONG within 20000 ms',
    ]);
  });

  it('marks a target that never ran as n/a with the reason, and lists latencies', () => {
    const cells = cellsOf(lines[3]);
    expect(cells.slice(2, 7)).toEqual(['5.3 k', 'n/a', 'n/a', '16.0 MiB', 'n/a']);
    expect(cells[7]).toBe('nats-server p50 175 µs p99 458 µs; nats-ts n/a: failed to start: exited with code 1');
  });

  it('compares held RSS on memory rows', () => {
    const cells = cellsOf(lines[4]);
    expect(cells.slice(2, 7)).toEqual(['-', '-', '1.50 (RSS)', '200.0 MiB', '300.0 MiB']);
    expect(cells[7]).toBe('nats-server idle 10.0 MiB; nats-ts idle 60.0 MiB');
  });

  it('says "not run" for an unselected target', () => {
    expect(cellsOf(lines[5]).slice(2, 7)).toEqual(['9.00 M', 'not run', 'n/a', 'n/a', 'not run']);
  });

  it('shows bandwidth rows in MiB/s and compares their rates', () => {
    expect(cellsOf(lines[6]).slice(0, 7)).toEqual(['jsstream', '1024 MiB write', '200.0 MiB/s', '50.0 MiB/s', '0.25', '20.0 MiB', '90.0 MiB']);
  });
});
