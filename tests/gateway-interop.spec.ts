// A super-cluster of a nats-ts cluster and a nats-server 2.9 cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers } from '@nats-io/transport-node';
import { ClientPool, Received, eventually, sleep } from './cluster-helpers.js';
import { launchSuperCluster, waitForGatewayInterest, waitForGateways } from './gateway-helpers.js';
import { stopAllServers, type RunningServer } from './support/servers.js';

describe('super-cluster of a nats-ts cluster (A) and a nats-server cluster (B)', () => {
  let servers: RunningServer[] = [];
  const clients = new ClientPool(() => servers);
  const connectToServer = (i: number) => clients.open(i);

  beforeAll(async () => {
    const launched = await launchSuperCluster([
      { name: 'A', target: 'nats-ts', size: 2 },
      { name: 'B', target: 'nats-server', size: 2 },
    ]);
    servers = launched.servers;
    await waitForGateways(servers, launched.planned.map((p) => p.cluster));
  }, 60_000);

  afterAll(async () => {
    await clients.closeAll();
    await stopAllServers();
  });

  it('delivers messages both ways, with headers, once per subscriber', async () => {
    const a2 = await connectToServer(1);
    const b2 = await connectToServer(3);
    const onA2 = new Received(a2, 'i.to.a');
    const onB2 = new Received(b2, 'i.to.b.*');
    await a2.flush();
    await b2.flush();
    await waitForGatewayInterest([servers[2]!, servers[3]!], 'A');
    await waitForGatewayInterest([servers[0]!, servers[1]!], 'B');
    const a1 = await connectToServer(0);
    const b1 = await connectToServer(2);
    for (let i = 0; i < 100; i++) {
      a1.publish('i.to.b.x', `a${i}`);
      b1.publish('i.to.a', `b${i}`);
    }
    await onA2.waitFor(100);
    await onB2.waitFor(100);
    await sleep(300);
    expect(onA2.texts).toEqual(Array.from({ length: 100 }, (_, i) => `b${i}`));
    expect(onB2.texts).toEqual(Array.from({ length: 100 }, (_, i) => `a${i}`));
    const h = headers();
    h.set('X-Origin', 'A');
    a1.publish('i.to.b.h', 'with header', { headers: h });
    const h2 = headers();
    h2.set('X-Origin', 'B');
    b1.publish('i.to.a', 'with header', { headers: h2 });
    await onB2.waitFor(101);
    await onA2.waitFor(101);
    expect(onB2.messages[100]!.headers?.get('X-Origin')).toBe('A');
    expect(onA2.messages[100]!.headers?.get('X-Origin')).toBe('B');
  });

  it('logs no protocol errors on either side', () => {
    for (const server of servers) expect(server.output()).not.toMatch(/parser ERROR|Protocol Violation|Parse Error|Authorization Violation/i);
  });

  it('answers requests both ways across the gateway', async () => {
    const a2 = await connectToServer(1);
    const b2 = await connectToServer(3);
    a2.subscribe('svc.a', {
      callback: (_e, msg) => {
        msg.respond(`a:${msg.string()}`);
      },
    });
    b2.subscribe('svc.b', {
      callback: (_e, msg) => {
        msg.respond(`b:${msg.string()}`);
      },
    });
    await a2.flush();
    await b2.flush();
    const a1 = await connectToServer(0);
    const b1 = await connectToServer(2);
    await eventually(async () => expect((await a1.request('svc.b', 'x', { timeout: 500 })).string()).toBe('b:x'));
    await eventually(async () => expect((await b1.request('svc.a', 'y', { timeout: 500 })).string()).toBe('a:y'));
    for (let i = 0; i < 20; i++) {
      expect((await a1.request('svc.b', `${i}`, { timeout: 2000 })).string()).toBe(`b:${i}`);
      expect((await b1.request('svc.a', `${i}`, { timeout: 2000 })).string()).toBe(`a:${i}`);
    }
  });

  it('prefers the local cluster for queue groups and fails over to the other (never twice)', async () => {
    const a2 = await connectToServer(1);
    const b1 = await connectToServer(2);
    const local = new Received(a2, 'iq', { queue: 'g' });
    const remote = new Received(b1, 'iq', { queue: 'g' });
    await a2.flush();
    await b1.flush();
    await waitForGatewayInterest([servers[0]!], 'B');
    await sleep(300);
    const a1 = await connectToServer(0);
    for (let i = 0; i < 100; i++) a1.publish('iq', `p${i}`);
    await eventually(() => expect(local.messages.length).toBe(100));
    expect(remote.messages.length).toBe(0);
    local.subscription.unsubscribe();
    await a2.flush();
    await sleep(500);
    for (let i = 0; i < 100; i++) a1.publish('iq', `q${i}`);
    await eventually(() => expect(remote.messages.length).toBe(100));
    // From the nats-server side: its own member, then ours.
    const b2 = await connectToServer(3);
    for (let i = 0; i < 50; i++) b2.publish('iq', `r${i}`);
    await eventually(() => expect(remote.messages.length).toBe(150));
    expect(local.messages.length).toBe(100);
  });
});
