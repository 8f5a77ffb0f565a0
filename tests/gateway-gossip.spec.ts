// Gateway discovery inside clusters: every server learns the gateway URLs of its cluster peers
// (route INFO gateway_url, listed in its gateway INFO) and dials every remote cluster that one
// of its peers reached (gossip over routes). Run against nats-ts and the reference nats-server.
import { afterAll, describe, expect, it } from 'vitest';
import { Received, connectTo, eventually, getJson } from './cluster-helpers.js';
import { gatewayConfig, waitForGatewayInterest, waitForGateways, withFreePorts } from './gateway-helpers.js';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, stopAllServers, type RunningServer } from './support/servers.js';

describeEachTarget('gateway URLs gossiped over routes', (target) => {
  let servers: RunningServer[] = [];
  let gatewayPorts: number[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.stop())));

  it('connects every server of both clusters when only one server names the other cluster', async () => {
    // A1 and A2 form cluster A, B1 and B2 cluster B; only A1 lists a gateway (B1's URL).
    [servers, gatewayPorts] = await withFreePorts(8, async (ports) => {
      const [ga1, ga2, gb1, gb2, ca1, ca2, cb1, cb2] = ports as [number, number, number, number, number, number, number, number];
      const member = (cluster: string, gatewayPort: number, clusterPort: number, peerPort: number, gateways: Record<string, string[]>) =>
        startServer(
          target,
          gatewayConfig({ target, cluster, gatewayPort, clusterPort, routes: [`nats-route://127.0.0.1:${peerPort}`], gateways }),
        );
      const started = await Promise.allSettled([
        member('A', ga1, ca1, ca2, { B: [`nats://127.0.0.1:${gb1}`] }),
        member('A', ga2, ca2, ca1, {}),
        member('B', gb1, cb1, cb2, {}),
        member('B', gb2, cb2, cb1, {}),
      ]);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed === undefined) return [started.map((r) => (r as PromiseFulfilledResult<RunningServer>).value), [ga1, ga2, gb1, gb2]];
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    });
    await waitForGateways(servers, ['A', 'A', 'B', 'B'], 30_000);
    for (const server of servers) {
      const gatewayz = await getJson(server, '/gatewayz');
      const remote = gatewayz.name === 'A' ? 'B' : 'A';
      expect(gatewayz.outbound_gateways[remote].configured, `${gatewayz.name} → ${remote}`).toBe(gatewayz.name === 'A' && server === servers[0]);
    }
  }, 60_000);

  it('lists the gateway URLs of the whole cluster in its gateway INFO', async () => {
    const [ga1, ga2, gb1, gb2] = gatewayPorts as [number, number, number, number];
    const clusterUrls = { A: [`127.0.0.1:${ga1}`, `127.0.0.1:${ga2}`], B: [`127.0.0.1:${gb1}`, `127.0.0.1:${gb2}`] };
    const expected = [clusterUrls.A, clusterUrls.A, clusterUrls.B, clusterUrls.B];
    for (let i = 0; i < 4; i++) {
      await eventually(async () => {
        const raw = await RawClient.connect(gatewayPorts[i]!);
        try {
          expect(raw.info.gateway_url).toBe(expected[i]![i % 2]);
          expect([...(raw.info.gateway_urls as string[])].sort()).toEqual([...expected[i]!].sort());
        } finally {
          raw.close();
        }
      });
    }
  });

  it('carries messages between servers that were never configured with the other cluster', async () => {
    const onA2 = await connectTo(servers[1]!);
    const onB2 = await connectTo(servers[3]!);
    try {
      const got = new Received(onA2, 'gossip.to.a2');
      await onA2.flush();
      await waitForGatewayInterest([servers[3]!], 'A');
      onB2.publish('gossip.to.a2', 'hello');
      await got.waitFor(1);
      expect(got.texts).toEqual(['hello']);
    } finally {
      await onA2.close();
      await onB2.close();
    }
  });
});

describe.each([
  ['nats-ts', 'nats-server'],
  ['nats-server', 'nats-ts'],
] as const)('gateway gossip over a route from %s to %s', (first, second) => {
  afterAll(stopAllServers);

  it('each learns the other\'s gateway URL and dials the cluster the other reached', async () => {
    // Cluster A: A1 names cluster B, A2 names none; cluster B: a nats-server B1 that names none.
    // A2 advertises a gateway port nobody listens on, so B1 never reaches it: A2 can learn of
    // cluster B only from A1, over their route.
    const { servers, ports } = await withFreePorts(6, async (ports) => {
      const [ga1, ga2, gb1, ca1, ca2, unused] = ports as [number, number, number, number, number, number];
      const started = await Promise.allSettled([
        startServer(first, gatewayConfig({ target: first, cluster: 'A', gatewayPort: ga1, clusterPort: ca1, routes: [`nats-route://127.0.0.1:${ca2}`], gateways: { B: [`nats://127.0.0.1:${gb1}`] } })),
        startServer(
          second,
          gatewayConfig({
            target: second,
            cluster: 'A',
            gatewayPort: ga2,
            clusterPort: ca2,
            routes: [`nats-route://127.0.0.1:${ca1}`],
            gateways: {},
            gatewayExtra: `  advertise: "127.0.0.1:${unused}"`,
          }),
        ),
        startServer('nats-server', gatewayConfig({ target: 'nats-server', cluster: 'B', gatewayPort: gb1, clusterPort: -1, routes: [], gateways: {} })),
      ]);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed === undefined) return { servers: started.map((r) => (r as PromiseFulfilledResult<RunningServer>).value), ports };
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    });
    await waitForGateways(servers, ['A', 'A', 'B'], 30_000);
    expect((await getJson(servers[1]!, '/gatewayz')).outbound_gateways.B.configured).toBe(false);
    const [ga1, , , , , unused] = ports;
    const clusterA = [`127.0.0.1:${ga1}`, `127.0.0.1:${unused}`].sort();
    await eventually(async () => {
      const raw = await RawClient.connect(ga1!);
      try {
        expect([...(raw.info.gateway_urls as string[])].sort()).toEqual(clusterA);
      } finally {
        raw.close();
      }
    });
  }, 60_000);
});
