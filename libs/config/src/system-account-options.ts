import type { ConfigEntry } from './conf-nodes.js';
import type { Draft } from './draft.js';
import type { Diagnostics } from './entry-reader.js';
import { DEFAULTS } from './options.js';
import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';

/** `system_account: SYS` (or `system`): the name, checked once every account is known. */
export function applySystemAccount(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  if (e.node.kind !== 'string') {
    d.error(e.keyPos, 'system account name must be a string');
    return;
  }
  if (e.node.value !== '') draft.systemAccount = { name: e.node.value, pos: e.keyPos };
}

/**
 * nats-server 2.9's choice: the configured name, else (in operator mode) the first operator's
 * `system_account`, else `$SYS`, created on the fly; none with `no_system_account`. A name that
 * names no account is refused here, where nats-server only fails at startup.
 */
export function resolveSystemAccount(draft: Draft, d: Diagnostics): void {
  const o = draft.options;
  const written = draft.systemAccount;
  if (draft.noSystemAccount && written === undefined) return;
  if (o.trust !== undefined) {
    const key = written?.name ?? draft.operatorSystemAccount;
    if (key === undefined) {
      o.systemAccount = DEFAULTS.systemAccount;
    } else if (!/^A[A-Z2-7]{55}$/.test(key)) {
      // Operator-mode accounts are named by their public key.
      d.error(written?.pos ?? draft.positions.get('operator'), `system account "${key}" is not a valid public account nkey`);
    } else {
      o.systemAccount = key;
    }
    return;
  }
  const name = written?.name ?? DEFAULTS.systemAccount;
  if (name === GLOBAL_ACCOUNT_NAME) {
    d.error(written?.pos, 'the global account "$G" cannot be the system account');
    return;
  }
  if (name !== DEFAULTS.systemAccount && !o.accounts.some((a) => a.name === name)) {
    d.error(written?.pos, `system account "${name}" is not defined in accounts`);
    return;
  }
  o.systemAccount = name;
}
