import { natsJwt } from '@nats-ts/base';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountDirectoryConfig } from './options.js';

/** nats-server's directory store names each account's file after its public key. */
export const ACCOUNT_JWT_EXTENSION = '.jwt';

/**
 * The full resolver's directory as nats-server lays it out (not sharded): `<account public
 * key>.jwt` holding the JWT. Created when missing, as nats-server does. A file whose JWT does
 * not decode, or is not the account its name says, throws: serving without it would refuse
 * that account's users with no hint why.
 */
export function readAccountDirectory(path: string): Map<string, string> {
  mkdirSync(path, { recursive: true, mode: 0o750 });
  const jwts = new Map<string, string>();
  for (const name of readdirSync(path).sort()) {
    if (!name.endsWith(ACCOUNT_JWT_EXTENSION)) continue;
    const key = name.slice(0, -ACCOUNT_JWT_EXTENSION.length);
    const jwt = readFileSync(join(path, name), 'utf8').trim();
    let subject: string;
    try {
      subject = (natsJwt().decode<unknown>(jwt) as { sub: string }).sub;
    } catch (err) {
      throw new Error(`${join(path, name)}: ${(err as Error).message}`);
    }
    if (subject !== key) throw new Error(`${join(path, name)}: the JWT of ${subject}`);
    jwts.set(key, jwt);
  }
  return jwts;
}

/**
 * The full resolver's store: what the system account's claims requests read and write, in the
 * layout readAccountDirectory reads at startup and on reload.
 */
export class AccountDirectory {
  readonly path: string;
  readonly allowDelete: boolean;
  private readonly limit: number;

  constructor(config: Readonly<AccountDirectoryConfig>) {
    this.path = config.path;
    this.allowDelete = config.allowDelete;
    this.limit = config.limit;
  }

  private fileOf(key: string): string {
    if (!/^[ACNOU][A-Z2-7]{55}$/.test(key)) throw new Error('invalid public key');
    return join(this.path, `${key}${ACCOUNT_JWT_EXTENSION}`);
  }

  load(key: string): string | undefined {
    try {
      return readFileSync(this.fileOf(key), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The stored accounts' public keys, sorted. */
  keys(): string[] {
    return readdirSync(this.path)
      .filter((name) => name.endsWith(ACCOUNT_JWT_EXTENSION))
      .map((name) => name.slice(0, -ACCOUNT_JWT_EXTENSION.length))
      .sort();
  }

  /** Stores `jwt` as `key`'s; false when it was stored already. Throws nats-server's errors. */
  save(key: string, jwt: string): boolean {
    const file = this.fileOf(key);
    const stored = this.load(key);
    if (stored === jwt) return false;
    if (stored === undefined && this.limit > 0 && this.keys().length >= this.limit) throw new Error('jwt store is full');
    mkdirSync(this.path, { recursive: true, mode: 0o750 });
    writeFileSync(file, jwt, { mode: 0o640 });
    return true;
  }

  /** Keeps a deleted account's file beside the others as `<key>.jwt.deleted`, as nats-server does. */
  delete(key: string): void {
    const file = this.fileOf(key);
    try {
      renameSync(file, `${file}.deleted`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
