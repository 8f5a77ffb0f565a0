// Authentication: who may connect (user/password, token, users list with plain and bcrypt passwords,
// nkey users, no_auth_user) and multi-account isolation. Expected texts are those nats-server 2.9 sends.
import bcrypt from 'bcryptjs';
import { createUser, type KeyPair } from '@nats-io/nkeys';
import { connect, nkeyAuthenticator, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { nkeyConnectFields } from './support/nkeys.js';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const authorizationViolation = "-ERR 'Authorization Violation'";

/** Collects the payloads a subscription receives, as text. */
function collect(sub: Subscription): string[] {
  const received: string[] = [];
  void (async () => {
    for await (const msg of sub) received.push(msg.string());
  })();
  return received;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachTarget('authentication', (target) => {
  let server: RunningServer | undefined;
  const connections: NatsConnection[] = [];
  const rawClients: RawClient[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    for (const raw of rawClients.splice(0)) raw.close();
    await server?.stop();
    server = undefined;
  });

  /** `nkeyUser`: authenticate by signing the nonce with its seed, as nkey users do. */
  async function client(options: { user?: string; pass?: string; token?: string; nkeyUser?: KeyPair } = {}): Promise<NatsConnection> {
    const { nkeyUser, ...credentials } = options;
    const authenticator = nkeyUser === undefined ? {} : { authenticator: nkeyAuthenticator(nkeyUser.getSeed()) };
    const nc = await connect({ servers: server!.clientUrl, reconnect: false, timeout: 3_000, ...credentials, ...authenticator });
    connections.push(nc);
    return nc;
  }

  async function raw(): Promise<RawClient> {
    const rc = await RawClient.connect(server!.port);
    rawClients.push(rc);
    return rc;
  }

  /** CONNECT fields, or how to make them from the INFO's nonce (to sign it). */
  type ConnectFields = Record<string, unknown> | ((nonce: string) => Record<string, unknown>);

  function sendConnect(rc: RawClient, fields: ConnectFields): void {
    const given = typeof fields === 'function' ? fields(String(rc.info.nonce)) : fields;
    rc.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...given })}\r\nPING\r\n`);
  }

  /** Sends CONNECT with `fields` and PING; expects the Authorization Violation error and a closed socket. */
  async function expectRejected(fields: ConnectFields): Promise<void> {
    const rc = await raw();
    sendConnect(rc, fields);
    expect(await rc.nextLine()).toBe(authorizationViolation);
    expect(await rc.waitClosed()).toBe(true);
  }

  async function expectAccepted(fields: ConnectFields): Promise<void> {
    const rc = await raw();
    sendConnect(rc, fields);
    expect(await rc.nextLine()).toBe('PONG');
  }

  /** Proves `nc` is a working session: a message it publishes comes back to its own subscription. */
  async function expectEcho(nc: NatsConnection): Promise<void> {
    const sub = nc.subscribe('auth.echo', { max: 1 });
    const received = collect(sub);
    nc.publish('auth.echo', 'hello');
    await waitUntil(() => received.length === 1, 'echo message');
    expect(received).toEqual(['hello']);
  }

  describe('single user and password', () => {
    const config = 'authorization { user: alice, password: "s3cret" }';

    it('announces auth_required in INFO', async () => {
      server = await startServer(target, config);
      const rc = await raw();
      expect(rc.info.auth_required).toBe(true);
    });

    it('accepts the right credentials', async () => {
      server = await startServer(target, config);
      await expectAccepted({ user: 'alice', pass: 's3cret' });
      await expectEcho(await client({ user: 'alice', pass: 's3cret' }));
    });

    it('rejects a wrong password, a wrong user and missing credentials with Authorization Violation', async () => {
      server = await startServer(target, config);
      await expectRejected({ user: 'alice', pass: 'wrong' });
      await expectRejected({ user: 'bob', pass: 's3cret' });
      await expectRejected({});
    });

    it('rejects protocol sent before CONNECT', async () => {
      server = await startServer(target, config);
      const rc = await raw();
      rc.send('PING\r\n');
      expect(await rc.nextLine()).toBe(authorizationViolation);
      expect(await rc.waitClosed()).toBe(true);
    });

    it('the official client reports an authorization error', async () => {
      server = await startServer(target, config);
      await expect(client({ user: 'alice', pass: 'wrong' })).rejects.toThrow(/Authorization Violation/i);
    });
  });

  describe('token', () => {
    const config = 'authorization { token: "t0k3n-value" }';

    it('accepts the right token', async () => {
      server = await startServer(target, config);
      await expectAccepted({ auth_token: 't0k3n-value' });
      await expectEcho(await client({ token: 't0k3n-value' }));
    });

    it('rejects a wrong or missing token', async () => {
      server = await startServer(target, config);
      await expectRejected({ auth_token: 'other' });
      await expectRejected({});
      await expect(client({ token: 'other' })).rejects.toThrow(/Authorization Violation/i);
    });
  });

  describe('users list', () => {
    // bcrypt cost 11 with the $2a$ prefix, the form nats-server's own `passwd` tool produces.
    const hashed = bcrypt.hashSync('hashed-pass', bcrypt.genSaltSync(11)).replace(/^\$2b\$/, '$2a$');
    const config = `
      authorization {
        users: [
          { user: plain, password: "plain-pass" }
          { user: hashed, password: "${hashed}" }
        ]
      }`;

    it('the hash in the config is a $2a$11$ bcrypt hash', () => {
      expect(hashed).toMatch(/^\$2a\$11\$/);
    });

    it('accepts plain-text and bcrypt passwords', async () => {
      server = await startServer(target, config);
      await expectEcho(await client({ user: 'plain', pass: 'plain-pass' }));
      await expectEcho(await client({ user: 'hashed', pass: 'hashed-pass' }));
    });

    it('compares bcrypt passwords, not the hash text', async () => {
      server = await startServer(target, config);
      await expectRejected({ user: 'hashed', pass: hashed });
      await expectRejected({ user: 'hashed', pass: 'plain-pass' });
      await expectRejected({ user: 'plain', pass: 'hashed-pass' });
      await expectRejected({ user: 'nobody', pass: 'plain-pass' });
    });
  });

  describe('accounts', () => {
    const config = `
      accounts {
        A { users: [ { user: a1, password: a1 }, { user: a2, password: a2 } ] }
        B { users: [ { user: b1, password: b1 } ] }
      }`;

    it('messages flow between users of the same account', async () => {
      server = await startServer(target, config);
      const a1 = await client({ user: 'a1', pass: 'a1' });
      const a2 = await client({ user: 'a2', pass: 'a2' });
      const received = collect(a2.subscribe('shared'));
      await a2.flush();
      a1.publish('shared', 'from a1');
      await waitUntil(() => received.length === 1, 'message within account A');
      expect(received).toEqual(['from a1']);
    });

    it('the same subject in two accounts never crosses', async () => {
      server = await startServer(target, config);
      const a1 = await client({ user: 'a1', pass: 'a1' });
      const b1 = await client({ user: 'b1', pass: 'b1' });
      const inA = collect(a1.subscribe('shared'));
      const inB = collect(b1.subscribe('shared'));
      await Promise.all([a1.flush(), b1.flush()]);
      // Each side publishes, then a marker on its own account once the other side's publish was
      // processed: the marker arriving first proves the other account's message was not delivered.
      b1.publish('shared', 'from B');
      await b1.flush();
      a1.publish('shared', 'from A');
      await a1.flush();
      b1.publish('shared', 'marker B');
      await waitUntil(() => inA.length >= 1 && inB.length >= 2, 'own-account messages');
      await Promise.all([a1.flush(), b1.flush()]);
      expect(inA).toEqual(['from A']);
      expect(inB).toEqual(['from B', 'marker B']);
    });

    it('rejects users not in any account', async () => {
      server = await startServer(target, config);
      await expectRejected({ user: 'c1', pass: 'c1' });
      await expectRejected({ user: 'a1', pass: 'b1' });
    });
  });

  describe('no_auth_user', () => {
    const config = `
      accounts {
        A { users: [ { user: a1, password: a1 } ] }
        B { users: [ { user: guest, password: guest } ] }
      }
      no_auth_user: guest`;

    it('a client without credentials is bound to the no_auth_user (account B)', async () => {
      server = await startServer(target, config);
      const anonymous = await client();
      const guest = await client({ user: 'guest', pass: 'guest' });
      const a1 = await client({ user: 'a1', pass: 'a1' });
      const guestReceived = collect(guest.subscribe('who'));
      const a1Received = collect(a1.subscribe('who'));
      await Promise.all([guest.flush(), a1.flush()]);
      anonymous.publish('who', 'anonymous');
      await anonymous.flush();
      a1.publish('who', 'marker A');
      await waitUntil(() => guestReceived.length === 1 && a1Received.length === 1, 'deliveries');
      await Promise.all([guest.flush(), a1.flush()]);
      expect(guestReceived).toEqual(['anonymous']);
      expect(a1Received).toEqual(['marker A']);
    });

    it('explicit credentials still authenticate and are still checked', async () => {
      server = await startServer(target, config);
      await expectAccepted({ user: 'a1', pass: 'a1' });
      await expectRejected({ user: 'a1', pass: 'wrong' });
    });
  });

  describe('nkey users', () => {
    const alice = createUser();
    const bob = createUser();
    const stranger = createUser();
    const limited = createUser();

    /** CONNECT fields claiming `claimed`'s public nkey, with the nonce signed by `signer`. */
    const signed =
      (claimed: KeyPair, signer: KeyPair = claimed) =>
      (nonce: string): Record<string, unknown> =>
        nkeyConnectFields(nonce, claimed, signer);

    const config = `
      authorization {
        users: [
          { nkey: ${alice.getPublicKey()} }
          { nkey: ${limited.getPublicKey()}, permissions: { publish: "allowed.>", subscribe: "allowed.>" } }
          { user: pw, password: pw }
        ]
      }`;

    it('INFO carries a fresh nonce for each connection', async () => {
      server = await startServer(target, config);
      const [first, second] = [await raw(), await raw()];
      expect(first.info.auth_required).toBe(true);
      expect(first.info.nonce).toMatch(/^[A-Za-z0-9_-]{15}$/);
      expect(second.info.nonce).toMatch(/^[A-Za-z0-9_-]{15}$/);
      expect(second.info.nonce).not.toBe(first.info.nonce);
    });

    it('the official client signs in with the seed; password users still work beside nkey users', async () => {
      server = await startServer(target, config);
      await expectEcho(await client({ nkeyUser: alice }));
      await expectEcho(await client({ user: 'pw', pass: 'pw' }));
      await expectAccepted(signed(alice));
    });

    it('refuses a wrong seed, an unknown nkey, and a missing or malformed signature', async () => {
      server = await startServer(target, config);
      await expect(client({ nkeyUser: stranger })).rejects.toThrow(/Authorization Violation/i);
      await expectRejected(signed(alice, stranger));
      await expectRejected(signed(stranger));
      await expectRejected({ nkey: alice.getPublicKey() });
      await expectRejected({ nkey: alice.getPublicKey(), sig: 'not-a-signature' });
      // A signature of another nonce proves nothing either (no replay).
      await expectRejected({ ...signed(alice)('some other nonce') });
    });

    it('enforces the permissions of an nkey user', async () => {
      server = await startServer(target, config);
      const rc = await raw();
      sendConnect(rc, signed(limited));
      expect(await rc.nextLine()).toBe('PONG');
      rc.send('SUB allowed.x 1\r\nSUB denied.x 2\r\nPUB denied.y 2\r\nno\r\nPUB allowed.x 3\r\nyes\r\nPING\r\n');
      expect(await rc.nextLine()).toBe(`-ERR 'Permissions Violation for Subscription to "denied.x"'`);
      expect(await rc.nextLine()).toBe(`-ERR 'Permissions Violation for Publish to "denied.y"'`);
      expect(await rc.nextLine()).toBe('MSG allowed.x 1 3');
      expect(await rc.nextLine()).toBe('yes');
      expect(await rc.nextLine()).toBe('PONG');
    });

    it('nkey users of an account share it with its password users, and no other', async () => {
      server = await startServer(
        target,
        `accounts {
          A { users: [ { nkey: ${alice.getPublicKey()} }, { user: a2, password: a2 } ] }
          B { users: [ { nkey: ${bob.getPublicKey()} } ] }
        }`,
      );
      const inA = await client({ nkeyUser: alice });
      const a2 = await client({ user: 'a2', pass: 'a2' });
      const inB = await client({ nkeyUser: bob });
      const receivedInA = collect(inA.subscribe('shared'));
      const receivedInB = collect(inB.subscribe('shared'));
      await Promise.all([inA.flush(), inB.flush()]);
      a2.publish('shared', 'from a2');
      await a2.flush();
      inB.publish('shared', 'marker B');
      await waitUntil(() => receivedInA.length === 1 && receivedInB.length === 1, 'deliveries');
      await Promise.all([inA.flush(), inB.flush()]);
      expect(receivedInA).toEqual(['from a2']);
      expect(receivedInB).toEqual(['marker B']);
    });
  });
});
