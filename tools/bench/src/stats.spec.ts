import { describe, expect, it } from 'vitest';
import { median, percentileInPlace } from './stats.js';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('percentileInPlace', () => {
  it('uses the nearest rank', () => {
    const values = Float64Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentileInPlace(values, 50)).toBe(50);
    expect(percentileInPlace(values, 99)).toBe(99);
    expect(percentileInPlace(values, 100)).toBe(100);
    expect(percentileInPlace(Float64Array.of(42), 99)).toBe(42);
    expect(percentileInPlace(new Float64Array(0), 50)).toBeNaN();
  });
});
