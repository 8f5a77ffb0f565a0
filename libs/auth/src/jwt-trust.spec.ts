import { Algorithms, createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, newScopedSigner, type KeyPair } from '@nats-io/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import { OperatorTrust, type JwtUser } from './jwt-trust.js';

const V2 = { algorithm: Algorithms.v2 };
const NONCE = 'n0nce-challenge';
const HERE = { host: '127.0.0.1', type: 'STANDARD' as const, nowMs: Date.now() };

let operator: KeyPair;
let account: KeyPair;
let accountSigner: KeyPair;
let scopedSigner: KeyPair;
let accountJwt: string;

function sign(user: KeyPair): string {
  return Buffer.from(user.sign(new TextEncoder().encode(NONCE))).toString('base64url');
}

function trust(accounts: Record<string, string> = { [account.getPublicKey()]: accountJwt }, keys = [operator.getPublicKey()]): OperatorTrust {
  return new OperatorTrust(keys, new Map(Object.entries(accounts)));
}

beforeAll(async () => {
  operator = createOperator();
  account = createAccount();
  accountSigner = createAccount();
  scopedSigner = createAccount();
  await encodeOperator('O', operator, {}, V2);
  accountJwt = await encodeAccount(
    'A',
    account,
    {
      signing_keys: [accountSigner.getPublicKey(), newScopedSigner(scopedSigner, 'team', { pub: { allow: ['team.{{name()}}.>'] }, sub: { allow: ['{{tag(dept)}}.>'] } })],
      revocations: {},
    },
    { ...V2, signer: operator },
  );
});

