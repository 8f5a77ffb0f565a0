// The system account across a super-cluster: a PING from one cluster is answered by every server
// of every cluster, across the gateways. Against nats-ts and nats-server 2.9.
import { connect, createInbox } from '@nats-io/transport-node';
import { afterAll, expect, it } from 'vitest';
import { eventually, sleep, type Json } from './cluster-helpers.js';
import { launchSuperCluster, waitForGateways } from './gateway-helpers.js';
import { describeEachTarget, type RunningServer } from './support/servers.js';

const ACCOUNTS = 'system_account: SYS\naccounts { SYS: { users: [ { user: admin, password: admin } ] } }';

describeEachTarget('system account across gateways', (target) => {
  let servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('answers a PING from every server of both clusters', async () => {
    ({ servers } = await launchSuperCluster(
      [
        { name: 'EAST', target, size: 2 },
        { name: 'WEST', target, size: 1 },
      ],
      (planned) => {
        for (const p of planned) p.extra = ACCOUNTS;
      },
    ));
    await waitForGateways(servers, ['EAST', 'EAST', 'WEST']);
    const nc = await connect({ servers: servers[2]!.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    try {
      await eventually(async () => {
        const inbox = createInbox();
        const clusters: string[] = [];
        const sub = nc.subscribe(inbox, {
          callback: (_err, msg) => {
            clusters.push(msg.json<{ server: { cluster: string } }>().server.cluster);
          },
        });
        await nc.flush();
        nc.publish('$SYS.REQ.SERVER.PING', '', { reply: inbox });
        await sleep(750);
        sub.unsubscribe();
        expect(clusters.sort()).toEqual(['EAST', 'EAST', 'WEST']);
      }, 20_000);
    } finally {
      await nc.close();
    }
  }, 60_000);

  it("fills STATSZ's active_servers with every server heard of and gateways with each outbound gateway", async () => {
    const nc = await connect({ servers: servers[2]!.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    try {
      await eventually(async () => {
        const inbox = createInbox();
        const replies: Json[] = [];
        const sub = nc.subscribe(inbox, {
          callback: (_err, msg) => {
            replies.push(msg.json<Json>());
          },
        });
        await nc.flush();
        nc.publish('$SYS.REQ.SERVER.PING', '', { reply: inbox });
        await sleep(750);
        sub.unsubscribe();
        expect(replies.map((r) => r.statsz.active_servers)).toEqual([3, 3, 3]);
        const west = replies.find((r) => r.server.cluster === 'WEST')!;
        expect(west.statsz.gateways).toEqual([
          { gwid: expect.any(Number), name: 'EAST', sent: expect.any(Object), received: expect.any(Object), inbound_connections: 2 },
        ]);
      }, 20_000);
    } finally {
      await nc.close();
    }
  }, 30_000);
});
