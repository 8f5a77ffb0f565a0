import { describe, expect, it } from 'vitest';
import type { RouterOrigin, SubscriberEntry } from '@nats-ts/routing';
import { InProcessBus } from './in-process.js';
import { RecordingMember } from './recording-member.test-support.js';

/** An internal subscriber (such as the stream-store's API) in the process's router. */
class InternalSubscriber implements SubscriberEntry {
  readonly kind = 'internal';
  readonly link = undefined;
  readonly queue = undefined;
  owner = '';
  weight = 1;
  readonly got: string[] = [];
  constructor(readonly subject: string) {}
  accepts(): boolean {
    return true;
  }
  deliver(subject: string, _reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    this.got.push(`${subject} ${Buffer.from(data.subarray(start + headerSize, end)).toString()}`);
  }
}

async function node() {
  const bus = new InProcessBus();
  const store = await bus.join({ nodeId: 'n', role: 'stream-store', version: '0', routed: true }, { memberJoined() {}, memberLeft() {} });
  const client = await bus.join({ nodeId: 'n', role: 'client-gateway', version: '0', routed: true }, { memberJoined() {}, memberLeft() {} });
  const leaf = new RecordingMember();
  leaf.endpoint = await bus.join({ nodeId: 'n', role: 'leaf-proxy', version: '0' }, leaf);
  return { store, client, leaf };
}

describe('the process router on the bus', () => {
  it('gives an internal subscriber what clients publish and what a member that announces interest sends it', async () => {
    const { store, client, leaf } = await node();
    const internal = new InternalSubscriber('$JS.API.>');
    store.subscribe('$G', internal);
    // The member that keeps its own tally hears the subscription as the store's interest.
    expect(leaf.interests).toEqual(['+$G $JS.API.> 1']);
    const origin: RouterOrigin = { originKind: 'client', originMember: client.self.memberId };
    const data = Buffer.from('{}');
    client.router.publish(client.router.account('$G'), origin, '$JS.API.INFO', '_INBOX.1', 0, data, 0, data.length, undefined);
    leaf.endpoint.send(leaf.memberIdOf('stream-store'), { account: '$G', subject: '$JS.API.STREAM.NAMES', headerSize: 0, data: Buffer.from('x'), originMemberId: leaf.endpoint.self.memberId });
    expect(internal.got).toEqual(['$JS.API.INFO {}', '$JS.API.STREAM.NAMES x']);
  });

  it("routes to a member's announced interest by sending it the message, once, naming its queue groups", async () => {
    const { client, leaf } = await node();
    leaf.endpoint.announceInterest({ account: '$G', subject: 'a.*', weight: 1, add: true });
    leaf.endpoint.announceInterest({ account: '$G', subject: 'a.b', queue: 'q', weight: 2, add: true });
    const origin: RouterOrigin = { originKind: 'client', originMember: client.self.memberId };
    const data = Buffer.from('hi');
    client.router.publish(client.router.account('$G'), origin, 'a.b', undefined, 0, data, 0, data.length, undefined);
    expect(leaf.messages).toEqual([{ subject: 'a.b', payload: 'hi', queues: ['q'] }]);
    await leaf.endpoint.close();
    expect(client.router.publish(client.router.account('$G'), origin, 'a.b', undefined, 0, data, 0, data.length, undefined)).toBe(false);
  });
});
