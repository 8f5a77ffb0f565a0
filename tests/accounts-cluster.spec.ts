// Accounts that share, across a cluster: an imported service or stream behaves as on one server
// when the requester and the responder (or the publisher and the subscriber) sit on different
// servers joined by a route. Against nats-ts, nats-server 2.9, and a mixed cluster of both.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterUrl, eventually, Received, sleep, startClusterMember, waitForMesh, waitForRouteInterest } from './cluster-helpers.js';
import { describeEachTarget, stopAllServers, type RunningServer, type Target } from './support/servers.js';
import { SHARING_ACCOUNTS } from './support/sharing-accounts.js';

/** `near` has the importer's requesters and the exporter's publisher, `far` the exporter's responders. */
function acrossARoute(near: Target, far: Target): void {
  let s1: RunningServer;
  let s2: RunningServer;
  const connections: NatsConnection[] = [];
  const as = async (server: RunningServer, user: string): Promise<NatsConnection> => {
    const nc = await connect({ servers: server.clientUrl, user, pass: user, reconnect: false, timeout: 3_000 });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    s1 = await startClusterMember(near, { extra: SHARING_ACCOUNTS });
    s2 = await startClusterMember(far, { extra: SHARING_ACCOUNTS, routes: [clusterUrl(s1)] });
    await waitForMesh([s1, s2]);
  });
  afterAll(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await Promise.all([s1?.stop(), s2?.stop()]);
  });

  it("answers a request from the importer on one server with the exporter's responder on the other", async () => {
    const responder = await as(s2, 'a');
    responder.subscribe('help.>', {
      queue: 'q',
      callback: (_err, msg) => {
        msg.respond(`from s2: ${msg.subject}`);
      },
    });
    await responder.flush();
    const requester = await as(s1, 'b');
    let answer = '';
    await eventually(async () => {
      answer = (await requester.request('a.help.me', '', { timeout: 500 })).string();
    });
    expect(answer).toBe('from s2: help.me');
    // Every request is answered once.
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => requester.request(`a.help.${i}`, '', { timeout: 2_000 })));
    expect(replies.map((r) => r.string())).toEqual(Array.from({ length: 20 }, (_, i) => `from s2: help.${i}`));
  });

  it("tells the other server of the imported stream in the exporting account only while the importer has subscribers", async () => {
    await waitForRouteInterest([s1], 'news.>', false);
    const importer = await as(s2, 'b');
    const sub = importer.subscribe('a.news.>');
    await importer.flush();
    await waitForRouteInterest([s1], 'news.>', true);
    sub.unsubscribe();
    await importer.flush();
    await waitForRouteInterest([s1], 'news.>', false);
  });

  it("delivers the exporter's stream, published on one server, once to the importer's subscribers on both", async () => {
    const far = new Received(await as(s2, 'b'), 'a.news.>');
    const near = new Received(await as(s1, 'b'), 'a.news.>');
    const publisher = await as(s1, 'a');
    await eventually(async () => {
      publisher.publish('news.probe', 'probe');
      await publisher.flush();
      await sleep(50);
      expect(far.messages.length).toBeGreaterThan(0);
    });
    await sleep(200);
    const [farBefore, nearBefore] = [far.messages.length, near.messages.length];
    for (let i = 0; i < 10; i++) publisher.publish('news.sport', String(i));
    await publisher.flush();
    await far.waitFor(farBefore + 10);
    await near.waitFor(nearBefore + 10);
    await sleep(200);
    expect(far.messages.slice(farBefore).map((m) => `${m.subject} ${m.string()}`)).toEqual(Array.from({ length: 10 }, (_, i) => `a.news.sport ${i}`));
    expect(near.messages.slice(nearBefore).map((m) => m.string())).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
  });
}

describeEachTarget('accounts across a route', (target) => acrossARoute(target, target));

describe.each([
  ['nats-ts', 'nats-server'],
  ['nats-server', 'nats-ts'],
] as const)('accounts across a route, mixed: importer on %s, exporter on %s', (near, far) => {
  afterAll(stopAllServers);
  acrossARoute(near, far);
});
