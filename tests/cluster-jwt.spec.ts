// A cluster in operator mode: JWT accounts are named by their public keys on routes, so a user of
// an account on one server reaches the same account's users on another, and no other account.
// Every pairing with nats-server 2.9.
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Received, clusterUrl, eventually, sleep, startClusterMember, waitForMesh } from './cluster-helpers.js';
import { publishUntilReceived } from './leaf-helpers.js';
import { newAccount, newOperator, operatorConfig, userCreds, type TestAccount, type TestOperator } from './support/jwt.js';
import { targets, type RunningServer, type Target } from './support/servers.js';

const PAIRS: Array<[Target, Target]> = [
  ['nats-ts', 'nats-ts'],
  ['nats-server', 'nats-ts'],
  ['nats-ts', 'nats-server'],
];

let operator: TestOperator;
let a: TestAccount;
let b: TestAccount;

beforeAll(async () => {
  operator = await newOperator();
  a = await newAccount(operator, 'A');
  b = await newAccount(operator, 'B');
});

describe.each(PAIRS.filter(([x, y]) => targets.includes(x) && targets.includes(y)))('operator mode across a route: %s and %s', (firstTarget, secondTarget) => {
  const connections: NatsConnection[] = [];
  const servers: RunningServer[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function client(server: RunningServer, account: TestAccount): Promise<NatsConnection> {
    const nc = await connect({ servers: server.clientUrl, authenticator: credsAuthenticator(await userCreds(account)) });
    connections.push(nc);
    return nc;
  }

  it("delivers within an account across the route, and keeps the other account's users out", async () => {
    const extra = operatorConfig(operator, [a, b]);
    const first = await startClusterMember(firstTarget, { extra });
    servers.push(first);
    const second = await startClusterMember(secondTarget, { extra, routes: [clusterUrl(first)] });
    servers.push(second);
    await waitForMesh([first, second]);
    const publisher = await client(first, a);
    const sameAccount = await client(second, a);
    const otherAccount = await client(second, b);
    const inA = new Received(sameAccount, 'orders');
    const inB = new Received(otherAccount, 'orders');
    await sameAccount.flush();
    await otherAccount.flush();
    await publishUntilReceived(publisher, 'orders', 'for A', inA, 15_000);
    await sleep(300);
    expect(inB.texts).toEqual([]);
  });

  it('stores an account pushed to one server on both, and routes its messages', async () => {
    const system = await newAccount(operator, 'SYS');
    const resolver = (dir: string): string =>
      [
        `operator: "${operator.jwt}"`,
        `system_account: ${system.key.getPublicKey()}`,
        `resolver: { type: full, dir: ${JSON.stringify(dir)} }`,
        `resolver_preload { ${system.key.getPublicKey()}: "${system.jwt}" }`,
      ].join('\n');
    const first = await startClusterMember(firstTarget, { extra: resolver('./jwt') });
    servers.push(first);
    const second = await startClusterMember(secondTarget, { extra: resolver('./jwt'), routes: [clusterUrl(first)] });
    servers.push(second);
    await waitForMesh([first, second]);
    const pusher = await client(first, system);
    // Until the second server's claims subscriptions reached the first over the route, only the first answers.
    await eventually(async () => {
      const replies: string[] = [];
      const inbox = pusher.subscribe('pushed.>', { callback: (_err, msg) => void replies.push(msg.json<{ server: { id: string } }>().server.id) });
      pusher.publish('$SYS.REQ.CLAIMS.UPDATE', a.jwt, { reply: 'pushed.a' });
      await sleep(300);
      inbox.unsubscribe();
      expect(new Set(replies).size).toBe(2);
    }, 15_000, 200);
    const publisher = await client(first, a);
    const subscriber = await client(second, a);
    const received = new Received(subscriber, 'orders');
    await subscriber.flush();
    await publishUntilReceived(publisher, 'orders', 'pushed A', received, 15_000);
  });
});
