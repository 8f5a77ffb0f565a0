import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Algorithms, createAccount, createOperator, encodeAccount } from '@nats-io/jwt';
import { describe, expect, it } from 'vitest';
import { AccountDirectory, readAccountDirectory } from './account-directory.js';

const V2 = { algorithm: Algorithms.v2 };

async function accountJwt(): Promise<{ key: string; jwt: string }> {
  const key = createAccount();
  return { key: key.getPublicKey(), jwt: await encodeAccount('A', key, {}, { ...V2, signer: createOperator() }) };
}

describe('the full resolver directory', () => {
  it('stores a JWT as <key>.jwt, tells an unchanged save apart, and reads back what it stored', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nats-ts-accdir-')), 'jwt');
    readAccountDirectory(path);
    const directory = new AccountDirectory({ path, allowDelete: false, limit: 0 });
    const a = await accountJwt();
    expect(directory.save(a.key, a.jwt)).toBe(true);
    expect(directory.save(a.key, a.jwt)).toBe(false);
    expect(readFileSync(join(path, `${a.key}.jwt`), 'utf8')).toBe(a.jwt);
    expect(directory.load(a.key)).toBe(a.jwt);
    expect(directory.keys()).toEqual([a.key]);
    expect(readAccountDirectory(path)).toEqual(new Map([[a.key, a.jwt]]));
  });

  it('refuses a new account past its limit and a key that is not one, as nats-server', async () => {
    const path = mkdtempSync(join(tmpdir(), 'nats-ts-accdir-'));
    const directory = new AccountDirectory({ path, allowDelete: true, limit: 1 });
    const [a, b] = [await accountJwt(), await accountJwt()];
    directory.save(a.key, a.jwt);
    expect(() => directory.save(b.key, b.jwt)).toThrow('jwt store is full');
    expect(() => directory.save('../escape', a.jwt)).toThrow('invalid public key');
  });

  it('keeps a deleted account as <key>.jwt.deleted, out of the stored keys', async () => {
    const path = mkdtempSync(join(tmpdir(), 'nats-ts-accdir-'));
    const directory = new AccountDirectory({ path, allowDelete: true, limit: 0 });
    const a = await accountJwt();
    directory.save(a.key, a.jwt);
    directory.delete(a.key);
    directory.delete(a.key);
    expect(existsSync(join(path, `${a.key}.jwt.deleted`))).toBe(true);
    expect(directory.keys()).toEqual([]);
    expect(directory.load(a.key)).toBeUndefined();
  });
});
