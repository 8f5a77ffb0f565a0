import { describe, expect, it } from 'vitest';
import { InProcessBus, type InterestChange } from '@nats-ts/bus';
import { RecordingLink as RecordingLeaf } from '@nats-ts/routing/test-support';
import { LinkInterest } from './link-interest.js';

async function setup() {
  const bus = new InProcessBus();
  const heard: InterestChange[] = [];
  await bus.join({ nodeId: 'n', role: 'client-gateway', version: '0' }, { memberJoined() {}, memberLeft() {}, interest: (_f, c) => heard.push(c) });
  const proxy = await bus.join({ nodeId: 'n', role: 'leaf-proxy', version: '0', routed: true }, { memberJoined() {}, memberLeft() {} });
  const deltas: string[] = [];
  const links = new LinkInterest<RecordingLeaf>(proxy, (conn, subject, queue, delta) => deltas.push(`${conn.account} ${subject}${queue !== undefined ? ` ${queue}` : ''} ${delta}`));
  return { heard, proxy, links, deltas };
}

describe('LinkInterest', () => {
  it("subscribes each LS+ into the router in the connection's account, and reports how the connection's interest moved", async () => {
    const { heard, proxy, links, deltas } = await setup();
    const leaf = new RecordingLeaf('ACC');
    expect(links.add(leaf, 'a', undefined, 0)).toBe(true);
    links.add(leaf, 'a', undefined, 0);
    links.add(leaf, 'w', 'q', 2);
    links.add(leaf, 'w', 'q', 5);
    expect(links.add(leaf, 'bad..subject', undefined, 0)).toBe(false);
    expect(deltas).toEqual(['ACC a 1', 'ACC w q 2', 'ACC w q 3']);
    expect(heard).toEqual([
      { account: 'ACC', subject: 'a', weight: 1, add: true },
      { account: 'ACC', subject: 'w', queue: 'q', weight: 2, add: true },
      { account: 'ACC', subject: 'w', queue: 'q', weight: 5, add: true },
    ]);
    expect([...links.subscriptionsOf(leaf).keys()]).toEqual(['a', 'w q']);
    const client = { originKind: 'client' as const, originMember: 'c' };
    proxy.router.publish(proxy.router.account('ACC'), client, 'w', undefined, 0, Buffer.from('x'), 0, 1, undefined);
    expect(leaf.sent).toEqual(['w q']);
  });

  it("removes an LS- and all of a closed connection's interest from the router", async () => {
    const { proxy, links, deltas } = await setup();
    const leaf = new RecordingLeaf('$G');
    links.add(leaf, 'a', undefined, 0);
    links.add(leaf, 'b', 'q', 3);
    links.remove(leaf, 'a', undefined);
    links.remove(leaf, 'nothing', undefined);
    links.removeConn(leaf);
    expect(deltas).toEqual(['$G a 1', '$G b q 3', '$G a -1', '$G b q -3']);
    expect(links.subscriptionsOf(leaf).size).toBe(0);
    expect(proxy.router.account('$G').sublist.count).toBe(0);
  });
});
