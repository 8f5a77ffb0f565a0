// `trusted` (or `trusted_keys`): operator public keys trusted without the operators' JWTs, as
// nats-server 2.9 takes them. Users of accounts such an operator signed connect with their creds;
// users of another operator's accounts, and clients without a JWT, are refused.
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { newAccount, newOperator, userCreds, type TestAccount, type TestOperator } from './support/jwt.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

let trusted: TestOperator;
let account: TestAccount;
let stranger: TestAccount;

beforeAll(async () => {
  trusted = await newOperator();
  account = await newAccount(trusted, 'A');
  stranger = await newAccount(await newOperator(), 'S');
});

describeEachTarget('trusted operator keys', (target) => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  function config(key: string): string {
    const preload = [account, stranger].map((a) => `${a.key.getPublicKey()}: "${a.jwt}"`).join('\n  ');
    return `${key}: [ "${trusted.key.getPublicKey()}" ]\nresolver: MEMORY\nresolver_preload {\n  ${preload}\n}`;
  }

  it.each(['trusted', 'trusted_keys'])("admits the users of a %s operator's accounts, and refuses others", async (key) => {
    server = await startServer(target, config(key));
    const nc = await connect({ servers: server.clientUrl, reconnect: false, authenticator: credsAuthenticator(await userCreds(account)) });
    const sub = nc.subscribe('hello', { max: 1 });
    nc.publish('hello', 'world');
    for await (const msg of sub) expect(msg.string()).toBe('world');
    await nc.close();
    await expect(connect({ servers: server.clientUrl, reconnect: false, authenticator: credsAuthenticator(await userCreds(stranger)) })).rejects.toThrow(/Authorization Violation/i);
    await expect(connect({ servers: server.clientUrl, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
  });
});
