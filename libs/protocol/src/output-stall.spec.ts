import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputStall, STALL_MAX_WAIT_MS } from './output-stall.js';

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

  it('resumes waiting producers when the last stalled output drains, or after the longest wait', () => {
    vi.useFakeTimers();
    const stall = new OutputStall();
    const resumed: string[] = [];
    let stalled = stall.update(false, 70, 100);
    stall.wait(() => resumed.push('first'));
    stall.wait(() => resumed.push('second'));
    stalled = stall.update(stalled, 0, 100);
    expect(resumed).toEqual(['first', 'second']);
    vi.advanceTimersByTime(STALL_MAX_WAIT_MS);
    expect(resumed).toEqual(['first', 'second']);

    expect(stall.update(stalled, 70, 100)).toBe(true);
    stall.wait(() => resumed.push('third'));
    vi.advanceTimersByTime(STALL_MAX_WAIT_MS);
    expect(resumed).toEqual(['first', 'second', 'third']);
    expect(stall.active).toBe(true);
  });
});
