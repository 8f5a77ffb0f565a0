import { describe, expect, it } from 'vitest';
import type { InterestChange } from '@nats-ts/bus';
import { PeerInterest } from './peer-interest.js';

describe('PeerInterest', () => {
  it('announces plain interest once per peer and queue weights as deltas', () => {
    const announced: InterestChange[] = [];
    const peers = new PeerInterest<string>((change) => announced.push(change));
    expect(peers.add('r1', '$G', 'foo', undefined, 0)).toBe(true);
    peers.add('r1', '$G', 'foo', undefined, 0);
    peers.add('r2', '$G', 'foo', undefined, 0);
    peers.add('r1', '$G', 'work', 'q', 2);
    peers.add('r1', '$G', 'work', 'q', 5);
    peers.add('r1', '$G', 'work', 'q', 1);
    peers.remove('r1', '$G', 'work', 'q');
    peers.remove('r1', '$G', 'nothing', undefined);
    expect(announced).toEqual([
      { account: '$G', subject: 'foo', queue: undefined, weight: 1, add: true },
      { account: '$G', subject: 'foo', queue: undefined, weight: 1, add: true },
      { account: '$G', subject: 'work', queue: 'q', weight: 2, add: true },
      { account: '$G', subject: 'work', queue: 'q', weight: 3, add: true },
      { account: '$G', subject: 'work', queue: 'q', weight: 4, add: false },
      { account: '$G', subject: 'work', queue: 'q', weight: 1, add: false },
    ]);
  });

  it('removes all of a closed route\'s interest, and matches the others', () => {
    const announced: InterestChange[] = [];
    const peers = new PeerInterest<string>((change) => announced.push(change));
    peers.add('r1', '$G', 'a.*', undefined, 0);
    peers.add('r1', '$G', 'a.b', 'q', 3);
    peers.add('r2', '$G', 'a.b', undefined, 0);
    expect([...peers.subscriptionsOf('r1').keys()]).toEqual(['$G a.*', '$G a.b q']);
    announced.length = 0;
    peers.removeRoute('r1');
    expect(announced).toEqual([
      { account: '$G', subject: 'a.*', queue: undefined, weight: 1, add: false },
      { account: '$G', subject: 'a.b', queue: 'q', weight: 3, add: false },
    ]);
    expect(peers.subscriptionsOf('r1').size).toBe(0);
    const result = peers.match('$G', 'a.b')!;
    expect(result.plain.map((s) => s.route)).toEqual(['r2']);
    expect(result.queues).toEqual([]);
    expect(peers.add('r2', '$G', 'bad..subject', undefined, 0)).toBe(false);
  });
});
