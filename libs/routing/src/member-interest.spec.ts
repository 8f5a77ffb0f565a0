import { describe, expect, it } from 'vitest';
import { InterestTotals, MemberInterestTable } from './member-interest.js';

const plain = (subject: string, add: boolean) => ({ account: '$G', subject, weight: add ? 1 : 0, add });
const queue = (subject: string, q: string, weight: number) => ({ account: '$G', subject, queue: q, weight, add: weight > 0 });

describe('MemberInterestTable', () => {
  it('reports how each member\'s contribution moves: 1 for plain interest, the member count of a queue group', () => {
    const table = new MemberInterestTable();
    expect(table.apply('m1', plain('foo', true))).toMatchObject({ subject: 'foo', queue: undefined, delta: 1 });
    expect(table.apply('m1', plain('foo', true))).toBeUndefined();
    expect(table.apply('m1', queue('work', 'q', 3))).toMatchObject({ queue: 'q', delta: 3 });
    expect(table.apply('m1', queue('work', 'q', 2))).toMatchObject({ delta: -1 });
    expect(table.apply('m1', queue('work', 'q', 0))).toMatchObject({ delta: -2 });
    expect(table.apply('m1', plain('foo', false))).toMatchObject({ delta: -1 });
    expect(table.apply('m1', plain('foo', false))).toBeUndefined();
  });

  it('keeps one target per member, marked remote for members carrying other servers\' interest', () => {
    const table = new MemberInterestTable();
    const a = table.apply('route', plain('a', true), true)!;
    const b = table.apply('route', plain('b', true), true)!;
    expect(a.target).toBe(b.target);
    expect(a.target.remote).toBe(true);
    expect(table.apply('client', plain('a', true))!.target.remote).toBe(false);
    expect(table.match('$G', 'a')!.plain.map((s) => s.target.memberId).sort()).toEqual(['client', 'route']);
  });

  it('drops a leaving member\'s interest with the deltas, and ignores invalid subjects', () => {
    const table = new MemberInterestTable();
    table.apply('m1', plain('a', true));
    table.apply('m1', queue('w', 'q', 2));
    table.apply('m2', plain('a', true));
    expect(table.removeMember('m1').map((d) => [d.subject, d.delta])).toEqual([
      ['a', -1],
      ['w', -2],
    ]);
    expect([...table.inAccount('$G')].map((s) => s.target.memberId)).toEqual(['m2']);
    expect(table.apply('m1', plain('a..b', true))).toBeUndefined();
  });
});

describe('InterestTotals', () => {
  it('sums contributions per (account, subject, queue) and forgets a total at zero', () => {
    const table = new MemberInterestTable();
    const totals = new InterestTotals();
    expect(totals.adjust(table.apply('m1', queue('w', 'q', 2))!)).toEqual({ before: 0, total: { account: '$G', subject: 'w', queue: 'q', weight: 2 } });
    expect(totals.adjust(table.apply('m2', queue('w', 'q', 1))!).total.weight).toBe(3);
    totals.adjust(table.apply('m1', plain('p', true))!);
    expect([...totals.ofAccount('$G')].map((t) => t.subject)).toEqual(['w', 'p']);
    for (const delta of table.removeMember('m1')) totals.adjust(delta);
    expect([...totals.all()]).toEqual([{ account: '$G', subject: 'w', queue: 'q', weight: 1 }]);
    expect(totals.accounts()).toEqual(new Set(['$G']));
  });
});
