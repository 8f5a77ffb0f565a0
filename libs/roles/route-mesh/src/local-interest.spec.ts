import { describe, expect, it } from 'vitest';
import { LocalInterest } from './local-interest.js';

const plain = (subject: string, add: boolean) => ({ account: '$G', subject, weight: add ? 1 : 0, add });
const queue = (subject: string, q: string, weight: number) => ({ account: '$G', subject, queue: q, weight, add: weight > 0 });

describe('LocalInterest', () => {
  it('reports plain interest to routes when the first member gains it and the last loses it', () => {
    const local = new LocalInterest();
    expect(local.apply('m1', plain('foo', true))).toEqual({ account: '$G', subject: 'foo', queue: undefined, weight: 1 });
    expect(local.apply('m2', plain('foo', true))).toBeUndefined();
    expect(local.apply('m1', plain('foo', false))).toBeUndefined();
    expect(local.apply('m2', plain('foo', false))).toEqual({ account: '$G', subject: 'foo', queue: undefined, weight: 0 });
    expect([...local.all()]).toEqual([]);
  });

  it('reports every change of a queue group as the sum of its members on the node', () => {
    const local = new LocalInterest();
    expect(local.apply('m1', queue('work', 'q', 2))).toMatchObject({ queue: 'q', weight: 2 });
    expect(local.apply('m2', queue('work', 'q', 1))).toMatchObject({ weight: 3 });
    expect(local.apply('m1', queue('work', 'q', 1))).toMatchObject({ weight: 2 });
    expect(local.apply('m1', queue('work', 'q', 1))).toBeUndefined();
    expect(local.apply('m2', queue('work', 'q', 0))).toMatchObject({ weight: 1 });
    expect([...local.all()]).toEqual([{ account: '$G', subject: 'work', queue: 'q', weight: 1 }]);
  });

  it('drops a leaving member\'s interest and reports what changed', () => {
    const local = new LocalInterest();
    local.apply('m1', plain('a', true));
    local.apply('m2', plain('a', true));
    local.apply('m1', plain('b', true));
    local.apply('m1', queue('w', 'q', 3));
    expect(local.removeMember('m1')).toEqual([
      { account: '$G', subject: 'b', queue: undefined, weight: 0 },
      { account: '$G', subject: 'w', queue: 'q', weight: 0 },
    ]);
    expect([...local.all()].map((t) => t.subject)).toEqual(['a']);
  });

  it('ignores invalid subjects', () => {
    const local = new LocalInterest();
    expect(local.apply('m1', plain('a..b', true))).toBeUndefined();
    expect([...local.all()]).toEqual([]);
  });
});
