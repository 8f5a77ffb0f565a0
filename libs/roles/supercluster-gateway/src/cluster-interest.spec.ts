import { describe, expect, it } from 'vitest';
import { ClusterInterest } from './cluster-interest.js';

describe('ClusterInterest', () => {
  it('reports a (subject, queue) when the first member has it and when the last one drops it', () => {
    const cluster = new ClusterInterest();
    expect(cluster.apply('m1', { account: '$G', subject: 'foo', weight: 1, add: true })).toEqual({ account: '$G', subject: 'foo', queue: undefined, present: true });
    expect(cluster.apply('m2', { account: '$G', subject: 'foo', weight: 1, add: true })).toBeUndefined();
    expect(cluster.apply('m1', { account: '$G', subject: 'work', queue: 'q', weight: 2, add: true })).toEqual({ account: '$G', subject: 'work', queue: 'q', present: true });
    // A queue group's weight changes matter not: other clusters hear only whether it is there.
    expect(cluster.apply('m1', { account: '$G', subject: 'work', queue: 'q', weight: 5, add: true })).toBeUndefined();
    expect(cluster.apply('m1', { account: '$G', subject: 'foo', weight: 0, add: false })).toBeUndefined();
    expect(cluster.apply('m2', { account: '$G', subject: 'foo', weight: 0, add: false })).toEqual({ account: '$G', subject: 'foo', queue: undefined, present: false });
    expect([...cluster.ofAccount('$G')]).toMatchObject([{ subject: 'work', queue: 'q' }]);
    expect(cluster.apply('m1', { account: '$G', subject: 'a..b', weight: 1, add: true })).toBeUndefined();
  });

  it("drops a member's interest when it leaves, reporting what no other member has", () => {
    const cluster = new ClusterInterest();
    cluster.apply('m1', { account: '$G', subject: 'foo', weight: 1, add: true });
    cluster.apply('m1', { account: 'ACC', subject: 'bar', queue: 'q', weight: 1, add: true });
    cluster.apply('m2', { account: '$G', subject: 'foo', weight: 1, add: true });
    expect(cluster.accountsWithInterest()).toEqual(new Set(['$G', 'ACC']));
    expect(cluster.removeMember('m1')).toEqual([{ account: 'ACC', subject: 'bar', queue: 'q', present: false }]);
    expect(cluster.accountsWithInterest()).toEqual(new Set(['$G']));
    expect(cluster.removeMember('m2')).toEqual([{ account: '$G', subject: 'foo', queue: undefined, present: false }]);
    expect(cluster.removeMember('m2')).toEqual([]);
  });
});
