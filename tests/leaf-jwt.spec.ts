// Leaf nodes in operator mode: a leaf remote with `credentials` signs the hub's nonce with the
// creds' seed and sends its user JWT; the hub binds the leaf to the JWT's account, with the user's
// permissions, or refuses it.
// Every pairing with nats-server 2.9 on either side.
import { fmtCreds, createUser } from '@nats-io/jwt';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Received, connectTo, getJson, sleep } from './cluster-helpers.js';
import { leafPort, publishUntilReceived, startHub, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { UNLIMITED, newAccount, newOperator, operatorConfig, signedNonce, userCreds, userJwt, type TestAccount, type TestOperator } from './support/jwt.js';
import { RawClient } from './support/raw.js';
import { describeEachTarget, targets, type RunningServer, type Target } from './support/servers.js';

const PAIRS: Array<[Target, Target]> = [
  ['nats-ts', 'nats-ts'],
  ['nats-server', 'nats-ts'],
  ['nats-ts', 'nats-server'],
];

let operator: TestOperator;
let account: TestAccount;
/** An account allowing one leaf connection (`leaf: 1`). */
let oneLeaf: TestAccount;

beforeAll(async () => {
  operator = await newOperator();
  account = await newAccount(operator, 'A');
  oneLeaf = await newAccount(operator, 'L', { limits: { ...UNLIMITED, leaf: 1 } });
});

describe.each(PAIRS.filter(([hub, leaf]) => targets.includes(hub) && targets.includes(leaf)))('leaf credentials: %s hub in operator mode, %s leaf', (hubTarget, leafTarget) => {
  const connections: NatsConnection[] = [];
  const servers: RunningServer[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function hub(): Promise<RunningServer> {
    const server = await startHub(hubTarget, '', operatorConfig(operator, [account, oneLeaf]));
    servers.push(server);
    return server;
  }

  async function leafWith(hubServer: RunningServer, creds: Uint8Array): Promise<RunningServer> {
    const remote = `{ url: "nats-leaf://127.0.0.1:${leafPort(hubServer)}", credentials: "leaf.creds" }`;
    const server = await startLeaf(leafTarget, [remote], '', { files: { 'leaf.creds': Buffer.from(creds).toString('utf8') } });
    servers.push(server);
    return server;
  }

  it("binds the leaf to its JWT's account: the leaf's clients and the account's clients meet", async () => {
    const hubServer = await hub();
    const leaf = await leafWith(hubServer, await userCreds(account));
    await waitForLeafs(hubServer, 1);
    const atHub = await connect({ servers: hubServer.clientUrl, authenticator: credsAuthenticator(await userCreds(account)) });
    connections.push(atHub);
    const atLeaf = await connectTo(leaf);
    connections.push(atLeaf);
    const upAtHub = new Received(atHub, 'up');
    const downAtLeaf = new Received(atLeaf, 'down');
    await atHub.flush();
    await atLeaf.flush();
    await publishUntilReceived(atLeaf, 'up', 'from the leaf', upAtHub, 15_000);
    await publishUntilReceived(atHub, 'down', 'from the hub', downAtLeaf, 15_000);
    const leafz = await getJson(hubServer, '/leafz');
    expect(leafz.leafs[0].account).toBe(account.key.getPublicKey());
  });

  it("applies the leaf JWT user's permissions: the leaf publishes into the hub only what the user may publish, and receives only what it may subscribe to", async () => {
    const hubServer = await hub();
    const leaf = await leafWith(hubServer, await userCreds(account, { pub: { allow: ['up.ok'] }, sub: { allow: ['down.ok'] } }));
    await waitForLeafs(hubServer, 1);
    const atHub = await connect({ servers: hubServer.clientUrl, authenticator: credsAuthenticator(await userCreds(account)) });
    connections.push(atHub);
    const atLeaf = await connectTo(leaf);
    connections.push(atLeaf);
    const upAtHub = new Received(atHub, 'up.>');
    const downAtLeaf = new Received(atLeaf, 'down.>');
    await atHub.flush();
    await atLeaf.flush();
    await publishUntilReceived(atLeaf, 'up.ok', 'first', upAtHub, 15_000);
    await publishUntilReceived(atHub, 'down.ok', 'first', downAtLeaf, 15_000);
    atLeaf.publish('up.no', 'denied');
    atLeaf.publish('up.ok', 'second');
    atHub.publish('down.no', 'denied');
    atHub.publish('down.ok', 'second');
    await upAtHub.waitFor(2);
    await downAtLeaf.waitFor(2);
    expect(upAtHub.messages.map((m) => `${m.subject} ${m.string()}`)).toEqual(['up.ok first', 'up.ok second']);
    expect(downAtLeaf.messages.map((m) => `${m.subject} ${m.string()}`)).toEqual(['down.ok first', 'down.ok second']);
    expect((await getJson(hubServer, '/leafz')).leafnodes).toBe(1);
  });

  it('refuses a leaf whose JWT is of an account the hub does not know, or whose seed is not the JWT user\'s', async () => {
    const hubServer = await hub();
    const stranger = await newAccount(operator, 'X');
    await leafWith(hubServer, await userCreds(stranger));
    const user = createUser();
    await leafWith(hubServer, fmtCreds(await userJwt(account, user), createUser()));
    await sleep(1_500);
    expect((await getJson(hubServer, '/leafz')).leafnodes).toBe(0);
  });

  it("refuses a leaf past its account's `leaf` limit", async () => {
    const hubServer = await hub();
    await leafWith(hubServer, await userCreds(oneLeaf));
    await waitForLeafs(hubServer, 1);
    await leafWith(hubServer, await userCreds(oneLeaf));
    await sleep(1_500);
    expect((await getJson(hubServer, '/leafz')).leafnodes).toBe(1);
  });
});

describeEachTarget("a leaf JWT user's permissions at the hub", (hubTarget) => {
  let hubServer: RunningServer | undefined;
  let raw: RawClient | undefined;

  afterEach(async () => {
    raw?.close();
    raw = undefined;
    await hubServer?.stop();
    hubServer = undefined;
  });

  it('are sent to the leaf as INFO import and export, and a leaf subscribing to what it may not receive is closed', async () => {
    hubServer = await startHub(hubTarget, '', operatorConfig(operator, [account, oneLeaf]));
    const user = createUser();
    const jwt = await userJwt(account, user, { pub: { allow: ['up.ok'] }, sub: { allow: ['down.ok'] } });
    raw = await RawClient.connect(leafPort(hubServer));
    raw.send(`CONNECT ${JSON.stringify({ jwt, sig: signedNonce(user, raw.info.nonce as string), name: 'raw-leaf' })}\r\n`);
    const info = JSON.parse((await raw.waitForLine(/^INFO .*"connect_info":true/)).slice('INFO '.length)) as Record<string, unknown>;
    expect(info.import).toEqual({ allow: ['down.ok'] });
    expect(info.export).toEqual({ allow: ['up.ok'] });
    raw.send('LS+ down.ok\r\nLS+ down.no\r\n');
    await raw.waitForLine(`-ERR 'Permissions Violation for Subscription to "down.no"'`);
    expect(await raw.waitClosed()).toBe(true);
  });
});
