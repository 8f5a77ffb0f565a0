// Leaf nodes when things go wrong: the hub killed with -9 while the leaf's clients keep working
// among themselves, then restarted on the same address, after which traffic crosses again; a
// leaf listing several hub URLs fails over; a topology that loops is refused.
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { Received, clusterUrl, connectTo, eventually, freePort, getJson, sleep, startClusterMember, waitForMesh } from './cluster-helpers.js';
import { leafPort, publishUntilReceived, startHub, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { startServer, targets, type RunningServer, type Target } from './support/servers.js';

const HUBS: Target[] = (['nats-ts', 'nats-server'] as const).filter((t) => targets.includes(t));

describe.runIf(targets.includes('nats-ts')).each(HUBS)('leaf failover: %s hub, nats-ts leaf', (hubTarget) => {
  const connections: NatsConnection[] = [];
  const servers: RunningServer[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function client(server: RunningServer): Promise<NatsConnection> {
    const nc = await connectTo(server, { maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    connections.push(nc);
    return nc;
  }

  it('keeps serving local clients while the hub is down (kill -9), then reconnects to the restarted hub', async () => {
    const port = await freePort();
    let hub = await startHub(hubTarget, '', '', { port });
    servers.push(hub);
    const leaf = await startLeaf('nats-ts', [`{ url: "nats-leaf://127.0.0.1:${port}" }`]);
    servers.push(leaf);
    await waitForLeafs(leaf, 1);

    const a = await client(leaf);
    const b = await client(leaf);
    const fromHubBefore = new Received(a, 'down.stream');
    await a.flush();
    const onHub = await connectTo(hub);
    await publishUntilReceived(onHub, 'down.stream', 'before', fromHubBefore);
    await onHub.close();

    hub.signal('SIGKILL');
    await hub.waitExit();
    servers.splice(servers.indexOf(hub), 1);
    await waitForLeafs(leaf, 0);

    // Local service goes on: pub/sub, queue groups and request/reply among the leaf's clients.
    const local = new Received(b, 'local.news');
    const workers = [new Received(b, 'local.work', { queue: 'w' }), new Received(a, 'local.work', { queue: 'w' })];
    b.subscribe('local.svc', { callback: (_err, msg) => void msg.respond(`re ${msg.string()}`) });
    await b.flush();
    a.publish('local.news', 'while cut off');
    for (let i = 0; i < 50; i++) a.publish('local.work', `job-${i}`);
    await a.flush();
    await local.waitFor(1);
    expect((await a.request('local.svc', 'x', { timeout: 2000 })).string()).toBe('re x');
    await eventually(() => expect(workers[0]!.messages.length + workers[1]!.messages.length).toBe(50));

    // The hub comes back on the same address: the leaf reconnects and resends its interest.
    hub = await startHub(hubTarget, '', '', { port });
    servers.push(hub);
    await waitForLeafs(leaf, 1, 20_000);
    const onHubAgain = await client(hub);
    const fromHubAfter = new Received(a, 'down.stream');
    await a.flush();
    await publishUntilReceived(onHubAgain, 'down.stream', 'after', fromHubAfter);
    const toHub = new Received(onHubAgain, 'up.stream');
    await onHubAgain.flush();
    await publishUntilReceived(b, 'up.stream', 'up', toHub);
  });

  it('fails over between the hub URLs it lists', async () => {
    const first = await startHub(hubTarget);
    const second = await startHub(hubTarget);
    servers.push(first, second);
    const leaf = await startLeaf('nats-ts', [
      `{ urls: ["nats-leaf://127.0.0.1:${leafPort(first)}", "nats-leaf://127.0.0.1:${leafPort(second)}"] }`,
    ]);
    servers.push(leaf);
    await waitForLeafs(leaf, 1);
    await eventually(async () => {
      const connected = await Promise.all([first, second].map(async (s) => ((await (await fetch(`${s.httpUrl}/leafz`)).json()) as { leafnodes: number }).leafnodes));
      expect(connected[0]! + connected[1]!).toBe(1);
    });
    const firstCount = ((await (await fetch(`${first.httpUrl}/leafz`)).json()) as { leafnodes: number }).leafnodes;
    const [up, down] = firstCount === 1 ? [first, second] : [second, first];
    up.signal('SIGKILL');
    await up.waitExit();
    servers.splice(servers.indexOf(up), 1);
    await waitForLeafs(down, 1, 20_000);

    const onLeaf = await client(leaf);
    const onHub = await client(down);
    const inbox = new Received(onHub, 'after.failover');
    await onHub.flush();
    await publishUntilReceived(onLeaf, 'after.failover', 'here', inbox);
  });
});

describe.runIf(targets.includes('nats-ts')).each(HUBS)('leaf on a hub cluster: %s hub servers, nats-ts leaf', (hubTarget) => {
  const connections: NatsConnection[] = [];
  const servers: RunningServer[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('reaches clients on every hub server through routes, and fails over when its hub server dies', async () => {
    const [leafA, leafB] = [await freePort(), await freePort()];
    const a = await startClusterMember(hubTarget, { extra: `leafnodes {\n  listen: "127.0.0.1:${leafA}"\n}` });
    servers.push(a);
    const b = await startClusterMember(hubTarget, { routes: [clusterUrl(a)], extra: `leafnodes {\n  listen: "127.0.0.1:${leafB}"\n}` });
    servers.push(b);
    await waitForMesh([a, b]);
    const leaf = await startLeaf('nats-ts', [`{ urls: ["nats-leaf://127.0.0.1:${leafA}", "nats-leaf://127.0.0.1:${leafB}"] }`]);
    servers.push(leaf);
    await waitForLeafs(leaf, 1);
    const leafzA = await getJson(a, '/leafz');
    const [connected, other] = leafzA.leafnodes === 1 ? [a, b] : [b, a];

    // A client of the hub server the leaf is not connected to: interest and messages cross the route.
    const onOther = await connectTo(other);
    const onLeaf = await connectTo(leaf);
    connections.push(onOther, onLeaf);
    const atOther = new Received(onOther, 'cluster.up');
    const atLeaf = new Received(onLeaf, 'cluster.down');
    await onOther.flush();
    await onLeaf.flush();
    await publishUntilReceived(onLeaf, 'cluster.up', 'via route', atOther);
    await publishUntilReceived(onOther, 'cluster.down', 'via route', atLeaf);

    connected.signal('SIGKILL');
    await connected.waitExit();
    servers.splice(servers.indexOf(connected), 1);
    await waitForLeafs(other, 1, 20_000);
    await publishUntilReceived(onLeaf, 'cluster.up', 'after failover', atOther);
    await publishUntilReceived(onOther, 'cluster.down', 'after failover', atLeaf);
  });
});

describe.runIf(targets.includes('nats-ts'))('leaf loop detection', () => {
  const servers: RunningServer[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('refuses a loop with nats-server\'s error and delays the reconnect', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const config = (listen: number, other: number): string =>
      ['http: "127.0.0.1:-1"', 'leafnodes {', `  listen: "127.0.0.1:${listen}"`, '  reconnect: 1', `  remotes: [ { url: "nats-leaf://127.0.0.1:${other}" } ]`, '}'].join('\n');
    const a = await startServer('nats-ts', config(portA, portB));
    servers.push(a);
    const b = await startServer('nats-ts', config(portB, portA));
    servers.push(b);
    const pattern = /Loop detected for leafnode account="\$G"\. Delaying attempt to reconnect for 30s/;
    await Promise.race([a.waitForOutput(pattern, 15_000), b.waitForOutput(pattern, 15_000)]);
    // Both soliciting sides wait 30 s before trying again: no leaf connection comes back meanwhile.
    await waitForLeafs(a, 0);
    await waitForLeafs(b, 0);
    await sleep(3000);
    await waitForLeafs(a, 0, 0);
    await waitForLeafs(b, 0, 0);
  });
});
