// A mixed cluster: nats-ts and the reference nats-server 2.9.10 in one full mesh, each seeded
// through a server of the other kind, exchanging interest and messages both ways.
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllServers, type RunningServer } from './support/servers.js';
import {
  CLUSTER_NAME,
  Received,
  clusterUrl,
  connectTo,
  eventually,
  getJson,
  sleep,
  startClusterMember,
  waitForMesh,
  waitForRouteInterest,
} from './cluster-helpers.js';

describe('mixed cluster of nats-ts and nats-server', () => {
  let ts1: RunningServer;
  let ref: RunningServer;
  let ts2: RunningServer;
  let servers: RunningServer[];
  let conns: NatsConnection[];

  beforeAll(async () => {
    // nats-ts seed; nats-server joins it; a second nats-ts knows only the nats-server and meets the
    // first through nats-server's gossip.
    ts1 = await startClusterMember('nats-ts');
    ref = await startClusterMember('nats-server', { routes: [clusterUrl(ts1)] });
    ts2 = await startClusterMember('nats-ts', { routes: [clusterUrl(ref)] });
    servers = [ts1, ref, ts2];
    await waitForMesh(servers);
    conns = await Promise.all(servers.map((s) => connectTo(s)));
  });

  afterAll(async () => {
    await Promise.all((conns ?? []).map((nc) => nc.close()));
    await stopAllServers();
  });

  it('forms a full mesh through gossip across implementations', async () => {
    for (const server of servers) {
      const routez = await getJson(server, '/routez');
      const peers = (routez.routes as Record<string, string>[]).map((r) => r.remote_id).sort();
      const others = await Promise.all(servers.filter((s) => s !== server).map(async (s) => (await getJson(s, '/varz')).server_id as string));
      expect(peers).toEqual(others.sort());
    }
    for (const nc of conns) {
      expect(nc.info!.cluster).toBe(CLUSTER_NAME);
      expect([...(nc.info!.connect_urls ?? [])].sort()).toEqual(servers.map((s) => `127.0.0.1:${s.port}`).sort());
    }
  });

  it('delivers from every server to subscribers on every other, with headers, exactly once', async () => {
    const inboxes = conns.map((nc) => new Received(nc, 'mix.*'));
    await Promise.all(conns.map((nc) => nc.flush()));
    await waitForRouteInterest(servers, 'mix.*');
    conns.forEach((nc, i) => {
      const h = headers();
      h.set('X-Origin', String(i));
      nc.publish(`mix.${i}`, `from ${i}`, { headers: h });
      nc.publish(`mix.${i}`, `plain ${i}`);
    });
    await Promise.all(conns.map((nc) => nc.flush()));
    for (const inbox of inboxes) await inbox.waitFor(6);
    await sleep(200);
    for (const inbox of inboxes) {
      expect([...inbox.texts].sort()).toEqual(['from 0', 'from 1', 'from 2', 'plain 0', 'plain 1', 'plain 2']);
      for (const msg of inbox.messages) {
        if (msg.string().startsWith('from')) expect(msg.headers?.get('X-Origin')).toBe(msg.subject.slice(4));
        else expect(msg.headers).toBeUndefined();
      }
      inbox.subscription.unsubscribe();
    }
  });

  it('answers requests across implementations in both directions', async () => {
    const [c1, cRef, c2] = conns as [NatsConnection, NatsConnection, NatsConnection];
    cRef.subscribe('ref.svc', {
      callback: (_e, m) => {
        m.respond(`ref got ${m.string()}`);
      },
    });
    c1.subscribe('ts.svc', {
      callback: (_e, m) => {
        m.respond(`ts got ${m.string()}`, { headers: m.headers });
      },
    });
    await Promise.all([cRef.flush(), c1.flush()]);
    await waitForRouteInterest([ts1, ts2], 'ref.svc');
    await waitForRouteInterest([ref, ts2], 'ts.svc');
    expect((await c1.request('ref.svc', 'a', { timeout: 3000 })).string()).toBe('ref got a');
    expect((await c2.request('ref.svc', 'b', { timeout: 3000 })).string()).toBe('ref got b');
    const h = headers();
    h.set('X-Trace', 't1');
    const reply = await cRef.request('ts.svc', 'c', { timeout: 3000, headers: h });
    expect(reply.string()).toBe('ts got c');
    expect(reply.headers?.get('X-Trace')).toBe('t1');
  });

  it('keeps queue groups exactly once across both implementations', async () => {
    const members = conns.map((nc) => new Received(nc, 'mix.jobs', { queue: 'q' }));
    await Promise.all(conns.map((nc) => nc.flush()));
    await eventually(async () => {
      for (const server of servers) {
        const routez = await getJson(server, '/routez?subs=1');
        const hearing = (routez.routes as Record<string, string[] | undefined>[]).filter((r) => (r.subscriptions_list ?? []).includes('mix.jobs'));
        expect(hearing).toHaveLength(2);
      }
    });
    // Each server publishes 200: nats-server spreads its own over the cluster, nats-ts prefers its local member.
    conns.forEach((nc, i) => {
      for (let n = 0; n < 200; n++) nc.publish('mix.jobs', `${i}-${n}`);
    });
    await Promise.all(conns.map((nc) => nc.flush()));
    await eventually(() => expect(members.reduce((n, m) => n + m.messages.length, 0)).toBe(600));
    await sleep(300);
    const all = members.flatMap((m) => m.texts);
    expect(all).toHaveLength(600);
    expect(new Set(all).size).toBe(600);
    // nats-server picked members on the nats-ts servers for some of its messages.
    const fromRef = (m: Received) => m.texts.filter((t) => t.startsWith('1-')).length;
    expect(fromRef(members[0]!) + fromRef(members[2]!)).toBeGreaterThan(0);
    for (const m of members) m.subscription.unsubscribe();
  });

  it('withdraws interest across implementations when subscribers leave', async () => {
    const [c1, cRef] = conns as [NatsConnection, NatsConnection];
    const sub = new Received(cRef, 'gone.soon');
    await cRef.flush();
    await waitForRouteInterest([ts1, ts2], 'gone.soon');
    sub.subscription.unsubscribe();
    await cRef.flush();
    await waitForRouteInterest([ts1, ts2], 'gone.soon', false);
    const ts = new Received(c1, 'gone.too');
    await c1.flush();
    await waitForRouteInterest([ref], 'gone.too');
    ts.subscription.unsubscribe();
    await c1.flush();
    await waitForRouteInterest([ref], 'gone.too', false);
  });
});
