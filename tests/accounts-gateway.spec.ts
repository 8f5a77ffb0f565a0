// Accounts that share, across a gateway: a request into an imported service answered in another
// cluster, an exporter's stream published in one cluster reaching the importer in the other.
// Against nats-ts and nats-server 2.9.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, Received } from './cluster-helpers.js';
import { launchSuperCluster, waitForGateways } from './gateway-helpers.js';
import { publishUntilReceived } from './leaf-helpers.js';
import { describeEachTarget, type RunningServer } from './support/servers.js';
import { SHARING_ACCOUNTS } from './support/sharing-accounts.js';

describeEachTarget('accounts across a gateway', (target) => {
  let x: RunningServer;
  let y: RunningServer;
  const connections: NatsConnection[] = [];
  const as = async (server: RunningServer, user: string): Promise<NatsConnection> => {
    const nc = await connect({ servers: server.clientUrl, user, pass: user, reconnect: false, timeout: 3_000 });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    const launched = await launchSuperCluster(
      [
        { name: 'X', target, size: 1 },
        { name: 'Y', target, size: 1 },
      ],
      (planned) => {
        for (const p of planned) p.extra = SHARING_ACCOUNTS;
      },
    );
    [x, y] = launched.servers as [RunningServer, RunningServer];
    await waitForGateways(launched.servers, launched.planned.map((p) => p.cluster));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await Promise.all([x?.stop(), y?.stop()]);
  });

  it("answers a request into the imported service with the exporter's responder in the other cluster", async () => {
    const responder = await as(y, 'a');
    responder.subscribe('help.>', {
      callback: (_err, msg) => {
        msg.respond(`y: ${msg.subject}`);
      },
    });
    await responder.flush();
    const requester = await as(x, 'b');
    let answer = '';
    await eventually(async () => {
      answer = (await requester.request('a.help.me', '', { timeout: 500 })).string();
    }, 15_000);
    expect(answer).toBe('y: help.me');
  });

  it("delivers the exporter's stream from the other cluster to the importer's subscriber", async () => {
    const atX = new Received(await as(x, 'b'), 'a.news.>');
    await publishUntilReceived(await as(y, 'a'), 'news.y', 'from y', atX, 15_000);
    expect(atX.messages[0]!.subject).toBe('a.news.y');
  });
});
