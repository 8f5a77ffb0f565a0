// Three servers of one implementation joined by routes from different seed lists: the mesh,
// interest propagation, delivery across routes, monitoring. Checked against nats-server 2.9.10.
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, type RunningServer } from './support/servers.js';
import {
  CLUSTER_NAME,
  Received,
  clusterPort,
  clusterUrl,
  connectTo,
  eventually,
  freePort,
  getJson,
  sleep,
  startClusterMember,
  waitForMesh,
  waitForRouteInterest,
} from './cluster-helpers.js';

describeEachTarget('cluster mesh', (target) => {
  let a: RunningServer;
  let b: RunningServer;
  let c: RunningServer;
  const connections: NatsConnection[] = [];
  let ncA: NatsConnection;
  let ncB: NatsConnection;
  let ncC: NatsConnection;

  beforeAll(async () => {
    // A knows nobody, B knows A, C knows only B: C and A meet through gossip.
    a = await startClusterMember(target);
    b = await startClusterMember(target, { routes: [clusterUrl(a)] });
    c = await startClusterMember(target, { routes: [clusterUrl(b)] });
    await waitForMesh([a, b, c]);
    [ncA, ncB, ncC] = await Promise.all([a, b, c].map((s) => connectTo(s)));
    connections.push(ncA, ncB, ncC);
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
  });

  it('forms a full mesh from different seed lists, shown by /routez and /varz', async () => {
    const routezC = await getJson(c, '/routez');
    const varzA = await getJson(a, '/varz');
    const varzB = await getJson(b, '/varz');
    expect(routezC.num_routes).toBe(2);
    const solicited = (routezC.routes as Record<string, unknown>[]).filter((r) => r.did_solicit);
    expect(solicited.length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(routezC.routes[0])).toEqual(
      expect.arrayContaining(['rid', 'remote_id', 'did_solicit', 'is_configured', 'ip', 'port', 'start', 'last_activity', 'rtt', 'uptime', 'idle', 'pending_size', 'in_msgs', 'out_msgs', 'in_bytes', 'out_bytes', 'subscriptions']),
    );
    expect(varzA.routes).toBe(2);
    expect(varzA.cluster).toMatchObject({ name: CLUSTER_NAME, addr: '127.0.0.1', cluster_port: clusterPort(a) });
    expect(varzA.cluster).not.toHaveProperty('urls');
    expect(varzB.cluster.urls).toEqual([`127.0.0.1:${clusterPort(a)}`]);
  });

  it('gives clients the cluster name and every server\'s client URL in INFO', async () => {
    for (const [nc, own] of [[ncA, a], [ncB, b], [ncC, c]] as const) {
      const info = nc.info!;
      expect(info.cluster).toBe(CLUSTER_NAME);
      expect(info.connect_urls?.[0]).toBe(`127.0.0.1:${own.port}`);
      expect([...(info.connect_urls ?? [])].sort()).toEqual([a, b, c].map((s) => `127.0.0.1:${s.port}`).sort());
    }
  });

  it('delivers across routes once per subscriber, never back, and only where there is interest', async () => {
    const inboxes = [ncA, ncB, ncC].map((nc) => new Received(nc, 'mesh.>'));
    await Promise.all([ncA, ncB, ncC].map((nc) => nc.flush()));
    await waitForRouteInterest([a, b, c], 'mesh.>');
    for (let i = 0; i < 20; i++) ncA.publish(`mesh.a.${i}`, `a${i}`);
    for (let i = 0; i < 20; i++) ncC.publish(`mesh.c.${i}`, `c${i}`);
    await Promise.all([ncA.flush(), ncC.flush()]);
    for (const inbox of inboxes) await inbox.waitFor(40);
    await sleep(200);
    for (const inbox of inboxes) {
      expect(inbox.messages).toHaveLength(40);
      expect(new Set(inbox.texts).size).toBe(40);
    }
    // Messages nobody subscribed to stay on A (nats-server's own system traffic may add a few).
    const routedBy = async (server: RunningServer): Promise<number> =>
      ((await getJson(server, '/routez')).routes as Record<string, number>[]).reduce((n, r) => n + r.out_msgs, 0);
    const before = await routedBy(a);
    for (let i = 0; i < 200; i++) ncA.publish('nobody.listens', 'x');
    await ncA.flush();
    await sleep(200);
    expect((await routedBy(a)) - before).toBeLessThan(20);
    for (const inbox of inboxes) inbox.subscription.unsubscribe();
  });

  it('counts messages that come over routes in /varz in_msgs, and those sent on them in out_msgs', async () => {
    const inbox = new Received(ncB, 'counted.>');
    await ncB.flush();
    await waitForRouteInterest([a, c], 'counted.>');
    const varz = async (server: RunningServer): Promise<Record<string, number>> => (await getJson(server, '/varz')) as Record<string, number>;
    const [a0, b0] = [await varz(a), await varz(b)];
    for (let i = 0; i < 10; i++) ncA.publish(`counted.${i}`, 'x');
    await ncA.flush();
    await inbox.waitFor(10);
    await eventually(async () => {
      const [a1, b1] = [await varz(a), await varz(b)];
      // A took 10 from its client and sent 10 to B; B took 10 from the route and gave 10 to its client.
      expect(a1.in_msgs! - a0.in_msgs!).toBeGreaterThanOrEqual(10);
      expect(a1.out_msgs! - a0.out_msgs!).toBeGreaterThanOrEqual(10);
      expect(b1.in_msgs! - b0.in_msgs!).toBeGreaterThanOrEqual(10);
      expect(b1.out_msgs! - b0.out_msgs!).toBeGreaterThanOrEqual(10);
    });
    inbox.subscription.unsubscribe();
  });

  it('carries requests, replies and headers across routes', async () => {
    ncC.subscribe('svc.echo', {
      callback: (_err, msg) => {
        const h = headers();
        h.set('X-From', 'c');
        msg.respond(`echo ${msg.string()} ${msg.headers?.get('X-Req') ?? ''}`, { headers: h });
      },
    });
    await ncC.flush();
    await waitForRouteInterest([a], 'svc.echo');
    const h = headers();
    h.set('X-Req', 'r1');
    const reply = await ncA.request('svc.echo', 'ping', { timeout: 3000, headers: h });
    expect(reply.string()).toBe('echo ping r1');
    expect(reply.headers?.get('X-From')).toBe('c');
  });

  it('spreads a queue group over the cluster, each message to one member', async () => {
    const members = [new Received(ncB, 'jobs', { queue: 'workers' }), new Received(ncB, 'jobs', { queue: 'workers' }), new Received(ncC, 'jobs', { queue: 'workers' })];
    await Promise.all([ncB.flush(), ncC.flush()]);
    await waitForRouteInterest([a], 'jobs');
    // B's two members make its route weight 2: A must see both servers' members before publishing.
    await eventually(async () => {
      const detail = await getJson(a, '/routez?subs=detail');
      const weights = (detail.routes as Record<string, any>[]).flatMap((r) => (r.subscriptions_list_detail ?? []) as Record<string, string>[]).filter((s) => s.subject === 'jobs');
      expect(weights).toHaveLength(2);
    });
    for (let i = 0; i < 300; i++) ncA.publish('jobs', String(i));
    await ncA.flush();
    await eventually(() => expect(members.reduce((n, m) => n + m.messages.length, 0)).toBe(300));
    await sleep(200);
    const all = members.flatMap((m) => m.texts);
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    // From A, which has no member, both servers get a share.
    expect(members[0]!.messages.length + members[1]!.messages.length).toBeGreaterThan(0);
    expect(members[2]!.messages.length).toBeGreaterThan(0);
    for (const m of members) m.subscription.unsubscribe();
  });

  it('honours auto-unsubscribe across routes and withdraws the interest', async () => {
    const limited = new Received(ncB, 'auto.unsub', { max: 2 });
    await ncB.flush();
    await waitForRouteInterest([a], 'auto.unsub');
    for (let i = 0; i < 5; i++) ncA.publish('auto.unsub', String(i));
    await ncA.flush();
    await limited.waitFor(2);
    await waitForRouteInterest([a, c], 'auto.unsub', false);
    expect(limited.texts).toEqual(['0', '1']);
  });

  it('keeps one route per pair when two servers dial each other at once', async () => {
    const [px, py] = [await freePort(), await freePort()];
    const [x, y] = await Promise.all([
      startClusterMember(target, { clusterPort: px, routes: [`nats-route://127.0.0.1:${py}`] }),
      startClusterMember(target, { clusterPort: py, routes: [`nats-route://127.0.0.1:${px}`] }),
    ]);
    await waitForMesh([x, y]);
    // Duplicates are closed (and possibly redialed) for a while; the pair settles on one route.
    await sleep(2500);
    await waitForMesh([x, y]);
    const [ncX, ncY] = await Promise.all([connectTo(x), connectTo(y)]);
    const inbox = new Received(ncY, 'pair');
    await ncY.flush();
    await waitForRouteInterest([x], 'pair');
    ncX.publish('pair', 'once');
    await ncX.flush();
    await inbox.waitFor(1);
    await sleep(100);
    expect(inbox.texts).toEqual(['once']);
    await Promise.all([ncX.close(), ncY.close(), x.stop(), y.stop()]);
  });
});
