// Accounts that share, across a leaf connection: the hub's imports serve the leaf's clients, and
// the leaf's clients serve the hub's imports, as on one server. Against nats-ts and nats-server 2.9.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, Received } from './cluster-helpers.js';
import { leafPort, publishUntilReceived, startHub, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { describeEachTarget, type RunningServer } from './support/servers.js';
import { SHARING_ACCOUNTS } from './support/sharing-accounts.js';

const LEAF_ACCOUNTS = `
accounts {
  LA: { users: [ { user: la, password: la } ] }
  LB: { users: [ { user: lb, password: lb } ] }
}
`;

describeEachTarget('accounts across a leaf connection', (target) => {
  let hub: RunningServer;
  let leaf: RunningServer;
  const connections: NatsConnection[] = [];
  const as = async (server: RunningServer, user: string): Promise<NatsConnection> => {
    const nc = await connect({ servers: server.clientUrl, user, pass: user, reconnect: false, timeout: 3_000 });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    hub = await startHub(target, '', SHARING_ACCOUNTS);
    const url = (user: string) => JSON.stringify(`nats-leaf://${user}:${user}@127.0.0.1:${leafPort(hub)}`);
    leaf = await startLeaf(target, [`{ url: ${url('a')}, account: LA }`, `{ url: ${url('b')}, account: LB }`], LEAF_ACCOUNTS);
    await waitForLeafs(hub, 2);
  });
  afterAll(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await Promise.all([leaf?.stop(), hub?.stop()]);
  });

  it("answers a leaf client's request into the hub's imported service", async () => {
    const responder = await as(hub, 'a');
    responder.subscribe('help.hub.>', {
      callback: (_err, msg) => {
        msg.respond(`hub: ${msg.subject}`);
      },
    });
    await responder.flush();
    const requester = await as(leaf, 'lb');
    let answer = '';
    await eventually(async () => {
      answer = (await requester.request('a.help.hub.me', '', { timeout: 500 })).string();
    });
    expect(answer).toBe('hub: help.hub.me');
  });

  it("serves the hub's importer with the exporter's responder behind the leaf", async () => {
    const responder = await as(leaf, 'la');
    responder.subscribe('help.leaf.>', {
      callback: (_err, msg) => {
        msg.respond(`leaf: ${msg.subject}`);
      },
    });
    await responder.flush();
    const requester = await as(hub, 'b');
    let answer = '';
    await eventually(async () => {
      answer = (await requester.request('a.help.leaf.x', '', { timeout: 500 })).string();
    });
    expect(answer).toBe('leaf: help.leaf.x');
  });

  it("delivers the hub exporter's stream to the importer's subscriber on the leaf, and the leaf exporter's to the hub's", async () => {
    const onLeaf = new Received(await as(leaf, 'lb'), 'a.news.>');
    await publishUntilReceived(await as(hub, 'a'), 'news.hub', 'from hub', onLeaf);
    expect(onLeaf.messages[0]!.subject).toBe('a.news.hub');
    const onHub = new Received(await as(hub, 'b'), 'a.news.>');
    await publishUntilReceived(await as(leaf, 'la'), 'news.leaf', 'from leaf', onHub);
    expect(onHub.messages[0]!.subject).toBe('a.news.leaf');
  });
});
