// Operator mode: users are JWTs of accounts an operator signed, accounts come from
// `resolver: MEMORY` with `resolver_preload`, and clients connect with creds (the official
// client's credsAuthenticator and jwtAuthenticator). Expected texts are those nats-server 2.9 sends.
import { createUser, encodeAccount, encodeUser, type KeyPair, type User } from '@nats-io/jwt';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, jwtAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { UNLIMITED, V2, newAccount, newOperator, operatorConfig, signedNonce, userCreds as creds, type TestAccount, type TestOperator } from './support/jwt.js';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const authorizationViolation = "-ERR 'Authorization Violation'";

let operator: TestOperator;
let a: TestAccount;
let b: TestAccount;
const revokedUser = createUser();

beforeAll(async () => {
  operator = await newOperator();
  a = await newAccount(operator, 'A', { revocations: { [revokedUser.getPublicKey()]: Math.floor(Date.now() / 1000) + 3600 } });
  b = await newAccount(operator, 'B');
});

function config(...more: TestAccount[]): string {
  return operatorConfig(operator, [a, b, ...more]);
}

describeEachTarget('operator mode (JWT users)', (target) => {
  let server: RunningServer | undefined;
  const connections: NatsConnection[] = [];
  const raws: RawClient[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    for (const raw of raws.splice(0)) raw.close();
    await server?.stop();
    server = undefined;
  });

  /** A raw connection that sent CONNECT for a new user of `issuer` with these claims. */
  async function rawJwtClient(issuer: KeyPair, claims: Partial<User>, user = createUser()): Promise<RawClient> {
    const jwt = await encodeUser('u', user, issuer, claims, V2);
    const raw = await RawClient.connect(server!.port);
    raws.push(raw);
    const sig = signedNonce(user, raw.info.nonce as string);
    raw.send(`CONNECT ${JSON.stringify({ verbose: false, jwt, sig })}\r\n`);
    return raw;
  }

  async function client(credsBytes: Uint8Array): Promise<NatsConnection> {
    const nc = await connect({ servers: server!.clientUrl, reconnect: false, timeout: 3_000, authenticator: credsAuthenticator(credsBytes) });
    connections.push(nc);
    return nc;
  }

  it('asks for a signed nonce, and lets a creds user publish and subscribe in its account', async () => {
    server = await startServer(target, config());
    const info = (await RawClient.connect(server.port)).info;
    expect(info.auth_required).toBe(true);
    expect(typeof info.nonce).toBe('string');
    const nc = await client(await creds(a));
    const sub = nc.subscribe('hello', { max: 1 });
    await nc.flush();
    const other = await client(await creds(a, {}, { issuer: a.signer }));
    other.publish('hello', 'from a signing key user');
    for await (const msg of sub) expect(msg.string()).toBe('from a signing key user');
  });

  it('refuses a client without a JWT, a JWT of an unknown account, and a revoked user', async () => {
    server = await startServer(target, config());
    const raw = await RawClient.connect(server.port);
    raws.push(raw);
    raw.send('CONNECT {"verbose":false}\r\nPING\r\n');
    expect(await raw.waitForLine(/^-ERR/)).toBe(authorizationViolation);
    const stranger = await newAccount(operator, 'C');
    await expect(client(await creds(stranger))).rejects.toThrow(/Authorization Violation/i);
    await expect(client(await creds(a, {}, { key: revokedUser }))).rejects.toThrow(/Authorization Violation/i);
  });

  it('refuses a JWT signed with another key than the one that signed the nonce', async () => {
    server = await startServer(target, config());
    const user = createUser();
    const jwt = await encodeUser('u', user, a.key, {}, V2);
    await expect(
      connect({ servers: server.clientUrl, reconnect: false, timeout: 3_000, authenticator: jwtAuthenticator(jwt, createUser().getSeed()) }),
    ).rejects.toThrow(/Authorization Violation/i);
    const nc = await connect({ servers: server.clientUrl, reconnect: false, timeout: 3_000, authenticator: jwtAuthenticator(jwt, user.getSeed()) });
    connections.push(nc);
    await nc.flush();
  });

  it('keeps accounts apart', async () => {
    server = await startServer(target, config());
    const inA = await client(await creds(a));
    const inB = await client(await creds(b));
    const gotB: string[] = [];
    inB.subscribe('news', { callback: (_err, msg) => void gotB.push(msg.string()) });
    const gotA = inA.subscribe('news', { max: 1 });
    await inB.flush();
    inA.publish('news', 'for A');
    for await (const msg of gotA) expect(msg.string()).toBe('for A');
    await inB.flush();
    expect(gotB).toEqual([]);
  });

  it('applies the permissions of the user JWT', async () => {
    server = await startServer(target, config());
    const nc = await client(await creds(a, { pub: { allow: ['allowed.>'] }, sub: { allow: ['allowed.>'] } }));
    const denied = nc.subscribe('secret');
    expect(String(await denied.closed)).toMatch(/Permissions Violation for Subscription to "secret"/);
    const sub = nc.subscribe('allowed.x', { max: 1 });
    nc.publish('secret', 'no');
    nc.publish('allowed.x', 'yes');
    for await (const msg of sub) expect(msg.string()).toBe('yes');
  });

  it('enforces the account conn limit and the user subs and payload limits, with nats-server errors', async () => {
    const small = await newAccount(operator, 'S', { limits: { ...UNLIMITED, conn: 1 } });
    server = await startServer(target, config(small));
    await client(await creds(small));
    const second = await rawJwtClient(small.key, {});
    expect(await second.waitForLine(/^-ERR/)).toBe("-ERR 'maximum account active connections exceeded'");
    const raw = await rawJwtClient(a.key, { subs: 1, payload: 4 });
    raw.send('SUB a 1\r\nSUB b 2\r\nPING\r\n');
    expect(await raw.waitForLine(/^-ERR/)).toBe("-ERR 'maximum subscriptions exceeded'");
    await raw.waitForLine('PONG');
    raw.send('PUB a 5\r\nhello\r\n');
    expect(await raw.waitForLine(/^-ERR/)).toBe("-ERR 'Maximum Payload Violation'");
  });

  it('refuses an expired JWT, and closes a client when its JWT expires', async () => {
    server = await startServer(target, config());
    const past = Math.floor(Date.now() / 1000) - 10;
    await expect(client(await creds(a, {}, { exp: past }))).rejects.toThrow(/Authorization Violation|expired/i);
    const user = createUser();
    const jwt = await encodeUser('u', user, a.key, {}, { ...V2, exp: Math.floor(Date.now() / 1000) + 2 });
    const raw = await RawClient.connect(server.port, { timeoutMs: 6_000 });
    raws.push(raw);
    const sig = signedNonce(user, raw.info.nonce as string);
    raw.send(`CONNECT ${JSON.stringify({ verbose: false, jwt, sig })}\r\nPING\r\n`);
    await raw.waitForLine('PONG');
    expect(await raw.waitForLine(/^-ERR/, 5_000)).toBe("-ERR 'User Authentication Expired'");
    expect(await raw.waitClosed(3_000)).toBe(true);
  });

  it('gives JetStream to the accounts whose JWT has JetStream limits, with those limits', async () => {
    const withJs = await newAccount(operator, 'JS', { limits: { ...UNLIMITED, mem_storage: 64 * 1024 * 1024, disk_storage: 1024 ** 3, streams: 1, consumer: 100 } });
    // nats-server runs JetStream in operator mode only with a system account.
    const system = await newAccount(operator, 'SYS');
    server = await startServer(target, `${config(withJs, system)}\nsystem_account: ${system.key.getPublicKey()}\njetstream { store_dir: "./js" }`);
    const nc = await client(await creds(withJs));
    const jsm = await jetstreamManager(nc);
    expect((await jsm.getAccountInfo()).limits).toMatchObject({ max_memory: 64 * 1024 * 1024, max_storage: 1024 ** 3, max_streams: 1, max_consumers: 100 });
    await jsm.streams.add({ name: 'ONE', subjects: ['one'] });
    await expect(jsm.streams.add({ name: 'TWO', subjects: ['two'] })).rejects.toThrow(/maximum number of streams reached/);
    const without = await client(await creds(a));
    const reply = await without.request('$JS.API.INFO', '', { timeout: 2_000 });
    expect(reply.string()).toBe(
      '{"type":"io.nats.jetstream.api.v1.account_info_response","error":{"code":503,"err_code":10039,"description":"JetStream not enabled for account"}}',
    );
  });

  it('applies account JWTs changed on reload: a revoked user is told and closed, the others stay', async () => {
    const account = await newAccount(operator, 'R');
    server = await startServer(target, config(account));
    const doomed = createUser();
    const revoked = await rawJwtClient(account.key, {}, doomed);
    const kept = await rawJwtClient(account.key, {});
    for (const raw of [revoked, kept]) {
      raw.send('PING\r\n');
      await raw.waitForLine('PONG');
    }
    const later = Math.floor(Date.now() / 1000) + 60;
    const updated = await encodeAccount('R', account.key, { signing_keys: [account.signer.getPublicKey()], limits: UNLIMITED, revocations: { [doomed.getPublicKey()]: later } }, { ...V2, signer: operator.key });
    writeFileSync(server.configFile, readFileSync(server.configFile, 'utf8').replace(account.jwt, updated));
    server.signal('SIGHUP');
    expect(await revoked.waitForLine(/^-ERR/, 5_000)).toBe("-ERR 'User Authentication Revoked'");
    expect(await revoked.waitClosed()).toBe(true);
    kept.send('PING\r\n');
    await kept.waitForLine('PONG');
  });
});
