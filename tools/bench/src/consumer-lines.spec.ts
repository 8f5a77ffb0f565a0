import { describe, expect, it } from 'vitest';
import { drainTarget } from './consumer-run.js';
import { replyStartOf } from './pull-consumer.js';
import { checkDrainTarget, isPlainMessageOfSize, sizeSuffix } from './push-consumer.js';

function lineOf(text: string): { line: Buffer; start: number; end: number } {
  // Some bytes around the line, as in a read buffer.
  const line = Buffer.from(`xx${text}\r\nyy`, 'latin1');
  return { line, start: 2, end: 2 + text.length };
}

function replyOf(text: string): string | undefined {
  const { line, start, end } = lineOf(text);
  const replyStart = replyStartOf(line, start, end);
  return replyStart < 0 ? undefined : line.toString('latin1', replyStart, line.indexOf(32, replyStart));
}

describe('consumer deliveries, read from their control lines', () => {
  it('finds the ack subject of a delivery', () => {
    expect(replyOf('MSG foo 1 $JS.ACK.BENCH.bench_pull_1.1.5.5.1796194972151360142.99 16')).toBe(
      '$JS.ACK.BENCH.bench_pull_1.1.5.5.1796194972151360142.99',
    );
    expect(replyOf('HMSG orders.new p2 $JS.ACK.ORDERS.D1.1.2.2.1796194972195223627.1 24 26')).toBe(
      '$JS.ACK.ORDERS.D1.1.2.2.1796194972195223627.1',
    );
  });

  it('finds none in a status or a message without a reply', () => {
    expect(replyOf('HMSG _INBOX.pull p2  81 81')).toBeUndefined();
    expect(replyOf('MSG foo 1 16')).toBeUndefined();
    expect(replyOf('MSG foo 1  16')).toBeUndefined();
  });

  it('checks a delivery is a plain message of the written size', () => {
    const suffix = sizeSuffix(1024);
    const check = (text: string): boolean => {
      const { line, start, end } = lineOf(text);
      return isPlainMessageOfSize(line, start, end, suffix);
    };
    expect(check('MSG foo 1 $JS.ACK.BENCH.x.1.1.1.1.0 1024')).toBe(true);
    expect(check('msg foo 1 1024')).toBe(true);
    expect(check('MSG foo 1 $JS.ACK.BENCH.x.1.1.1.1.0 11024')).toBe(false);
    expect(check('MSG foo 1 $JS.ACK.BENCH.x.1.1.1.1.0 16')).toBe(false);
    expect(check('HMSG bench.push.1 1  1024 1024')).toBe(false);
  });

  it('sizes the stream from the window, with the warm-up share of the other rows', () => {
    expect(drainTarget({ warmupMs: 500, windowMs: 2000 })).toEqual({ messages: 625_000, warmupMessages: 125_000 });
    expect(() => checkDrainTarget({ messages: 10, warmupMessages: 0 })).toThrow(/warm-up of 0/);
    expect(() => checkDrainTarget({ messages: 10, warmupMessages: 10 })).toThrow(/nothing of 10/);
  });
});
