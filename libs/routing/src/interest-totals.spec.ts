import { describe, expect, it } from 'vitest';
import { InterestTotals } from './interest-totals.js';

const delta = (subject: string, d: number, queue?: string) => ({ account: '$G', subject, queue, delta: d });

describe('InterestTotals', () => {
  it('sums contributions per (account, subject, queue) and forgets a total at zero', () => {
    const totals = new InterestTotals();
    expect(totals.adjust(delta('w', 2, 'q'))).toEqual({ before: 0, total: { account: '$G', subject: 'w', queue: 'q', weight: 2 } });
    expect(totals.adjust(delta('w', 1, 'q')).total.weight).toBe(3);
    totals.adjust(delta('p', 1));
    expect([...totals.ofAccount('$G')].map((t) => t.subject)).toEqual(['w', 'p']);
    totals.adjust(delta('w', -2, 'q'));
    totals.adjust(delta('p', -1));
    expect([...totals.all()]).toEqual([{ account: '$G', subject: 'w', queue: 'q', weight: 1 }]);
    expect(totals.accounts()).toEqual(new Set(['$G']));
  });
});
