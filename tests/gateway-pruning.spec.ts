// Interest pruning and reconnection on a gateway link, measured through a loopback proxy at which
// cluster B is listed and advertised, so the publishing cluster's (A) outbound gateway crosses it.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { Received, connectTo, eventually, getJson, sleep } from './cluster-helpers.js';
import { CountingProxy, launchSuperCluster, waitForGatewayInterest, waitForGateways } from './gateway-helpers.js';
import { stopAllServers, type RunningServer, type Target } from './support/servers.js';

const MESSAGES = 20_000;

const pairs: Array<[Target, Target]> = [
  ['nats-ts', 'nats-ts'],
  ['nats-ts', 'nats-server'],
  ['nats-server', 'nats-ts'],
];

describe.each(pairs)('gateway link from A [%s] to B [%s]', (targetA, targetB) => {
  let a: RunningServer;
  let b: RunningServer;
  let proxy: CountingProxy;
  const connections: NatsConnection[] = [];
  const open = async (server: RunningServer) => {
    const nc = await connectTo(server);
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    proxy = new CountingProxy();
    await proxy.start();
    // B is listed and advertised at the proxy, so every connection to B (configured or learned) goes through it.
    const launched = await launchSuperCluster(
      [
        { name: 'A', target: targetA, size: 1 },
        { name: 'B', target: targetB, size: 1 },
      ],
      (planned) => {
        const serverB = planned.find((p) => p.cluster === 'B')!;
        proxy.targetPort = serverB.gatewayPort;
        serverB.advertisedPort = proxy.port;
      },
    );
    [a, b] = launched.servers as [RunningServer, RunningServer];
    await waitForGateways([a, b], ['A', 'B']);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    await proxy.stop();
    await stopAllServers();
  });

  const dumpOnFailure = () =>
    onTestFailed(() => {
      for (const server of [a, b]) console.error(`--- ${server.target} output ---\n${server.output().slice(-4000)}`);
    });

  it(`puts next to nothing on the link for ${MESSAGES} messages nobody in B wants`, async () => {
    dumpOnFailure();
    const nb = await open(b);
    const wanted = new Received(nb, 'wanted');
    await nb.flush();
    await waitForGatewayInterest([a], 'B');
    const na = await open(a);
    await eventually(async () => {
      na.publish('wanted', 'probe');
      await na.flush();
      expect(wanted.messages.length).toBeGreaterThan(0);
    });
    await sleep(200);
    const before = proxy.bytesToTarget;
    const payload = 'x'.repeat(32);
    for (let i = 0; i < MESSAGES; i++) na.publish('nobody.wants', payload);
    // A message that is wanted, published last, marks when the unwanted ones would have crossed.
    const seen = wanted.messages.length;
    na.publish('wanted', 'marker');
    await na.flush();
    await wanted.waitFor(seen + 1);
    const pruned = proxy.bytesToTarget - before;
    expect(pruned, 'bytes on the link for unwanted messages').toBeLessThan(1_000);

    // The same traffic on a wanted subject does cross, for comparison.
    const wantedBefore = proxy.bytesToTarget;
    for (let i = 0; i < 1_000; i++) na.publish('wanted', payload);
    await na.flush();
    await wanted.waitFor(seen + 1 + 1_000);
    expect(proxy.bytesToTarget - wantedBefore).toBeGreaterThan(1_000 * payload.length);
  });

  it('reconnects a cut link, dropping and restoring its interest', async () => {
    dumpOnFailure();
    const nb = await open(b);
    const after = new Received(nb, 'after.cut');
    await nb.flush();
    await waitForGatewayInterest([a], 'B');
    proxy.cut();
    if (targetA === 'nats-ts') {
      // Meanwhile the peer's interest is gone with the connection.
      await eventually(async () => expect((await getJson(a, '/gatewayz')).outbound_gateways.B).toBeUndefined(), 5_000, 20);
    }
    await waitForGateways([a], ['A', 'B'], 20_000);
    await waitForGatewayInterest([a], 'B');
    const na = await open(a);
    await eventually(async () => {
      na.publish('after.cut', 'back');
      await na.flush();
      expect(after.messages.length).toBeGreaterThan(0);
    }, 10_000);
    // Exactly once per publish after the link is back (late probes aside).
    for (let i = 0; i < 100; i++) na.publish('after.cut', `m${i}`);
    await na.flush();
    const counted = () => after.texts.filter((t) => t.startsWith('m'));
    await eventually(() => expect(counted().length).toBeGreaterThanOrEqual(100));
    await sleep(200);
    expect(counted()).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
  });
});
