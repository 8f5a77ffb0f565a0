import { describe, expect, it } from 'vitest';
import { readProcessTreeMemory, statusField } from './proc-memory.js';

describe('statusField', () => {
  it('reads kB fields as bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\n';
    expect(statusField(status, 'VmRSS')).toBe(1024 * 1024);
    expect(statusField(status, 'VmHWM')).toBe(2048 * 1024);
    expect(statusField(status, 'VmSwap')).toBeUndefined();
  });
});

describe('readProcessTreeMemory', () => {
  it('reads this process, whose peak is at least its current size', () => {
    const memory = readProcessTreeMemory(process.pid);
    expect(memory?.rssBytes).toBeGreaterThan(0);
    expect(memory!.peakRssBytes).toBeGreaterThanOrEqual(memory!.rssBytes);
  });

  it('is undefined for a process that does not exist', () => {
    expect(readProcessTreeMemory(2 ** 30)).toBeUndefined();
  });
});
