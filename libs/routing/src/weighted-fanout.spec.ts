import { describe, expect, it } from 'vitest';
import { MemberTarget, collectMemberTargets, pickWeighted, pickWeightedWhere, type TargetedInterest } from './weighted-fanout.js';
import { Sublist } from './sublist.js';

const notNamed = (entry: { name: string }, excluded: string, _unused: undefined): boolean => entry.name !== excluded;

describe('pickWeighted', () => {
  it('picks queue entries in proportion to their weight', () => {
    const group = [{ weight: 1 }, { weight: 3 }];
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[group.indexOf(pickWeighted(group))]!++;
    expect(counts[1]! / counts[0]!).toBeGreaterThan(2.3);
    expect(counts[1]! / counts[0]!).toBeLessThan(3.9);
  });

  it('picks only eligible entries, in proportion to their weight', () => {
    const group = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 3 },
      { name: 'c', weight: 100 },
    ];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 4000; i++) counts[pickWeightedWhere(group, notNamed, 'c', undefined)!.name]!++;
    expect(counts.c).toBe(0);
    expect(counts.b! / counts.a!).toBeGreaterThan(2);
    expect(counts.b! / counts.a!).toBeLessThan(4.5);
  });

  it('gives undefined when nothing is eligible', () => {
    expect(pickWeightedWhere([{ name: 'a', weight: 1 }], notNamed, 'a', undefined)).toBeUndefined();
  });
});

describe('collectMemberTargets', () => {
  const interest = (subject: string, queue: string | undefined, target: MemberTarget, weight = 1): TargetedInterest => ({ subject, queue, target, weight });

  it('takes each member once, with the queue groups named for the message', () => {
    const a = new MemberTarget('a');
    const b = new MemberTarget('b');
    const sublist = new Sublist<TargetedInterest>();
    sublist.insert(interest('orders.*', undefined, a));
    sublist.insert(interest('orders.new', undefined, a));
    sublist.insert(interest('orders.new', 'workers', b, 2));
    sublist.insert(interest('orders.new', 'audit', a));
    const out: MemberTarget[] = [];
    collectMemberTargets(sublist.match('orders.new'), ['workers', 'audit'], 1, out);
    expect(out.map((t) => t.memberId).sort()).toEqual(['a', 'b']);
    expect(a.queues).toEqual(['audit']);
    expect(b.queues).toEqual(['workers']);

    // The next message starts from empty queue lists; groups not named are skipped.
    out.length = 0;
    collectMemberTargets(sublist.match('orders.new'), [], 2, out);
    expect(out.map((t) => t.memberId)).toEqual(['a']);
    expect(a.queues).toEqual([]);
  });
});
