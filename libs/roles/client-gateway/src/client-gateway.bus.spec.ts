import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { InProcessBus, type BusEndpoint, type BusHandlers, type BusMessage, type InterestChange, type MemberInfo } from '@nats-ts/bus';
import { loadOptions } from '@nats-ts/config';
import { Logger } from '@nats-ts/observability';
import { ClientGateway } from './client-gateway.js';

/** A second bus member standing in for a route, gateway or leaf role: it records what reaches it. */
class RecordingMember implements BusHandlers {
  readonly interests: InterestChange[] = [];
  readonly messages: { subject: string; payload: string; queues?: readonly string[]; header?: string }[] = [];
  endpoint!: BusEndpoint;
  memberJoined(_m: MemberInfo): void {}
  memberLeft(_m: MemberInfo): void {}
  interest(_from: MemberInfo, change: InterestChange): void {
    this.interests.push({ ...change });
  }
  message(_from: MemberInfo, msg: BusMessage): void {
    this.messages.push({
      subject: msg.subject,
      payload: Buffer.from(msg.data.subarray(msg.headerSize)).toString(),
      queues: msg.queues ? [...msg.queues] : undefined,
      header: msg.headerSize > 0 ? Buffer.from(msg.data.subarray(0, msg.headerSize)).toString() : undefined,
    });
  }
}

const gatewayMemberId = (peer: RecordingMember): string => peer.endpoint.members().find((m) => m.role === 'client-gateway')!.memberId;

describe('client-gateway on the bus', () => {
  let bus: InProcessBus;
  let gateway: ClientGateway;
  let peer: RecordingMember;
  let nc: NatsConnection;

  beforeEach(async () => {
    bus = new InProcessBus();
    const { options } = loadOptions(['-a', '127.0.0.1', '-p', '-1']);
    gateway = new ClientGateway({ options, logger: new Logger({ logtime: false }), bus, serverId: 'NTEST', compatVersion: '2.9.10', productVersion: 'test' });
    const bound = await gateway.start();
    peer = new RecordingMember();
    peer.endpoint = await bus.join({ nodeId: 'NTEST', role: 'route-mesh', version: 'test' }, peer);
    nc = await connect({ servers: `127.0.0.1:${bound.port}` });
  });

  afterEach(async () => {
    await nc.close();
    await peer.endpoint.close();
    await gateway.shutdown();
  });

  it('announces local interest once per subject and withdraws it with the last subscriber', async () => {
    const a = nc.subscribe('orders.*');
    const b = nc.subscribe('orders.*');
    nc.subscribe('work', { queue: 'g' });
    await nc.flush();
    expect(peer.interests).toEqual([
      { account: '$G', subject: 'orders.*', queue: undefined, weight: 1, add: true },
      { account: '$G', subject: 'work', queue: 'g', weight: 1, add: true },
    ]);
    a.unsubscribe();
    await nc.flush();
    expect(peer.interests).toHaveLength(2);
    b.unsubscribe();
    await nc.flush();
    expect(peer.interests[2]).toMatchObject({ subject: 'orders.*', add: false });
  });

  it('sends a published message once to a member with matching interest, with its headers', async () => {
    peer.endpoint.announceInterest({ account: '$G', subject: 'remote.>', weight: 1, add: true });
    peer.endpoint.announceInterest({ account: '$G', subject: 'remote.x', weight: 1, add: true });
    nc.publish('remote.x', 'hello');
    nc.publish('other', 'nobody');
    await nc.flush();
    expect(peer.messages).toEqual([{ subject: 'remote.x', payload: 'hello', queues: undefined, header: undefined }]);
  });

  it('delivers messages from the bus to local subscribers, and never back to the bus', async () => {
    peer.endpoint.announceInterest({ account: '$G', subject: 'in', weight: 1, add: true });
    const sub = nc.subscribe('in', { max: 1 });
    await nc.flush();
    peer.endpoint.send(gatewayMemberId(peer), { account: '$G', subject: 'in', headerSize: 0, data: Buffer.from('from-bus'), originMemberId: peer.endpoint.self.memberId });
    for await (const m of sub) expect(m.string()).toBe('from-bus');
    expect(peer.messages).toEqual([]);
  });

  it('prefers a local queue member; names the group when the member is chosen', async () => {
    peer.endpoint.announceInterest({ account: '$G', subject: 'jobs', queue: 'workers', weight: 1, add: true });
    nc.publish('jobs', 'first');
    await nc.flush();
    expect(peer.messages).toEqual([{ subject: 'jobs', payload: 'first', queues: ['workers'], header: undefined }]);

    const local = nc.subscribe('jobs', { queue: 'workers', max: 1 });
    await nc.flush();
    nc.publish('jobs', 'second');
    for await (const m of local) expect(m.string()).toBe('second');
    expect(peer.messages).toHaveLength(1);
  });

  it('with no local queue member, prefers one in this cluster (route) over one in another cluster (gateway)', async () => {
    const otherCluster = new RecordingMember();
    otherCluster.endpoint = await bus.join({ nodeId: 'NTEST', role: 'supercluster-gateway', version: 'test' }, otherCluster);
    try {
      otherCluster.endpoint.announceInterest({ account: '$G', subject: 'geo', queue: 'workers', weight: 1, add: true });
      peer.endpoint.announceInterest({ account: '$G', subject: 'geo', queue: 'workers', weight: 1, add: true });
      for (let i = 0; i < 20; i++) nc.publish('geo', `a${i}`);
      await nc.flush();
      expect(peer.messages).toHaveLength(20);
      expect(otherCluster.messages).toHaveLength(0);
      // The cluster's last member leaves: the other cluster gets the traffic.
      peer.endpoint.announceInterest({ account: '$G', subject: 'geo', queue: 'workers', weight: 1, add: false });
      for (let i = 0; i < 20; i++) nc.publish('geo', `b${i}`);
      await nc.flush();
      expect(peer.messages).toHaveLength(20);
      expect(otherCluster.messages.map((m) => m.queues)).toEqual(Array.from({ length: 20 }, () => ['workers']));
    } finally {
      await otherCluster.endpoint.close();
    }
  });

  it('delivers bus messages only to the queue groups the sender chose', async () => {
    const chosen = nc.subscribe('jobs', { queue: 'chosen', max: 1 });
    const other = nc.subscribe('jobs', { queue: 'other' });
    await nc.flush();
    peer.endpoint.send(gatewayMemberId(peer), {
      account: '$G',
      subject: 'jobs',
      headerSize: 0, data: Buffer.from('q'),
      originMemberId: peer.endpoint.self.memberId,
      queues: ['chosen'],
    });
    for await (const m of chosen) expect(m.string()).toBe('q');
    await nc.flush();
    expect(other.getProcessed()).toBe(0);
  });

  it('forgets a member’s interest when it leaves', async () => {
    peer.endpoint.announceInterest({ account: '$G', subject: 'gone', weight: 1, add: true });
    await peer.endpoint.close();
    await expect(nc.request('gone', 'x', { timeout: 1000 })).rejects.toThrow(/no responders|503/i);
    peer.endpoint = await bus.join({ nodeId: 'NTEST', role: 'route-mesh', version: 'test' }, peer);
  });
});
