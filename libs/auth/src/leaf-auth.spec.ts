import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { loadConfigFile } from '@nats-ts/config';
import { describe, expect, it } from 'vitest';
import { leafAccount, leafAuthRequired } from './leaf-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'leaf-auth-spec-'));
let counter = 0;
function optionsOf(text: string): ReturnType<typeof loadConfigFile>['options'] {
  const path = join(dir, `c${++counter}.conf`);
  writeFileSync(path, `leafnodes { port: -1 }\n${text}`);
  return loadConfigFile(path, {}).options;
}

describe('leaf authentication beside nkey users', () => {
  it('requires credentials and refuses anonymous leafs where only nkey users are configured', () => {
    const options = optionsOf(`authorization { users: [ { nkey: ${createUser().getPublicKey()} } ] }`);
    expect(leafAuthRequired(options.leafnodes!, options)).toBe(true);
    expect(leafAccount(options.leafnodes!, options, undefined, undefined)).toBeUndefined();
  });

  it('still admits a password user next to nkey users', () => {
    const options = optionsOf(`accounts { A { users: [ { nkey: ${createUser().getPublicKey()} }, { user: leaf, password: pw } ] } }`);
    expect(leafAccount(options.leafnodes!, options, 'leaf', 'pw')).toBe('A');
    expect(leafAccount(options.leafnodes!, options, 'leaf', 'wrong')).toBeUndefined();
  });
});
