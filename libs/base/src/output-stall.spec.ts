import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputStall, STALL_MAX_WAIT_MS, stallWaitMs } from './output-stall.js';

describe('OutputStall', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is active while some output holds more than half its max_pending', () => {
    const stall = new OutputStall();
    let a = stall.update(false, 40, 100);
    expect(a).toBe(false);
    a = stall.update(a, 60, 100);
    let b = stall.update(false, 51, 100);
    expect(stall.active).toBe(true);
    a = stall.update(a, 10, 100);
    expect(stall.active).toBe(true);
    b = stall.update(b, 0, 100);
    expect([a, b, stall.active]).toEqual([false, false, false]);
  });

  it('resumes waiting producers when the last stalled output drains, or after the longest wait', async () => {
    vi.useFakeTimers();
    const stall = new OutputStall();
    const resumed: string[] = [];
    let stalled = stall.update(false, 70, 100);
    stall.wait(() => resumed.push('first'));
    stall.wait(() => resumed.push('second'));
    stalled = stall.update(stalled, 0, 100);
    await Promise.resolve();
    expect(resumed).toEqual(['first', 'second']);
    vi.advanceTimersByTime(STALL_MAX_WAIT_MS);
    expect(resumed).toEqual(['first', 'second']);

    expect(stall.update(stalled, 70, 100)).toBe(true);
    stall.wait(() => resumed.push('third'));
    vi.advanceTimersByTime(STALL_MAX_WAIT_MS);
    expect(resumed).toEqual(['first', 'second', 'third']);
    expect(stall.active).toBe(true);
  });

  it('wakes producers only once the drained output has recorded it, so their deliveries count it right', async () => {
    const stall = new OutputStall();
    let a = stall.update(false, 70, 100);
    let b = false;
    // A woken producer feeds both outputs: the drained one looks at its stall again, another stalls.
    stall.wait(() => {
      a = stall.update(a, 0, 100);
      b = stall.update(b, 70, 100);
    });
    a = stall.update(a, 0, 100);
    expect(stall.active).toBe(false);
    await Promise.resolve();
    expect([a, b, stall.active]).toEqual([false, true, true]);
  });

  it('waits as nats-server does: 100 ms plus 100 ms per tenth of half max_pending beyond half, up to 1 s', () => {
    const max = 1024 * 1024;
    expect(stallWaitMs(max / 2 + 1, max)).toBe(100);
    expect(stallWaitMs(614_422, max)).toBe(200);
    expect(stallWaitMs(max - 1, max)).toBe(1000);
    expect(stallWaitMs(max, max)).toBe(1000);
  });

  it('wakes producers after the wait of the output that stalled', () => {
    vi.useFakeTimers();
    try {
      const stall = new OutputStall();
      const max = 1024 * 1024;
      stall.update(false, 614_422, max);
      let resumed = false;
      stall.wait(() => (resumed = true));
      vi.advanceTimersByTime(199);
      expect(resumed).toBe(false);
      vi.advanceTimersByTime(1);
      expect(resumed).toBe(true);
      stall.update(true, 0, max);
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes only a producer that fed a stalled output wait', () => {
    const stall = new OutputStall();
    const stalled = stall.update(false, 700, 1000);
    // A producer whose read reached only outputs with room goes on.
    stall.producing();
    expect(stall.mustWait).toBe(false);
    // One whose read fed the stalled output waits.
    stall.producing();
    stall.feeding();
    expect(stall.mustWait).toBe(true);
    // The next producer starts clean.
    stall.producing();
    expect(stall.mustWait).toBe(false);
    // Once the output has drained, nobody waits.
    stall.producing();
    stall.feeding();
    stall.update(stalled, 100, 1000);
    expect(stall.mustWait).toBe(false);
  });
});
