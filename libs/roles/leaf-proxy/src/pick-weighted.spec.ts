import { describe, expect, it } from 'vitest';
import { pickWeighted } from './pick-weighted.js';

const notNamed = (entry: { name: string }, excluded: string, _unused: undefined): boolean => entry.name !== excluded;

describe('pickWeighted', () => {
  it('picks only eligible entries, in proportion to their weight', () => {
    const group = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 3 },
      { name: 'c', weight: 100 },
    ];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 4000; i++) counts[pickWeighted(group, notNamed, 'c', undefined)!.name]!++;
    expect(counts.c).toBe(0);
    expect(counts.b! / counts.a!).toBeGreaterThan(2);
    expect(counts.b! / counts.a!).toBeLessThan(4.5);
  });

  it('gives undefined when nothing is eligible', () => {
    expect(pickWeighted([{ name: 'a', weight: 1 }], notNamed, 'a', undefined)).toBeUndefined();
  });
});
