import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Algorithms, createAccount, createOperator, encodeAccount, encodeOperator, type KeyPair } from '@nats-io/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigFiles } from './config-files.test-support.js';
import { loadConfigFile } from './load.js';

const V2 = { algorithm: Algorithms.v2 };
const files = new ConfigFiles('nats-ts-operator-');
const dir = files.dir;
let resolverDirs = 0;
let operator: KeyPair;
let signingKey: KeyPair;
let operatorJwt: string;
let account: KeyPair;
let accountJwt: string;

beforeAll(async () => {
  operator = createOperator();
  signingKey = createOperator();
  operatorJwt = await encodeOperator('OP', operator, { signing_keys: [signingKey.getPublicKey()] }, V2);
  account = createAccount();
  accountJwt = await encodeAccount('A', account, {}, { ...V2, signer: signingKey });
});

const write = (text: string): string => files.write(text);

const errorsOf = (text: string): string[] => files.errorsOf(text);

describe('operator mode configuration', () => {
  it('reads an inline operator JWT, a memory resolver and its preload', () => {
    const { options } = loadConfigFile(write(`operator: "${operatorJwt}"\nresolver: MEMORY\nresolver_preload { ${account.getPublicKey()}: "${accountJwt}" }`), {});
    expect(options.trust).toEqual({
      operatorJwts: [operatorJwt],
      trustedKeys: [operator.getPublicKey(), signingKey.getPublicKey()],
      resolver: 'memory',
      accountJwts: new Map([[account.getPublicKey(), accountJwt]]),
      accountSharing: [{ name: account.getPublicKey(), sharing: { streamExports: [], serviceExports: [], streamImports: [], serviceImports: [], mappings: [] } }],
    });
  });

  it('reads trusted keys without operator JWTs, with the system account of the configuration', () => {
    const sys = createAccount().getPublicKey();
    const { options } = loadConfigFile(write(`trusted: "${operator.getPublicKey()}"\nsystem_account: ${sys}\nresolver: MEMORY\nresolver_preload { ${account.getPublicKey()}: "${accountJwt}" }`), {});
    expect(options.trust?.operatorJwts).toEqual([]);
    expect(options.trust?.trustedKeys).toEqual([operator.getPublicKey()]);
    expect(options.systemAccount).toBe(sys);
  });

  it('refuses trusted keys beside operator JWTs, as nats-server', () => {
    expect(errorsOf(`operator: "${operatorJwt}"\nresolver: MEMORY\ntrusted_keys: [ "${operator.getPublicKey()}" ]`)).toEqual([
      "F:3:1: conflicting options for 'TrustedKeys' and 'TrustedOperators'",
    ]);
  });

  it('reads an operator file as nsc writes it, framed by BEGIN and END lines', () => {
    const file = join(dir, 'op.jwt');
    writeFileSync(file, `-----BEGIN NATS OPERATOR JWT-----\n${operatorJwt}\n------END NATS OPERATOR JWT------\n`);
    const { options } = loadConfigFile(write(`operators: [ "${file}" ]\nresolver: MEM`), {});
    expect(options.trust?.operatorJwts).toEqual([operatorJwt]);
  });

  it('reads a full resolver, creating its directory and taking the JWTs it holds', () => {
    const jwtDir = join(dir, `full${++resolverDirs}`);
    const first = loadConfigFile(write(`operator: "${operatorJwt}"\nresolver: { type: full, dir: "${jwtDir}", allow_delete: true, interval: "2m", limit: 10, timeout: "2s" }`), {});
    expect(first.options.trust?.resolver).toBe('full');
    expect(first.options.trust?.directory).toEqual({ path: jwtDir, allowDelete: true, limit: 10 });
    expect(first.options.trust?.accountJwts.size).toBe(0);
    writeFileSync(join(jwtDir, `${account.getPublicKey()}.jwt`), accountJwt);
    const second = loadConfigFile(write(`operator: "${operatorJwt}"\nresolver: { type: full, dir: "${jwtDir}" }`), {});
    expect(second.options.trust?.accountJwts).toEqual(new Map([[account.getPublicKey(), accountJwt]]));
  });

  it('refuses a full resolver directory holding a file that is not the JWT its name says', () => {
    const jwtDir = join(dir, `full${++resolverDirs}`);
    mkdirSync(jwtDir);
    const other = createAccount().getPublicKey();
    writeFileSync(join(jwtDir, `${other}.jwt`), accountJwt);
    const errors = errorsOf(`operator: "${operatorJwt}"\nresolver: { type: full, dir: "${jwtDir}" }`);
    expect(errors).toEqual([`F:2:1: error reading the account resolver's directory: ${join(jwtDir, `${other}.jwt`)}: the JWT of ${account.getPublicKey()}`]);
  });

  it('is not operator mode with a resolver but no operator', () => {
    const { options } = loadConfigFile(write('resolver: MEMORY'), {});
    expect(options.trust).toBeUndefined();
  });

  it.each([
    ['an operator without a resolver', () => `operator: "${operatorJwt}"`, ['F:1:1: operators require an account resolver to be configured']],
    ['an operator file that is missing', () => 'operator: "/nonexistent/op.jwt"\nresolver: MEMORY', [/^F:1:1: error parsing operator JWT: ENOENT/]],
    ['an account JWT given as operator', () => `operator: "${accountJwt}"\nresolver: MEMORY`, ['F:1:1: error parsing operator JWT: not an operator JWT (account)']],
    [
      'accounts beside an operator',
      () => `operator: "${operatorJwt}"\nresolver: MEMORY\naccounts { A { users: [ {user: a} ] } }`,
      ['F:1:1: operators do not allow Accounts to be configured directly'],
    ],
    ['users beside an operator', () => `operator: "${operatorJwt}"\nresolver: MEMORY\nauthorization { users: [ {user: a} ] }`, ['F:1:1: operators do not allow users to be configured directly']],
    ['a URL resolver', () => `operator: "${operatorJwt}"\nresolver: URL("http://localhost:9090/jwt/v1/accounts/")`, [/^F:2:1: "resolver" is not supported: the URL account resolver/]],
    ['a cache resolver', () => `operator: "${operatorJwt}"\nresolver: { type: cache, dir: "${dir}/cache" }`, [/^F:2:1: "resolver" is not supported: the cache account resolver is not implemented/]],
    ['a full resolver without a dir', () => `operator: "${operatorJwt}"\nresolver: { type: full }`, ['F:2:1: dir has no value and needs to point to a directory']],
    ['a full resolver whose dir is a file', () => `operator: "${operatorJwt}"\nresolver: { type: full, dir: "${write('')}" }`, ['F:2:1: dir needs to point to an accessible directory']],
    ['a full resolver with a ttl', () => `operator: "${operatorJwt}"\nresolver: { type: full, dir: "${dir}/ttl", ttl: "2m" }`, ['F:2:1: FULL does not accept ttl']],
    ['a full resolver with a zero timeout', () => `operator: "${operatorJwt}"\nresolver: { type: full, dir: "${dir}/to", timeout: "0s" }`, ['F:2:1: Fetch timeout 0s is too smal']],
    ['a directory resolver of no type', () => `operator: "${operatorJwt}"\nresolver: { dir: "${dir}/none" }`, [/^F:2:1: error parsing account resolver, should be MEM/]],
    ['a resolver of no kind', () => `operator: "${operatorJwt}"\nresolver: SOMETHING`, [/^F:2:1: error parsing account resolver, should be MEM/]],
    ['a preload that is not a map', () => `operator: "${operatorJwt}"\nresolver: MEMORY\nresolver_preload: "x"`, ['F:3:1: preload should be a map of account_public_key:account_jwt']],
    ['a preload value that is no JWT', () => `operator: "${operatorJwt}"\nresolver: MEMORY\nresolver_preload {\n  AXYZ: "nope"\n}`, ['F:4:3: invalid account JWT']],
  ])('refuses %s, naming file and line', (_what, text, expected) => {
    const errors = errorsOf(text());
    expect(errors).toHaveLength(expected.length);
    expected.forEach((e, i) => (typeof e === 'string' ? expect(errors[i]).toBe(e) : expect(errors[i]).toMatch(e)));
  });
});
