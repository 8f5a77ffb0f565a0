// Operator-mode fixtures: an operator, accounts it signs, users of them as creds, and the
// server configuration (`operator`, `resolver: MEMORY`, `resolver_preload`) that trusts them.
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { Algorithms, createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, fmtCreds, type KeyPair, type User } from '@nats-io/jwt';

export const V2 = { algorithm: Algorithms.v2 };

/** What nsc writes for an account without limits (a JWT without `limits` allows no connection). */
export const UNLIMITED = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };

export interface TestOperator {
  key: KeyPair;
  jwt: string;
}

export interface TestAccount {
  key: KeyPair;
  /** A signing key listed in the account JWT. */
  signer: KeyPair;
  jwt: string;
}

export async function newOperator(): Promise<TestOperator> {
  const key = createOperator();
  return { key, jwt: await encodeOperator('OP', key, {}, V2) };
}

/** An account the operator signed, with a signing key and no limits (unless `extra` sets some). */
export async function newAccount(operator: TestOperator, name: string, extra: Record<string, unknown> = {}): Promise<TestAccount> {
  const key = createAccount();
  const signer = createAccount();
  const jwt = await encodeAccount(name, key, { signing_keys: [signer.getPublicKey()], limits: UNLIMITED, ...extra }, { ...V2, signer: operator.key });
  return { key, signer, jwt };
}

/** A user JWT of `account`, issued by `issuer` (the account, or its signing key). */
export async function userJwt(account: TestAccount, user: KeyPair, claims: Partial<User> = {}, options: { issuer?: KeyPair; exp?: number } = {}): Promise<string> {
  const issuer = options.issuer ?? account.key;
  const withIssuer = issuer === account.key ? claims : { ...claims, issuer_account: account.key.getPublicKey() };
  return encodeUser('u', user, issuer, withIssuer, { ...V2, ...(options.exp !== undefined ? { exp: options.exp } : {}) });
}

/** A creds file's bytes for a new user of `account`. */
export async function userCreds(account: TestAccount, claims: Partial<User> = {}, options: { issuer?: KeyPair; exp?: number; key?: KeyPair } = {}): Promise<Uint8Array> {
  const key = options.key ?? createUser();
  return fmtCreds(await userJwt(account, key, claims, options), key);
}

/** The configuration lines that put a server in operator mode, trusting these accounts. */
/** A client of `account` with a new user's creds, that does not reconnect. */
export async function connectWithCreds(url: string, account: TestAccount): Promise<NatsConnection> {
  return connect({ servers: url, reconnect: false, timeout: 3_000, authenticator: credsAuthenticator(await userCreds(account, {}, { key: createUser() })) });
}

export function operatorConfig(operator: TestOperator, accounts: TestAccount[]): string {
  const preload = accounts.map((a) => `${a.key.getPublicKey()}: "${a.jwt}"`).join('\n  ');
  return `operator: "${operator.jwt}"\nresolver: MEMORY\nresolver_preload {\n  ${preload}\n}`;
}

/** CONNECT's `sig`: the nonce signed by the user's key, base64url. */
export function signedNonce(user: KeyPair, nonce: string): string {
  return Buffer.from(user.sign(Buffer.from(nonce))).toString('base64url');
}
