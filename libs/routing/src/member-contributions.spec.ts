import { describe, expect, it } from 'vitest';
import { MemberContributions } from './member-contributions.js';

describe('MemberContributions', () => {
  it('counts plain interest once per member and queue groups by members, as the bus delivers current counts', () => {
    const node = new MemberContributions();
    expect(node.apply('m1', { account: '$G', subject: 'a', weight: 3, add: true }, false)?.delta).toBe(1);
    expect(node.apply('m1', { account: '$G', subject: 'a', weight: 4, add: true }, false)).toBeUndefined();
    expect(node.apply('m2', { account: '$G', subject: 'w', queue: 'q', weight: 2, add: true }, true)?.delta).toBe(2);
    expect(node.apply('m2', { account: '$G', subject: 'w', queue: 'q', weight: 5, add: true }, true)?.delta).toBe(3);
    expect(node.apply('m1', { account: '$G', subject: 'a..b', weight: 1, add: true }, false)).toBeUndefined();
    expect([...node.inAccount('$G')].map((c) => [c.memberId, c.subject, c.queue, c.weight, c.remote])).toEqual([
      ['m1', 'a', undefined, 1, false],
      ['m2', 'w', 'q', 5, true],
    ]);
    expect(node.apply('m1', { account: '$G', subject: 'a', weight: 0, add: false }, false)?.delta).toBe(-1);
    expect(node.removeMember('m2').map((c) => c.delta)).toEqual([-5]);
    expect([...node.inAccount('$G')]).toEqual([]);
  });
});
