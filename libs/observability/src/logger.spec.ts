import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Logger } from './logger.js';

const PID = process.pid;
const TIMED_LINE = /^\[(\d+)\] (\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}) \[([A-Z]{3})\] (.*)$/;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nats-ts-logger-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

describe('Logger', () => {
  it('writes nats-server lines with pid, local time with microseconds and label', () => {
    const file = join(dir, 'server.log');
    const logger = new Logger({ logFile: file });
    const before = new Date();
    logger.info('Server is ready');
    logger.warn('careful');
    logger.error('broken');
    logger.close();
    const written = lines(file);
    expect(written).toHaveLength(3);
    const m = TIMED_LINE.exec(written[0]!);
    expect(m).not.toBeNull();
    const [, pid, year, month, day, hour, minute] = m!;
    expect(Number(pid)).toBe(PID);
    const stamp = new Date(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
    expect(Math.abs(stamp.getTime() - before.getTime())).toBeLessThan(61_000);
    expect(written.map((l) => TIMED_LINE.exec(l)!.slice(9))).toEqual([
      ['INF', 'Server is ready'],
      ['WRN', 'careful'],
      ['ERR', 'broken'],
    ]);
  });

  it('omits the time when logtime is false and keeps one newline per line', () => {
    const file = join(dir, 'server.log');
    const logger = new Logger({ logFile: file, logtime: false });
    logger.info('a');
    logger.info('b\n');
    logger.close();
    expect(readFileSync(file, 'utf8')).toBe(`[${PID}] [INF] a\n[${PID}] [INF] b\n`);
  });

  it('writes debug and trace lines only when switched on, switchable at runtime', () => {
    const file = join(dir, 'server.log');
    const logger = new Logger({ logFile: file, logtime: false });
    expect(logger.isDebug).toBe(false);
    expect(logger.isTrace).toBe(false);
    logger.debug('hidden debug');
    logger.trace('hidden trace');
    logger.configure({ logFile: file, logtime: false, debug: true, trace: true });
    expect(logger.isDebug).toBe(true);
    expect(logger.isTrace).toBe(true);
    logger.debug('shown debug');
    logger.trace('<<- [PING]');
    logger.configure({ logFile: file, logtime: false, trace: true });
    logger.debug('hidden again');
    logger.close();
    expect(lines(file)).toEqual([`[${PID}] [DBG] shown debug`, `[${PID}] [TRC] <<- [PING]`]);
  });

  it('appends to an existing file and reopens it on configure (after rotation)', () => {
    const file = join(dir, 'server.log');
    const first = new Logger({ logFile: file, logtime: false });
    first.info('one');
    first.close();
    const logger = new Logger({ logFile: file, logtime: false });
    logger.info('two');
    renameSync(file, `${file}.1`);
    logger.info('three');
    logger.configure({ logFile: file, logtime: false });
    logger.info('four');
    logger.close();
    expect(lines(`${file}.1`)).toEqual([`[${PID}] [INF] one`, `[${PID}] [INF] two`, `[${PID}] [INF] three`]);
    expect(lines(file)).toEqual([`[${PID}] [INF] four`]);
    expect(logger.file).toBeUndefined();
  });

  it('keeps the current destination when the new log file cannot be opened', () => {
    const file = join(dir, 'server.log');
    const logger = new Logger({ logFile: file, logtime: false });
    expect(() => logger.configure({ logFile: join(dir, 'missing', 'x.log') })).toThrow();
    logger.info('still here');
    logger.close();
    expect(lines(file)).toEqual([`[${PID}] [INF] still here`]);
  });
});

// stderr and process exit are observed in a child process running the built library.
describe('Logger in a child process', () => {
  const repoRoot = resolve(import.meta.dirname, '../../..');
  beforeAll(() => {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', join(repoRoot, 'libs/observability')]);
  }, 120_000);

  function runChild(script: string): { status: number | null; stderr: string } {
    const errFile = join(dir, 'stderr.txt');
    const fd = openSync(errFile, 'w');
    try {
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'ignore', fd] });
      return { status: result.status, stderr: readFileSync(errFile, 'utf8') };
    } finally {
      closeSync(fd);
    }
  }

  it('writes to stderr without colours when stderr is not a terminal', () => {
    const { status, stderr } = runChild(
      `import { Logger } from '@nats-ts/observability'; const l = new Logger({ debug: true }); l.info('Starting nats-server'); l.debug('dbg');`,
    );
    expect(status).toBe(0);
    const written = stderr.split('\n').slice(0, -1);
    expect(written.map((l) => TIMED_LINE.exec(l)?.slice(9))).toEqual([
      ['INF', 'Starting nats-server'],
      ['DBG', 'dbg'],
    ]);
  });

  it('fatal writes an FTL line and exits with status 1', () => {
    const { status, stderr } = runChild(
      `import { Logger } from '@nats-ts/observability'; new Logger({ logtime: false }).fatal('cannot listen'); console.error('not reached');`,
    );
    expect(status).toBe(1);
    expect(stderr).toMatch(/^\[\d+\] \[FTL\] cannot listen\n$/);
  });
});
