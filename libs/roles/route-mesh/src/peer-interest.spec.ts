import { describe, expect, it } from 'vitest';
import { InProcessBus, type InterestChange } from '@nats-ts/bus';
import { RecordingLink as RecordingRoute } from '@nats-ts/routing/test-support';
import { PeerInterest } from './peer-interest.js';

async function setup() {
  const bus = new InProcessBus();
  const heard: InterestChange[] = [];
  await bus.join({ nodeId: 'n', role: 'client-gateway', version: '0' }, { memberJoined() {}, memberLeft() {}, interest: (_f, c) => heard.push(c) });
  const mesh = await bus.join({ nodeId: 'n', role: 'route-mesh', version: '0', routed: true }, { memberJoined() {}, memberLeft() {} });
  return { heard, mesh, peers: new PeerInterest<RecordingRoute>(mesh) };
}

describe('PeerInterest', () => {
  it('subscribes each RS+ into the router once, and the node hears plain interest once and queue weights', async () => {
    const { heard, mesh, peers } = await setup();
    const r1 = new RecordingRoute('r1');
    const r2 = new RecordingRoute('r2');
    expect(peers.add(r1, '$G', 'foo', undefined, 0)).toBe(true);
    peers.add(r1, '$G', 'foo', undefined, 0);
    peers.add(r2, '$G', 'foo', undefined, 0);
    peers.add(r1, '$G', 'work', 'q', 2);
    peers.add(r1, '$G', 'work', 'q', 5);
    peers.add(r1, '$G', 'work', 'q', 1);
    peers.remove(r1, '$G', 'work', 'q');
    peers.remove(r1, '$G', 'nothing', undefined);
    // What other members hear is the route-mesh's count per key.
    expect(heard).toEqual([
      { account: '$G', subject: 'foo', weight: 1, add: true },
      { account: '$G', subject: 'work', queue: 'q', weight: 2, add: true },
      { account: '$G', subject: 'work', queue: 'q', weight: 5, add: true },
      { account: '$G', subject: 'work', queue: 'q', weight: 1, add: true },
      { account: '$G', subject: 'work', queue: 'q', weight: 0, add: false },
    ]);
    expect(mesh.router.account('$G').sublist.count).toBe(2);
  });

  it("removes all of a closed route's interest from the router, and the others still get messages", async () => {
    const { mesh, peers } = await setup();
    const r1 = new RecordingRoute('r1');
    const r2 = new RecordingRoute('r2');
    peers.add(r1, '$G', 'a.*', undefined, 0);
    peers.add(r1, '$G', 'a.b', 'q', 3);
    peers.add(r2, '$G', 'a.b', undefined, 0);
    expect([...peers.subscriptionsOf(r1).keys()]).toEqual(['$G a.*', '$G a.b q']);
    peers.removeRoute(r1);
    expect(peers.subscriptionsOf(r1).size).toBe(0);
    const client = { originKind: 'client' as const, originMember: 'c' };
    mesh.router.publish(mesh.router.account('$G'), client, 'a.b', undefined, 0, Buffer.from('x'), 0, 1, undefined);
    expect(r1.sent).toEqual([]);
    expect(r2.sent).toEqual(['a.b']);
    expect(peers.add(r2, '$G', 'bad..subject', undefined, 0)).toBe(false);
  });
});
