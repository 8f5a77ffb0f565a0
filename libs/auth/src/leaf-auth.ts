import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';
import type { LeafnodesConfig, Permissions, ServerOptions, SubjectPermission } from '@nats-ts/config';
import type { OperatorTrust } from './jwt-trust.js';
import { passwordMatches } from './password.js';

/**
 * The account a leaf connection's CONNECT credentials bind it to, undefined when they are
 * refused. As nats-server: `leafnodes { authorization }` (its user, or one of its users) when
 * configured; otherwise the client users (`authorization`, `accounts`), allowed to connect as
 * LEAFNODE; otherwise the global account. Leafs cannot sign in as nkey users yet: where those
 * are configured, a leaf needs a password user.
 */
export function leafAccount(leaf: LeafnodesConfig, options: Readonly<ServerOptions>, user: string | undefined, pass: string | undefined): string | undefined {
  if (leaf.users.length > 0) {
    const entry = leaf.users.find((u) => u.user === user);
    return entry !== undefined && passwordMatches(entry.password, pass) ? (entry.account ?? GLOBAL_ACCOUNT_NAME) : undefined;
  }
  if (leaf.user !== undefined) {
    return user === leaf.user && passwordMatches(leaf.password, pass) ? (leaf.account ?? GLOBAL_ACCOUNT_NAME) : undefined;
  }
  const auth = options.auth;
  if (auth.user !== undefined) return user === auth.user && passwordMatches(auth.password, pass) ? GLOBAL_ACCOUNT_NAME : undefined;
  if (auth.users.length > 0 || auth.nkeys.length > 0) {
    const name = user ?? auth.noAuthUser;
    const entry = auth.users.find((u) => u.user === name);
    if (entry === undefined) return undefined;
    if (user !== undefined && !passwordMatches(entry.password, pass)) return undefined;
    const types = entry.allowedConnectionTypes;
    if (types !== undefined && !types.includes('LEAFNODE')) return undefined;
    return entry.account ?? GLOBAL_ACCOUNT_NAME;
  }
  return GLOBAL_ACCOUNT_NAME;
}

/** Whether a leaf must send credentials (INFO `auth_required`). */
export function leafAuthRequired(leaf: LeafnodesConfig, options: Readonly<ServerOptions>): boolean {
  const auth = options.auth;
  return options.trust !== undefined || leaf.users.length > 0 || leaf.user !== undefined || auth.user !== undefined || auth.users.length > 0 || auth.nkeys.length > 0;
}

/** Whether a leaf proves a JWT user (operator mode, no `leafnodes { authorization }` users), as nats-server. */
export function leafUsesJwt(leaf: LeafnodesConfig, options: Readonly<ServerOptions>): boolean {
  return options.trust !== undefined && leaf.users.length === 0 && leaf.user === undefined;
}

/** A leaf JWT user's permissions as the hub applies them, and as its INFO tells the leaf. */
export interface LeafJwtPermissions {
  /**
   * The user's permissions turned around, as nats-server turns them for a leaf that dialed in:
   * what the hub may send the leaf is what the user may subscribe to, and the interest the hub
   * tells the leaf is what the user may publish.
   */
  hubSide: Permissions;
  /** INFO `import` (the user's subscribe permissions) and `export` (its publish permissions). */
  imports: SubjectPermission | undefined;
  exports: SubjectPermission | undefined;
}

/**
 * Operator mode: the account of the JWT user a leaf's CONNECT proves (its `jwt`, and `sig` over
 * our INFO's nonce), with the user's permissions, or why it is refused.
 */
export function leafJwtAccount(
  trust: OperatorTrust,
  connect: { jwt?: string; sig?: string },
  nonce: string | undefined,
  peer: { host: string; websocket: boolean },
): { account: string; maxLeafConnections: number; permissions: LeafJwtPermissions | undefined } | { refused: string } {
  const proved = trust.authenticate(connect.jwt, nonce, connect.sig, { host: peer.host, type: peer.websocket ? 'LEAFNODE_WS' : 'LEAFNODE', nowMs: Date.now() });
  if ('refused' in proved) return proved;
  const granted = proved.permissions;
  const permissions =
    granted === undefined || (granted.publish === undefined && granted.subscribe === undefined)
      ? undefined
      : { hubSide: { publish: granted.subscribe, subscribe: granted.publish }, imports: granted.subscribe, exports: granted.publish };
  return { account: proved.accountKey, maxLeafConnections: proved.limits.maxAccountLeafConnections, permissions };
}
