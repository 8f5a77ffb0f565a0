// Failures in a cluster: a client told of the other servers (INFO connect_urls) fails over when
// its server is killed, and a server killed with -9 and restarted rejoins the mesh, which
// removes its interest while it is gone and resends interest when it is back.
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { describeEachTarget, type RunningServer } from './support/servers.js';
import {
  Received,
  clusterPort,
  clusterUrl,
  connectTo,
  eventually,
  getJson,
  startClusterMember,
  waitForMesh,
  waitForRouteInterest,
} from './cluster-helpers.js';

describeEachTarget('cluster failures', (target) => {
  const connections: NatsConnection[] = [];
  const servers: RunningServer[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function threeServers(): Promise<[RunningServer, RunningServer, RunningServer]> {
    const a = await startClusterMember(target);
    const b = await startClusterMember(target, { routes: [clusterUrl(a)] });
    const c = await startClusterMember(target, { routes: [clusterUrl(a)] });
    servers.push(a, b, c);
    await waitForMesh([a, b, c]);
    return [a, b, c];
  }

  async function client(server: RunningServer, options: Parameters<typeof connectTo>[1] = {}): Promise<NatsConnection> {
    const nc = await connectTo(server, options);
    connections.push(nc);
    return nc;
  }

  /** Publishes `text` every 100 ms until `inbox` has it. */
  async function publishUntilReceived(nc: NatsConnection, subject: string, text: string, inbox: Received): Promise<void> {
    await eventually(async () => {
      if (!inbox.texts.includes(text)) {
        nc.publish(subject, text);
        await nc.flush();
      }
      expect(inbox.texts).toContain(text);
    }, 15_000, 100);
  }

  it('lets a client given one URL fail over to a server it learned from connect_urls', async () => {
    const [a, b, c] = await threeServers();
    const nc = await client(a, { reconnectTimeWait: 100, maxReconnectAttempts: -1, reconnectJitter: 0 });
    // The servers may have met after the client connected: async INFO brings the others.
    await eventually(() => expect(nc.info?.connect_urls?.length).toBe(3));
    const inbox = new Received(nc, 'fail.over');
    await nc.flush();
    const publisher = await client(c);
    await waitForRouteInterest([c], 'fail.over');
    await publishUntilReceived(publisher, 'fail.over', 'before', inbox);

    const killedId = nc.info!.server_id;
    a.signal('SIGKILL');
    await a.waitExit();
    // While reconnecting the client has no INFO: wait for the new server's.
    await eventually(() => {
      expect(nc.info).toBeDefined();
      expect(nc.info!.server_id).not.toBe(killedId);
    }, 15_000);
    expect([`127.0.0.1:${b.port}`, `127.0.0.1:${c.port}`]).toContain(`127.0.0.1:${nc.info!.port}`);
    await publishUntilReceived(publisher, 'fail.over', 'after', inbox);
    expect(inbox.texts.filter((t) => t === 'before')).toHaveLength(1);
  });

  it('drops a killed peer\'s interest, and heals the mesh and resends interest when it restarts', async () => {
    const [a, b, c] = await threeServers();
    const ncA = await client(a);
    const ncB = await client(b);
    const ncC = await client(c);
    new Received(ncA, 'heal.a');
    const onB = new Received(ncB, 'heal.b');
    await Promise.all([ncA.flush(), ncB.flush()]);
    await waitForRouteInterest([b, c], 'heal.a');
    await waitForRouteInterest([a, c], 'heal.b');

    const port = clusterPort(a);
    a.signal('SIGKILL');
    await a.waitExit();
    await eventually(async () => {
      for (const server of [b, c]) expect((await getJson(server, '/routez')).num_routes).toBe(1);
    });
    await waitForRouteInterest([b, c], 'heal.a', false);

    // B and C list A's cluster address: they keep redialing it until it is back.
    const restarted = await startClusterMember(target, { clusterPort: port });
    servers.push(restarted);
    await waitForMesh([restarted, b, c]);
    // B's subscription, made while A was away, reaches the new A...
    await waitForRouteInterest([restarted], 'heal.b');
    const ncNew = await client(restarted);
    await publishUntilReceived(ncNew, 'heal.b', 'from new A', onB);
    // ...and A's new interest reaches the others.
    const onNew = new Received(ncNew, 'heal.new');
    await ncNew.flush();
    await waitForRouteInterest([b, c], 'heal.new');
    await publishUntilReceived(ncC, 'heal.new', 'from C', onNew);
  });
});
