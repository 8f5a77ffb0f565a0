// Queue groups across a three-server cluster: 3,000 messages, each to exactly one member in the
// whole cluster, while a plain subscriber gets every one.
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, expect, it } from 'vitest';
import { describeEachTarget } from './support/servers.js';
import { Received, clusterUrl, connectTo, eventually, getJson, sleep, startClusterMember, waitForMesh } from './cluster-helpers.js';

describeEachTarget('cluster queue groups', (target) => {
  const connections: NatsConnection[] = [];
  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
  });

  it('delivers each of 3,000 messages to exactly one member of the group across three servers', async () => {
    const a = await startClusterMember(target);
    const b = await startClusterMember(target, { routes: [clusterUrl(a)] });
    const c = await startClusterMember(target, { routes: [clusterUrl(b)] });
    await waitForMesh([a, b, c]);
    const [ncA, ncB, ncC] = await Promise.all([a, b, c].map((s) => connectTo(s)));
    connections.push(ncA!, ncB!, ncC!);

    // No member on A: what A publishes must cross a route to one member on B or C.
    const members = [
      new Received(ncB!, 'orders', { queue: 'workers' }),
      new Received(ncB!, 'orders', { queue: 'workers' }),
      new Received(ncC!, 'orders', { queue: 'workers' }),
    ];
    const audit = new Received(ncC!, 'orders');
    await Promise.all([ncA!, ncB!, ncC!].map((nc) => nc.flush()));
    // Every server must know the group's members on the others before publishing.
    await eventually(async () => {
      for (const [server, withMembers] of [[a, 2], [b, 1], [c, 1]] as const) {
        const routez = await getJson(server, '/routez?subs=detail');
        const queueRoutes = (routez.routes as Record<string, any>[]).filter((r) =>
          ((r.subscriptions_list_detail ?? []) as Record<string, string>[]).some((s) => s.subject === 'orders' && s.qgroup === 'workers'),
        );
        expect(queueRoutes).toHaveLength(withMembers);
      }
    });

    // A third of the messages from each server.
    const publishers = [ncA!, ncB!, ncC!];
    for (let i = 0; i < 3000; i++) publishers[i % 3]!.publish('orders', String(i));
    await Promise.all(publishers.map((nc) => nc.flush()));
    await eventually(() => expect(members.reduce((n, m) => n + m.messages.length, 0)).toBe(3000), 20_000);
    await audit.waitFor(3000, 20_000);
    await sleep(500);

    const delivered = members.flatMap((m) => m.texts);
    expect(delivered).toHaveLength(3000);
    expect(new Set(delivered).size).toBe(3000);
    expect(audit.messages).toHaveLength(3000);
    // A's messages went to members on both B and C.
    const fromA = (m: Received): number => m.texts.filter((t) => Number(t) % 3 === 0).length;
    expect(fromA(members[0]!) + fromA(members[1]!)).toBeGreaterThan(0);
    expect(fromA(members[2]!)).toBeGreaterThan(0);
    expect(members.reduce((n, m) => n + fromA(m), 0)).toBe(1000);
  });
});
