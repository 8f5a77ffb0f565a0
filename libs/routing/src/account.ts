import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';
import type { AccountSharing } from './router/account-sharing.js';
import type { ImportDemand } from './router/shared-interest.js';
import type { SubjectMapper } from './subject-mapping.js';
import { Sublist } from './sublist.js';
import type { SublistEntry } from './sublist-result.js';

/** An isolated subject namespace: each account keeps its own interest. */
export class Account<T extends SublistEntry> {
  readonly sublist = new Sublist<T>();
  /** The account's subject mappings; undefined (no cost per message) when it has none. */
  mapper: SubjectMapper | undefined;
  /** What it imports and exports; undefined (no cost per message) when it shares nothing. */
  sharing: AccountSharing | undefined;
  /** Its stream imports, watched as its entries come and go; undefined when it imports no stream. */
  importDemand: ImportDemand | undefined;

  constructor(readonly name: string) {}
}

export class AccountRegistry<T extends SublistEntry> {
  private readonly accounts = new Map<string, Account<T>>();
  readonly globalAccount: Account<T>;

  constructor() {
    this.globalAccount = this.getOrCreate(GLOBAL_ACCOUNT_NAME);
  }

  get(name: string): Account<T> | undefined {
    return this.accounts.get(name);
  }

  getOrCreate(name: string): Account<T> {
    let account = this.accounts.get(name);
    if (account === undefined) {
      account = new Account<T>(name);
      this.accounts.set(name, account);
    }
    return account;
  }

  all(): Account<T>[] {
    return [...this.accounts.values()];
  }
}
