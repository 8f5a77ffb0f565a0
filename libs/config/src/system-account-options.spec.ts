import { Algorithms, createAccount, createOperator, encodeAccount, encodeOperator } from '@nats-io/jwt';
import { describe, expect, it } from 'vitest';
import { ConfigFiles } from './config-files.test-support.js';
import { loadConfigFile } from './load.js';

const files = new ConfigFiles('nats-ts-sysacc-');

const write = (text: string): string => files.write(text);

function systemAccountOf(text: string): string | undefined {
  const { options, warnings } = loadConfigFile(write(text), {});
  expect(warnings).toEqual([]);
  return options.systemAccount;
}

const errorsOf = (text: string): string[] => files.errorsOf(text);

describe('system_account', () => {
  it('defaults to $SYS, as nats-server 2.9 creates it, whose users may be declared in accounts', () => {
    expect(systemAccountOf('port: 4222')).toBe('$SYS');
    expect(systemAccountOf('accounts { $SYS { users: [ { user: admin, password: pw } ] } }')).toBe('$SYS');
  });

  it('names a configured account, by either key', () => {
    expect(systemAccountOf('accounts { SYS { users: [ { user: admin, password: pw } ] } }\nsystem_account: SYS')).toBe('SYS');
    expect(systemAccountOf('system: SYS\naccounts { SYS {} }')).toBe('SYS');
  });

  it('is off with no_system_account, unless one is named', () => {
    expect(systemAccountOf('no_system_account: true')).toBeUndefined();
    expect(systemAccountOf('no_sys_acc: true\nsystem_account: SYS\naccounts { SYS {} }')).toBe('SYS');
  });

  it('refuses an account that is not defined, a non-string and $G, naming file:line:col', () => {
    expect(errorsOf('accounts { A {} }\nsystem_account: NOPE')).toEqual(['F:2:1: system account "NOPE" is not defined in accounts']);
    expect(errorsOf('system_account: [SYS]')).toEqual(['F:1:1: system account name must be a string']);
    expect(errorsOf('system_account: "$G"')).toEqual(['F:1:1: the global account "$G" cannot be the system account']);
  });

  it("in operator mode, takes the operator JWT's system account, or the file's (which must be an account key)", async () => {
    const operator = createOperator();
    const sys = createAccount();
    const other = createAccount();
    const V2 = { algorithm: Algorithms.v2 };
    const operatorJwt = await encodeOperator('OP', operator, { system_account: sys.getPublicKey() }, V2);
    const sysJwt = await encodeAccount('SYS', sys, {}, { ...V2, signer: operator });
    const otherJwt = await encodeAccount('O', other, {}, { ...V2, signer: operator });
    const base = `operator: ${operatorJwt}\nresolver: MEMORY\nresolver_preload { ${sys.getPublicKey()}: ${sysJwt}, ${other.getPublicKey()}: ${otherJwt} }\n`;
    expect(systemAccountOf(base)).toBe(sys.getPublicKey());
    expect(systemAccountOf(`${base}system_account: ${other.getPublicKey()}`)).toBe(other.getPublicKey());
    expect(errorsOf(`${base}system_account: SYS`)).toEqual(['F:4:1: system account "SYS" is not a valid public account nkey']);
  });
});
