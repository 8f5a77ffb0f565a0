// Replies across gateways, against nats-ts and the reference nats-server alike: a request whose
// reply subscription is recent goes out with the reply mapped (`_GR_.`), the responder sees its
// plain reply subject and its answer finds the way back; an older reply subscription is not
// mapped (the other cluster already knows that interest). Clients may not publish to `_GR_.`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { connectTo, eventually, sleep } from './cluster-helpers.js';
import { CountingProxy, launchSuperCluster, waitForGatewayInterest, waitForGateways } from './gateway-helpers.js';
import { RawClient } from './support/raw.js';
import { describeEachTarget, type RunningServer } from './support/servers.js';

describeEachTarget('replies across a gateway', (target) => {
  let a: RunningServer;
  let b: RunningServer;
  /** On A's outbound gateway to B: what A sends to B. */
  const proxy = new CountingProxy(true);
  /** On B's outbound gateway to A: what B sends to A. */
  const proxyToA = new CountingProxy(true);
  const connections: NatsConnection[] = [];
  const seenReplies: string[] = [];

  beforeAll(async () => {
    await proxy.start();
    await proxyToA.start();
    const launched = await launchSuperCluster(
      [
        { name: 'A', target, size: 1 },
        { name: 'B', target, size: 1 },
      ],
      (planned) => {
        const serverB = planned.find((p) => p.cluster === 'B')!;
        proxy.targetPort = serverB.gatewayPort;
        serverB.advertisedPort = proxy.port;
        const serverA = planned.find((p) => p.cluster === 'A')!;
        proxyToA.targetPort = serverA.gatewayPort;
        serverA.advertisedPort = proxyToA.port;
      },
    );
    [a, b] = launched.servers as [RunningServer, RunningServer];
    await waitForGateways([a, b], ['A', 'B']);
    const responder = await connectTo(b);
    connections.push(responder);
    responder.subscribe('svc', {
      callback: (_err, msg: Msg) => {
        if (msg.reply !== undefined) seenReplies.push(msg.reply);
        msg.respond(`re:${msg.string()}`);
      },
    });
    await responder.flush();
    await waitForGatewayInterest([a], 'B');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    await proxy.stop();
    await proxyToA.stop();
  });

  it('maps the reply of a fresh subscription; the responder sees the plain reply and answers', async () => {
    const requester = await RawClient.connected(a.port);
    try {
      requester.send('SUB fresh.reply 1\r\nPUB svc fresh.reply 2\r\nhi\r\n');
      const line = await requester.waitForLine(/^MSG fresh\.reply 1 /, 5000);
      expect(line).toBe('MSG fresh.reply 1 5');
      expect(await requester.nextLine()).toBe('re:hi');
      expect(seenReplies).toContain('fresh.reply');
      expect(proxy.textToTarget).toMatch(/RMSG \$G svc _GR_\.[0-9A-Za-z]{6}\.[0-9A-Za-z]{6}\.fresh\.reply 2\r\n/);
      // The answer went back under the mapped reply, straight to A.
      expect(proxyToA.textToTarget).toMatch(/RMSG \$G _GR_\.[0-9A-Za-z]{6}\.[0-9A-Za-z]{6}\.fresh\.reply 5\r\n/);
    } finally {
      requester.close();
    }
  });

  it('sends the reply of an older subscription unmapped, and the answer still arrives', async () => {
    const requester = await RawClient.connected(a.port);
    try {
      await requester.roundTrip('SUB old.reply 1\r\n');
      await sleep(2500);
      requester.send('PUB svc old.reply 2\r\nho\r\n');
      await requester.waitForLine(/^MSG old\.reply 1 /, 5000);
      expect(await requester.nextLine()).toBe('re:ho');
      expect(seenReplies).toContain('old.reply');
      expect(proxy.textToTarget).toContain('RMSG $G svc old.reply 2\r\n');
      expect(proxy.textToTarget).not.toContain('.old.reply');
      expect(proxyToA.textToTarget).toContain('RMSG $G old.reply 5\r\n');
    } finally {
      requester.close();
    }
  });

  it('answers requests from the official client, with replies the responder sees unprefixed', async () => {
    const requester = await connectTo(a);
    connections.push(requester);
    await eventually(async () => expect((await requester.request('svc', 'x', { timeout: 1000 })).string()).toBe('re:x'));
    for (let i = 0; i < 10; i++) expect((await requester.request('svc', `r${i}`, { timeout: 2000 })).string()).toBe(`re:r${i}`);
    expect(seenReplies.length).toBeGreaterThan(10);
    expect(seenReplies.filter((reply) => reply.startsWith('_GR_.'))).toEqual([]);
  });

  it('refuses a client publish to the reserved _GR_. prefix and keeps the connection', async () => {
    const client = await RawClient.connected(b.port);
    try {
      const lines = await client.roundTrip('PUB _GR_.abc.def.x 2\r\nno\r\n');
      expect(lines).toEqual(["-ERR 'Permissions Violation for Publish to \"_GR_.abc.def.x\"'"]);
      expect(client.closed).toBe(false);
    } finally {
      client.close();
    }
  });
});
