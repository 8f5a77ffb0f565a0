// Super-clusters of nats-ts servers: two clusters of two servers joined by gateways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, Received, connectTo, eventually, getJson, sleep } from './cluster-helpers.js';
import { gatewayConfig, launchSuperCluster, waitForGatewayInterest, waitForGateways, withFreePorts } from './gateway-helpers.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

describe('super-cluster of two nats-ts clusters', () => {
  let servers: RunningServer[] = [];
  let clusters: string[] = [];
  const clients = new ClientPool(() => servers);
  const connectToServer = (i: number) => clients.open(i);

  beforeAll(async () => {
    const launched = await launchSuperCluster([
      { name: 'A', target: 'nats-ts', size: 2 },
      { name: 'B', target: 'nats-ts', size: 2 },
    ]);
    clusters = launched.planned.map((p) => p.cluster);
    servers = launched.servers;
    await waitForGateways(servers, clusters);
  }, 60_000);

  afterAll(async () => {
    await clients.closeAll();
    await stopAllServers();
  });

  it('serves /gatewayz and the /varz gateway block with nats-server field names', async () => {
    const gatewayz = await getJson(servers[0]!, '/gatewayz?accs=1');
    expect(gatewayz.name).toBe('A');
    expect(gatewayz.outbound_gateways.B.configured).toBe(true);
    expect(gatewayz.outbound_gateways.B.connection).toMatchObject({ cid: expect.any(Number), name: expect.any(String), rtt: expect.any(String) });
    expect(gatewayz.outbound_gateways.B.accounts).toContainEqual(expect.objectContaining({ name: '$G', interest_mode: 'Interest-Only' }));
    // B's servers each dial one server of A: the inbound connections are spread over A.
    await eventually(async () => {
      const inbound = await Promise.all([servers[0]!, servers[1]!].map(async (s) => (await getJson(s, '/gatewayz')).inbound_gateways.B?.length ?? 0));
      expect(inbound[0]! + inbound[1]!).toBe(2);
    });
    const varz = await getJson(servers[0]!, '/varz');
    expect(varz.gateway).toMatchObject({ name: 'A', port: expect.any(Number), gateways: expect.arrayContaining([expect.objectContaining({ name: 'B' })]) });
  });

  it('delivers messages across clusters both ways, once per subscriber', async () => {
    const b2 = await connectToServer(3);
    const a2 = await connectToServer(1);
    const onB2 = new Received(b2, 'x.to.b');
    const onA2 = new Received(a2, 'x.to.a');
    await b2.flush();
    await a2.flush();
    await waitForGatewayInterest([servers[0]!, servers[1]!], 'B');
    await waitForGatewayInterest([servers[2]!, servers[3]!], 'A');
    const a1 = await connectToServer(0);
    const b1 = await connectToServer(2);
    for (let i = 0; i < 50; i++) {
      a1.publish('x.to.b', `m${i}`);
      b1.publish('x.to.a', `m${i}`);
    }
    await onB2.waitFor(50);
    await onA2.waitFor(50);
    await sleep(300);
    expect(onB2.texts).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(onA2.texts).toHaveLength(50);
  });

  it('answers requests across clusters (replies mapped with _GR_. and back)', async () => {
    const b2 = await connectToServer(3);
    b2.subscribe('svc.echo', {
      callback: (_err, msg) => {
        msg.respond(`echo:${msg.string()}`);
      },
    });
    await b2.flush();
    const a1 = await connectToServer(0);
    await eventually(async () => {
      const reply = await a1.request('svc.echo', 'hi', { timeout: 500 });
      expect(reply.string()).toBe('echo:hi');
    });
    for (let i = 0; i < 20; i++) expect((await a1.request('svc.echo', `r${i}`, { timeout: 2000 })).string()).toBe(`echo:r${i}`);
  });

  it('keeps queue groups in the publisher\'s cluster, fails over, and comes back (never twice)', async () => {
    const a2 = await connectToServer(1);
    const b1 = await connectToServer(2);
    const local = new Received(a2, 'work', { queue: 'workers' });
    const remote = new Received(b1, 'work', { queue: 'workers' });
    await a2.flush();
    await b1.flush();
    await waitForGatewayInterest([servers[0]!], 'B');
    const a1 = await connectToServer(0);
    const publish = async (n: number, tag: string) => {
      for (let i = 0; i < n; i++) a1.publish('work', `${tag}${i}`);
      await a1.flush();
    };
    // Local member (through a route) preferred over the other cluster's.
    await eventually(async () => {
      await publish(1, 'probe');
      expect(local.messages.length).toBeGreaterThan(0);
    });
    await sleep(200);
    const before = { local: local.messages.length, remote: remote.messages.length };
    await publish(200, 'a');
    await eventually(() => expect(local.messages.length - before.local).toBe(200));
    expect(remote.messages.length).toBe(before.remote);

    // The last member in cluster A leaves: traffic fails over to cluster B.
    local.subscription.unsubscribe();
    await a2.flush();
    await eventually(async () => {
      const start = remote.messages.length;
      await publish(1, 'probe');
      await sleep(100);
      expect(remote.messages.length).toBeGreaterThan(start);
    });
    const remoteBefore = remote.messages.length;
    await publish(200, 'b');
    await eventually(() => expect(remote.messages.length - remoteBefore).toBe(200));

    // A member comes back in cluster A: traffic returns.
    const back = new Received(a1, 'work', { queue: 'workers' });
    await a1.flush();
    await sleep(300);
    const remoteNow = remote.messages.length;
    await publish(200, 'c');
    await eventually(() => expect(back.messages.length).toBe(200));
    expect(remote.messages.length).toBe(remoteNow);

    const all = [...local.texts, ...remote.texts, ...back.texts].filter((t) => !t.startsWith('probe'));
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(600);
  });
});

describe('gateway discovery', () => {
  afterAll(stopAllServers);

  it('connects clusters that only know a third one, through its gossip to inbound gateways', async () => {
    const url = (port: number) => [`nats://127.0.0.1:${port}`];
    const start = (cluster: string, port: number, gateways: Record<string, string[]>) =>
      startServer('nats-ts', gatewayConfig({ target: 'nats-ts', cluster, gatewayPort: port, clusterPort: -1, routes: [], gateways }));
    const [a, b, c] = await withFreePorts(3, async ([ga, gb, gc]) => {
      const started = await Promise.allSettled([
        start('A', ga!, { B: url(gb!), C: url(gc!) }),
        start('B', gb!, { A: url(ga!) }),
        start('C', gc!, { A: url(ga!) }),
      ]);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed === undefined) return started.map((r) => (r as PromiseFulfilledResult<RunningServer>).value);
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    });
    await waitForGateways([a, b, c], ['A', 'B', 'C']);
    const nc = await connectTo(c);
    const nb = await connectTo(b);
    try {
      const got = new Received(nc, 'b.to.c');
      await nc.flush();
      await eventually(async () => {
        nb.publish('b.to.c', 'hi');
        await nb.flush();
        expect(got.messages.length).toBeGreaterThan(0);
      });
    } finally {
      await nc.close();
      await nb.close();
    }
  });
});
