// The full account resolver (`resolver: { type: full, dir }`): account JWTs kept on disk as
// `<account public key>.jwt`, pushed as `nsc push` does (a system account user publishing the
// signed account JWT on the claims update subjects), looked up, listed and deleted, and an
// update applied to the connected clients. Replies are compared with nats-server 2.9's.
import { createAccount, createOperator, createUser, encodeAccount, encodeGeneric, encodeOperator } from '@nats-io/jwt';
import { StorageType, jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { UNLIMITED, V2, newAccount, userCreds, userJwt, type TestAccount, type TestOperator } from './support/jwt.js';
import { eventually, sleep } from './cluster-helpers.js';
import { leafPort, startHub, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

let operator: TestOperator;
let system: TestAccount;

beforeAll(async () => {
  const key = createOperator();
  system = { key: createAccount(), signer: createAccount(), jwt: '' };
  operator = { key, jwt: await encodeOperator('OP', key, { system_account: system.key.getPublicKey() }, V2) };
  system.jwt = await encodeAccount('SYS', system.key, { limits: UNLIMITED }, { ...V2, signer: key });
});

interface UpdateReply {
  server: { id: string };
  data?: { account?: string; code: number; message: string };
  error?: { account?: string; code: number; description: string };
}

describeEachTarget('full account resolver', (target) => {
  let server: RunningServer | undefined;
  const connections: NatsConnection[] = [];
  const jwtDirs: string[] = [];

  let leaf: RunningServer | undefined;

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await leaf?.stop();
    leaf = undefined;
    await server?.stop();
    server = undefined;
    for (const dir of jwtDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function newJwtDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'nats-e2e-jwt-'));
    jwtDirs.push(dir);
    return join(dir, 'jwt');
  }

  function resolverConfig(dir: string, allowDelete: boolean): string {
    return [
      `operator: "${operator.jwt}"`,
      `system_account: ${system.key.getPublicKey()}`,
      `resolver: { type: full, dir: ${JSON.stringify(dir)}, allow_delete: ${allowDelete}, interval: "2m", limit: 1000, timeout: "1.9s" }`,
      `resolver_preload { ${system.key.getPublicKey()}: "${system.jwt}" }`,
    ].join('\n');
  }

  async function start(dir: string, allowDelete = false): Promise<RunningServer> {
    return startServer(target, resolverConfig(dir, allowDelete));
  }

  async function client(account: TestAccount, claims = {}, key = createUser()): Promise<NatsConnection> {
    const nc = await connect({ servers: server!.clientUrl, reconnect: false, timeout: 3_000, authenticator: credsAuthenticator(await userCreds(account, claims, { key })) });
    connections.push(nc);
    return nc;
  }

  async function request(subject: string, body: string): Promise<UpdateReply> {
    const sys = await client(system);
    const reply = await sys.request(subject, body, { timeout: 2_000 });
    return reply.json<UpdateReply>();
  }

  it('stores a pushed account JWT as <key>.jwt, admits its users, and answers lookups and the list', async () => {
    const dir = newJwtDir();
    server = await start(dir);
    const a = await newAccount(operator, 'A');
    await expect(client(a)).rejects.toThrow(/Authorization Violation/i);

    const pushed = await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    expect(pushed.data).toEqual({ account: a.key.getPublicKey(), code: 200, message: 'jwt updated' });
    expect(Object.keys(pushed)).toEqual(['data', 'server']);
    expect(readFileSync(join(dir, `${a.key.getPublicKey()}.jwt`), 'utf8')).toBe(a.jwt);
    // The preloaded system account is stored beside it.
    expect(existsSync(join(dir, `${system.key.getPublicKey()}.jwt`))).toBe(true);

    const nc = await client(a);
    const sub = nc.subscribe('hello', { max: 1 });
    await nc.flush();
    (await client(a)).publish('hello', 'in A');
    for await (const msg of sub) expect(msg.string()).toBe('in A');

    const sys = await client(system);
    const looked = await sys.request(`$SYS.REQ.ACCOUNT.${a.key.getPublicKey()}.CLAIMS.LOOKUP`, '', { timeout: 2_000 });
    expect(looked.string()).toBe(a.jwt);
    const list = await request('$SYS.REQ.CLAIMS.LIST', '');
    expect(list.data).toEqual([a.key.getPublicKey(), system.key.getPublicKey()].sort());
  });

  it('answers a pack request with every stored JWT, or with only the end when the hashes match', async () => {
    server = await start(newJwtDir());
    const a = await newAccount(operator, 'A');
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    const sys = await client(system);
    async function pack(hash: Uint8Array): Promise<string[]> {
      const parts: string[] = [];
      const done = new Promise<void>((resolve) => {
        sys.subscribe('packed', { callback: (_err, msg) => (msg.data.length === 0 ? resolve() : void parts.push(msg.string())) });
      });
      await sys.flush();
      sys.publish('$SYS.REQ.CLAIMS.PACK', hash, { reply: 'packed' });
      await done;
      return parts.sort();
    }
    const all = await pack(new Uint8Array(0));
    expect(all).toEqual([`${a.key.getPublicKey()}|${a.jwt}`, `${system.key.getPublicKey()}|${system.jwt}`].sort());
    const ours = Buffer.alloc(32);
    for (const jwt of [a.jwt, system.jwt]) createHash('sha256').update(jwt).digest().forEach((byte, i) => (ours[i] ^= byte));
    expect(await pack(ours)).toEqual([]);
  });

  it('refuses an update whose subject names another account, a body that is no JWT, a forged one and a user JWT', async () => {
    server = await start(newJwtDir());
    const a = await newAccount(operator, 'A');
    const other = createAccount().getPublicKey();
    const mismatch = await request(`$SYS.REQ.ACCOUNT.${other}.CLAIMS.UPDATE`, a.jwt);
    expect(mismatch.error).toEqual({ account: other, code: 500, description: 'jwt update resulted in error - subject does not match jwt content' });
    const garbage = await request('$SYS.REQ.CLAIMS.UPDATE', 'not a jwt');
    expect(garbage.error).toEqual({ account: 'n/a', code: 500, description: 'jwt update resulted in error - expected 3 chunks' });
    const [header, payload] = a.jwt.split('.');
    const forged = await request('$SYS.REQ.CLAIMS.UPDATE', `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`);
    expect(forged.error).toEqual({ account: 'n/a', code: 500, description: 'jwt update resulted in error - claim failed V2 signature verification' });
    const user = await request('$SYS.REQ.CLAIMS.UPDATE', await userJwt(a, createUser()));
    expect(user.error).toEqual({ account: 'n/a', code: 500, description: 'jwt update resulted in error - not account claim' });
    const named = await request(`$SYS.REQ.ACCOUNT.${a.key.getPublicKey()}.CLAIMS.UPDATE`, a.jwt);
    expect(named.data).toEqual({ account: a.key.getPublicKey(), code: 200, message: 'jwt updated' });
  });

  it('stores an account no trusted operator signed, and still refuses its users', async () => {
    server = await start(newJwtDir());
    const stranger = await newAccount({ key: createOperator(), jwt: '' }, 'STRANGER');
    const pushed = await request('$SYS.REQ.CLAIMS.UPDATE', stranger.jwt);
    expect(pushed.data?.message).toBe('jwt updated');
    await expect(client(stranger)).rejects.toThrow(/Authorization Violation/i);
  });

  it('applies an update to connected clients: a revoked user is closed', async () => {
    server = await start(newJwtDir());
    const a = await newAccount(operator, 'A');
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    const user = createUser();
    const nc = await client(a, {}, user);
    const kept = await client(a);
    // Issued a second later than the user JWT, which the revocation covers.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const revoking = await encodeAccount('A', a.key, { limits: UNLIMITED, revocations: { [user.getPublicKey()]: Math.floor(Date.now() / 1000) } }, { ...V2, signer: operator.key });
    expect((await request('$SYS.REQ.CLAIMS.UPDATE', revoking)).data?.message).toBe('jwt updated');
    const closed = await nc.closed();
    expect(String(closed)).toMatch(/revoked/i);
    await kept.flush();
    expect(kept.isClosed()).toBe(false);
  });

  it('applies the exports and imports of an update: a service import pushed later carries requests of connected clients', async () => {
    server = await start(newJwtDir());
    const exporter = await newAccount(operator, 'EXP', { exports: [{ name: 'help', subject: 'help.>', type: 'service' }] });
    const importer = await newAccount(operator, 'IMP');
    await request('$SYS.REQ.CLAIMS.UPDATE', exporter.jwt);
    await request('$SYS.REQ.CLAIMS.UPDATE', importer.jwt);
    const responder = await client(exporter);
    responder.subscribe('help.>', { callback: (_err, msg) => void msg.respond(`answer to ${msg.subject}`) });
    await responder.flush();
    const requester = await client(importer);
    await expect(requester.request('help.me', '', { timeout: 1_000 })).rejects.toThrow(/503|no responders|timeout/i);
    const importing = await encodeAccount(
      'IMP',
      importer.key,
      { signing_keys: [importer.signer.getPublicKey()], limits: UNLIMITED, imports: [{ name: 'help', subject: 'help.me', account: exporter.key.getPublicKey(), type: 'service' }] },
      { ...V2, signer: operator.key },
    );
    expect((await request('$SYS.REQ.CLAIMS.UPDATE', importing)).data?.message).toBe('jwt updated');
    const reply = await requester.request('help.me', '', { timeout: 2_000 });
    expect(reply.string()).toBe('answer to help.me');
  });

  it('accepts a leaf connection of a pushed account at the hub', async () => {
    server = await startHub(target, '', resolverConfig(newJwtDir(), false));
    const a = await newAccount(operator, 'A');
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    const remote = `{ url: "nats-leaf://127.0.0.1:${leafPort(server)}", credentials: "leaf.creds" }`;
    leaf = await startLeaf(target, [remote], '', { files: { 'leaf.creds': Buffer.from(await userCreds(a)).toString('utf8') } });
    await waitForLeafs(server, 1);
  });

  it('gives a pushed account with JetStream limits its JetStream', async () => {
    server = await startServer(target, `${resolverConfig(newJwtDir(), false)}\njetstream { store_dir: "./js" }`);
    const a = await newAccount(operator, 'A', { limits: { ...UNLIMITED, mem_storage: 1 << 20, disk_storage: 1 << 20, streams: 2, consumer: -1 } });
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    const jsm = await jetstreamManager(await client(a));
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    expect((await jsm.getAccountInfo()).limits.max_streams).toBe(2);
  });

  /** The account's JWT again, issued a second later (a newer JWT), with `limits` in place of its own. */
  async function reissued(account: TestAccount, name: string, limits: Record<string, unknown>): Promise<string> {
    await sleep(1_100);
    return encodeAccount(name, account.key, { signing_keys: [account.signer.getPublicKey()], limits: { ...UNLIMITED, ...limits } }, { ...V2, signer: operator.key });
  }

  it('applies changed JetStream limits of an account already served at once: fewer streams allowed refuse new ones', async () => {
    server = await startServer(target, `${resolverConfig(newJwtDir(), false)}\njetstream { store_dir: "./js" }`);
    const jetstream = { mem_storage: 1 << 20, disk_storage: 1 << 20, consumer: -1 };
    const a = await newAccount(operator, 'A', { limits: { ...UNLIMITED, ...jetstream, streams: 2 } });
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    const jsm = await jetstreamManager(await client(a));
    await jsm.streams.add({ name: 'ONE', subjects: ['one'] });
    const update = await request('$SYS.REQ.CLAIMS.UPDATE', await reissued(a, 'A', { ...jetstream, streams: 1 }));
    expect(update.data?.code).toBe(200);
    await eventually(async () => expect((await jsm.getAccountInfo()).limits.max_streams).toBe(1));
    await expect(jsm.streams.add({ name: 'TWO', subjects: ['two'] })).rejects.toThrow('maximum number of streams reached');
    expect((await jsm.streams.info('ONE')).config.name).toBe('ONE');
  });

  it('gives an account already served without JetStream its JetStream when an update adds limits', async () => {
    server = await startServer(target, `${resolverConfig(newJwtDir(), false)}\njetstream { store_dir: "./js" }`);
    const a = await newAccount(operator, 'A');
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    const nc = await client(a);
    await expect(jetstreamManager(nc)).rejects.toThrow();
    await request('$SYS.REQ.CLAIMS.UPDATE', await reissued(a, 'A', { mem_storage: 1 << 20, disk_storage: 1 << 20, streams: 3, consumer: -1 }));
    await eventually(async () => expect((await (await jetstreamManager(nc)).getAccountInfo()).limits.max_streams).toBe(3));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    expect((await jsm.getAccountInfo()).streams).toBe(1);
  });

  it('takes JetStream away from an account whose update has no JetStream limits, and gives its stored streams back with the next', async () => {
    server = await startServer(target, `${resolverConfig(newJwtDir(), false)}\njetstream { store_dir: "./js" }`);
    const jetstream = { mem_storage: 1 << 20, disk_storage: 1 << 20, streams: 3, consumer: -1 };
    const a = await newAccount(operator, 'A', { limits: { ...UNLIMITED, ...jetstream } });
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    const nc = await client(a);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'KEPT', subjects: ['kept'], storage: StorageType.File });
    await request('$SYS.REQ.CLAIMS.UPDATE', await reissued(a, 'A', {}));
    await eventually(async () => expect(jsm.getAccountInfo()).rejects.toThrow(/not enabled/));
    await request('$SYS.REQ.CLAIMS.UPDATE', await reissued(a, 'A', jetstream));
    await eventually(async () => expect((await jsm.streams.info('KEPT')).config.name).toBe('KEPT'));
  });

  it('loads the stored accounts at startup', async () => {
    const dir = newJwtDir();
    server = await start(dir);
    const a = await newAccount(operator, 'A');
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    await Promise.all(connections.splice(0).map((nc) => nc.close()));
    await server.stop();
    server = await start(dir);
    await (await client(a)).flush();
  });

  it('deletes accounts on an operator-signed request when allow_delete is set, closing their clients', async () => {
    const dir = newJwtDir();
    server = await start(dir, true);
    const a = await newAccount(operator, 'A');
    await request('$SYS.REQ.CLAIMS.UPDATE', a.jwt);
    const key = a.key.getPublicKey();
    const connected = await client(a);
    const bySystem = await encodeGeneric('delete', system.key, 'generic', { accounts: [key] } as never, V2);
    expect((await request('$SYS.REQ.CLAIMS.DELETE', bySystem)).error).toEqual({ code: 500, description: `delete accounts request by ${system.key.getPublicKey()} failed - not trusted` });
    const systemToo = await encodeGeneric('delete', operator.key, 'generic', { accounts: [system.key.getPublicKey()] } as never, V2);
    expect((await request('$SYS.REQ.CLAIMS.DELETE', systemToo)).error?.description).toBe(`delete accounts request by ${operator.key.getPublicKey()} failed - not allowed to delete system account`);
    const byOperator = await encodeGeneric('delete', operator.key, 'generic', { accounts: [key] } as never, V2);
    expect((await request('$SYS.REQ.CLAIMS.DELETE', byOperator)).data).toEqual({ code: 200, message: 'deleted 1 accounts' });
    // The deleted account's clients are told and closed.
    expect(String(await connected.closed())).toMatch(/Account Authentication Expired/i);
    expect(existsSync(join(dir, `${key}.jwt`))).toBe(false);
    expect(existsSync(join(dir, `${key}.jwt.deleted`))).toBe(true);
    expect((await request('$SYS.REQ.CLAIMS.LIST', '')).data).toEqual([system.key.getPublicKey()]);
  });

  it('refuses a delete when allow_delete is not set', async () => {
    server = await start(newJwtDir());
    const request_ = await encodeGeneric('delete', operator.key, 'generic', { accounts: [createAccount().getPublicKey()] } as never, V2);
    expect((await request('$SYS.REQ.CLAIMS.DELETE', request_)).error?.description).toBe(`delete accounts request by ${operator.key.getPublicKey()} failed - delete must be enabled in server config`);
  });
});