describe('OperatorTrust', () => {
  it('proves a user signed by its account, who signed the nonce', async () => {
    const user = createUser();
    const jwt = await encodeUser('alice', user, account, { pub: { allow: ['a.>'] }, sub: { deny: ['secret'] }, resp: { max: 0, ttl: 0 } }, V2);
    const proved = trust().authenticate(jwt, NONCE, sign(user), HERE) as JwtUser;
    expect(proved).toEqual({
      userKey: user.getPublicKey(),
      accountKey: account.getPublicKey(),
      name: 'alice',
      permissions: { publish: { allow: ['a.>'] }, subscribe: { deny: ['secret'] }, allowResponses: { maxMsgs: 1, expiresMs: 120_000 } },
      // The user JWT says -1 (none); the account JWT leaves its limits out, which is 0 of each.
      limits: { maxPayload: 0, maxSubscriptions: 0, maxAccountConnections: 0, maxAccountLeafConnections: 0 },
    });
  });

  it('refuses a missing JWT, a missing or wrong signature, and a JWT that is not a user', async () => {
    const user = createUser();
    const jwt = await encodeUser('u', user, account, {}, V2);
    expect(trust().authenticate(undefined, NONCE, undefined, HERE)).toEqual({ refused: 'Authentication requires a user JWT' });
    expect(trust().authenticate(jwt, NONCE, undefined, HERE)).toEqual({ refused: 'Signature missing' });
    expect(trust().authenticate(jwt, NONCE, sign(createUser()), HERE)).toEqual({ refused: 'Signature not verified' });
    expect(trust().authenticate(accountJwt, NONCE, sign(user), HERE)).toHaveProperty('refused');
    expect(trust().authenticate(`${jwt}x`, NONCE, sign(user), HERE)).toHaveProperty('refused');
  });

  it('refuses accounts it does not know or whose operator it does not trust', async () => {
    const user = createUser();
    const jwt = await encodeUser('u', user, account, {}, V2);
    expect((trust({}).authenticate(jwt, NONCE, sign(user), HERE) as { refused: string }).refused).toMatch(/not found/);
    expect(trust(undefined, [createOperator().getPublicKey()]).authenticate(jwt, NONCE, sign(user), HERE)).toEqual({
      refused: 'Account JWT not signed by trusted operator',
    });
  });

  it('takes users of the account signing keys, and refuses other issuers', async () => {
    const user = createUser();
    const bySigner = await encodeUser('s', user, accountSigner, { issuer_account: account.getPublicKey() }, V2);
    expect(trust().authenticate(bySigner, NONCE, sign(user), HERE)).toMatchObject({ accountKey: account.getPublicKey() });
    const stranger = await encodeUser('x', user, createAccount(), { issuer_account: account.getPublicKey() }, V2);
    expect(trust().authenticate(stranger, NONCE, sign(user), HERE)).toEqual({ refused: 'User JWT issuer is not known' });
  });

  it('gives a scoped signing key user the template permissions, filled in', async () => {
    const user = createUser();
    const jwt = await encodeUser('bob', user, scopedSigner, { issuer_account: account.getPublicKey(), tags: ['dept:eng', 'dept:ops'] }, { ...V2, scopedUser: true });
    expect((trust().authenticate(jwt, NONCE, sign(user), HERE) as JwtUser).permissions).toEqual({
      publish: { allow: ['team.bob.>'] },
      subscribe: { allow: ['eng.>', 'ops.>'] },
      // The library's templates carry `resp: {max: 0, ttl: 0}`: responses allowed, with the defaults.
      allowResponses: { maxMsgs: 1, expiresMs: 120_000 },
    });
    const untagged = await encodeUser('carol', user, scopedSigner, { issuer_account: account.getPublicKey() }, { ...V2, scopedUser: true });
    expect((trust().authenticate(untagged, NONCE, sign(user), HERE) as { refused: string }).refused).toMatch(/invalid permissions/);
  });

  it('refuses expired and not yet valid JWTs, and reports the expiry of valid ones', async () => {
    const user = createUser();
    const nowSec = Math.floor(Date.now() / 1000);
    const expired = await encodeUser('u', user, account, {}, { ...V2, exp: nowSec - 5 });
    const early = await encodeUser('u', user, account, {}, { ...V2, nbf: nowSec + 3600 });
    const later = await encodeUser('u', user, account, {}, { ...V2, exp: nowSec + 60 });
    expect(trust().authenticate(expired, NONCE, sign(user), HERE)).toHaveProperty('refused');
    expect(trust().authenticate(early, NONCE, sign(user), HERE)).toHaveProperty('refused');
    expect((trust().authenticate(later, NONCE, sign(user), HERE) as JwtUser).expiresAtMs).toBe((nowSec + 60) * 1000);
  });

  it('refuses revoked users, one by one and all issued before a time', async () => {
    const user = createUser();
    const jwt = await encodeUser('u', user, account, {}, V2);
    const later = Math.floor(Date.now() / 1000) + 10;
    const revokedOne = await encodeAccount('A', account, { revocations: { [user.getPublicKey()]: later } }, { ...V2, signer: operator });
    const revokedAll = await encodeAccount('A', account, { revocations: { '*': later } }, { ...V2, signer: operator });
    for (const accountJwt of [revokedOne, revokedAll]) {
      expect(trust({ [account.getPublicKey()]: accountJwt }).authenticate(jwt, NONCE, sign(user), HERE)).toEqual({ refused: 'User authentication revoked', revoked: true });
    }
  });

  it('takes bearer tokens without a signature, unless the account disallows them', async () => {
    const user = createUser();
    const jwt = await encodeUser('u', user, account, { bearer_token: true }, V2);
    expect(trust().authenticate(jwt, NONCE, undefined, HERE)).toMatchObject({ userKey: user.getPublicKey() });
    const strict = await encodeAccount('A', account, { limits: { disallow_bearer: true } }, { ...V2, signer: operator });
    expect(trust({ [account.getPublicKey()]: strict }).authenticate(jwt, NONCE, undefined, HERE)).toEqual({ refused: 'Account does not allow bearer token' });
  });

  it('checks src, connection types and connect times', async () => {
    const user = createUser();
    const local = await encodeUser('u', user, account, { src: ['127.0.0.0/8', '::1/128'] }, V2);
    expect(trust().authenticate(local, NONCE, sign(user), HERE)).not.toHaveProperty('refused');
    expect(trust().authenticate(local, NONCE, sign(user), { ...HERE, host: '10.1.2.3' })).toEqual({ refused: 'Bad src Ip 10.1.2.3' });
    const wsOnly = await encodeUser('u', user, account, { allowed_connection_types: ['WEBSOCKET'] }, V2);
    expect(trust().authenticate(wsOnly, NONCE, sign(user), HERE)).toEqual({ refused: 'Connection type not allowed' });
    expect(trust().authenticate(wsOnly, NONCE, sign(user), { ...HERE, type: 'WEBSOCKET' })).not.toHaveProperty('refused');
    const noon = Date.UTC(2026, 0, 1, 12, 0, 0);
    const office = await encodeUser('u', user, account, { times: [{ start: '09:00:00', end: '17:00:00' }], locale: 'UTC' }, V2);
    expect(trust().authenticate(office, NONCE, sign(user), { ...HERE, nowMs: noon })).not.toHaveProperty('refused');
    expect(trust().authenticate(office, NONCE, sign(user), { ...HERE, nowMs: noon + 8 * 3600_000 })).toEqual({ refused: 'Outside connect times' });
  });

  it("falls back to the account's default permissions", async () => {
    const user = createUser();
    const jwt = await encodeUser('u', user, account, {}, V2);
    const withDefaults = await encodeAccount('A', account, { default_permissions: { pub: { deny: ['admin.>'] } } }, { ...V2, signer: operator });
    expect((trust({ [account.getPublicKey()]: withDefaults }).authenticate(jwt, NONCE, sign(user), HERE) as JwtUser).permissions).toEqual({
      publish: { deny: ['admin.>'] },
    });
  });
});
