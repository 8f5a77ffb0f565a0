import { describe, expect, it } from 'vitest';
import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';
import { AccountRegistry } from './account.js';
import type { SublistEntry } from './sublist-result.js';

describe('AccountRegistry', () => {
  it('starts with the global account', () => {
    const registry = new AccountRegistry<SublistEntry>();
    expect(registry.globalAccount.name).toBe(GLOBAL_ACCOUNT_NAME);
    expect(GLOBAL_ACCOUNT_NAME).toBe('$G');
    expect(registry.get('$G')).toBe(registry.globalAccount);
    expect(registry.all()).toEqual([registry.globalAccount]);
  });

  it('creates accounts once and keeps their interest apart', () => {
    const registry = new AccountRegistry<SublistEntry>();
    expect(registry.get('A')).toBeUndefined();
    const a = registry.getOrCreate('A');
    expect(registry.getOrCreate('A')).toBe(a);
    const b = registry.getOrCreate('B');
    a.sublist.insert({ subject: 'foo', queue: undefined });
    expect(a.sublist.match('foo').plain.length).toBe(1);
    expect(b.sublist.match('foo').plain.length).toBe(0);
    expect(registry.globalAccount.sublist.match('foo').plain.length).toBe(0);
    expect(registry.all().map((account) => account.name).sort()).toEqual(['$G', 'A', 'B']);
  });
});
