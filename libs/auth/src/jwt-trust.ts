import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { natsJwt } from '@nats-ts/base';
import { nkeySignatureValid } from './nkey.js';
import type { SubjectPermission } from '@nats-ts/config';

/** nats-server's defaults for a `resp` permission that leaves a field at 0. */
const DEFAULT_RESPONSE_MAX_MSGS = 1;
const DEFAULT_RESPONSE_EXPIRES_MS = 2 * 60_000;

/** What a user JWT allows, in the shape connections apply permissions in. */
export interface JwtPermissions {
  publish?: SubjectPermission;
  subscribe?: SubjectPermission;
  allowResponses?: { maxMsgs: number; expiresMs: number };
}

/** A user a JWT proved. */
export interface JwtUser {
  /** The user's public nkey (`U…`), its name on the connection. */
  userKey: string;
  /** The account's public key (`A…`), the router account it joins. */
  accountKey: string;
  /** The JWT's `name`. */
  name: string;
  permissions?: JwtPermissions;
  limits: JwtLimits;
  /** When the user's JWT expires (ms since the epoch); absent when it does not. */
  expiresAtMs?: number;
}

/**
 * The account's and user's limits for one connection, -1 for none. As in nats-server, a limit
 * the JWTs leave out is 0 (nsc writes -1 for "unlimited").
 */
export interface JwtLimits {
  /** The smaller of the user's and the account's `payload`. */
  maxPayload: number;
  /** The smaller of the user's and the account's `subs`, per connection. */
  maxSubscriptions: number;
  /** The account's `conn`: its client connections on this server. */
  maxAccountConnections: number;
  /** The account's `leaf`: its leaf node connections on this server. */
  maxAccountLeafConnections: number;
}

/** Why a user was refused, for the server's log; the client only hears `Authorization Violation`. */
export interface JwtRefusal {
  refused: string;
  /** The account revoked the user (connected clients are told `User Authentication Revoked`). */
  revoked?: true;
  /** The account is gone (deleted from the full resolver) or its JWT expired: connected clients are told `Account Authentication Expired`. */
  accountExpired?: true;
}

/** The kinds of connection `allowed_connection_types` names that this server serves. */
export type JwtConnectionType = 'STANDARD' | 'WEBSOCKET' | 'LEAFNODE' | 'LEAFNODE_WS';
const KNOWN_CONNECTION_TYPES = new Set<string>(['STANDARD', 'WEBSOCKET', 'LEAFNODE', 'LEAFNODE_WS', 'MQTT', 'MQTT_WS', 'IN_PROCESS']);

interface WirePermission {
  allow?: string[] | null;
  deny?: string[] | null;
}
interface WirePermissions {
  pub?: WirePermission | null;
  sub?: WirePermission | null;
  resp?: { max?: number; ttl?: number } | null;
}
interface WireLimits {
  subs?: number;
  payload?: number;
}
interface UserClaims extends WirePermissions, WireLimits {
  type?: string;
  issuer_account?: string;
  bearer_token?: boolean;
  allowed_connection_types?: string[] | null;
  src?: string[] | null;
  times?: { start?: string; end?: string }[] | null;
  locale?: string;
  tags?: string[] | null;
}
interface ScopedSigningKey {
  kind: 'user_scope';
  key: string;
  role?: string;
  template?: UserClaims;
}
interface AccountClaims {
  type?: string;
  signing_keys?: (string | ScopedSigningKey)[] | null;
  revocations?: Record<string, number> | null;
  default_permissions?: WirePermissions | null;
  limits?: (WireLimits & { conn?: number; leaf?: number; imports?: number; exports?: number; disallow_bearer?: boolean }) | null;
  exports?: unknown[] | null;
  disallow_bearer?: boolean;
  tags?: string[] | null;
  imports?: { subject?: string; token?: string }[] | null;
}
interface Claims<T> {
  sub: string;
  iss: string;
  iat?: number;
  exp?: number;
  nbf?: number;
  name?: string;
  nats?: T;
}

interface ResolvedAccount {
  claims: Claims<AccountClaims>;
  /** Signing keys: plain ones map to undefined, scoped ones to their template. */
  signers: Map<string, ScopedSigningKey | undefined>;
}

/**
 * Operator mode: who a user JWT proves, as nats-server 2.9 checks it: the user JWT is signed
 * by its account (or one of the account's signing keys), the account JWT by a trusted operator
 * key; expiry, revocation, bearer tokens, the nonce signature, `src`, `times` and connection
 * types; a scoped signing key's template replaces the user's own permissions.
 */
export class OperatorTrust {
  private readonly trusted: ReadonlySet<string>;
  private readonly accounts = new Map<string, ResolvedAccount | JwtRefusal>();

  constructor(
    trustedKeys: readonly string[],
    /** Account public key → account JWT (the memory resolver's preload). */
    private readonly accountJwts: ReadonlyMap<string, string>,
  ) {
    this.trusted = new Set(trustedKeys);
  }

  authenticate(
    userJwt: string | undefined,
    nonce: string | undefined,
    sig: string | undefined,
    connection: { host: string; type: JwtConnectionType; nowMs: number },
  ): JwtUser | JwtRefusal {
    if (userJwt === undefined || userJwt === '') return { refused: 'Authentication requires a user JWT' };
    let user: Claims<UserClaims>;
    try {
      user = natsJwt().decode<UserClaims>(userJwt) as Claims<UserClaims>;
    } catch (err) {
      return { refused: `User JWT not valid: ${(err as Error).message}` };
    }
    const nats = user.nats ?? {};
    if (nats.type !== undefined && nats.type !== 'user') return { refused: 'User JWT not valid: not a user JWT' };
    const nowSec = Math.floor(connection.nowMs / 1000);
    if (user.exp !== undefined && user.exp > 0 && user.exp <= nowSec) return { refused: 'User JWT no longer valid: expired' };
    if (user.nbf !== undefined && user.nbf > nowSec) return { refused: 'User JWT not valid yet' };
    if (!connectionTypeAllowed(nats.allowed_connection_types, connection.type)) return { refused: 'Connection type not allowed' };
    const accountKey = nats.issuer_account !== undefined && nats.issuer_account !== '' ? nats.issuer_account : user.iss;
    const account = this.account(accountKey, nowSec);
    if ('refused' in account) return account;
    if (!account.signers.has(user.iss)) return { refused: 'User JWT issuer is not known' };
    const scope = account.signers.get(user.iss);
    const acc = account.claims.nats ?? {};
    if (nats.bearer_token === true) {
      if (acc.limits?.disallow_bearer === true || acc.disallow_bearer === true) return { refused: 'Account does not allow bearer token' };
    } else {
      if (nonce === undefined || sig === undefined || sig === '') return { refused: 'Signature missing' };
      if (!nkeySignatureValid(user.sub, nonce, sig)) return { refused: 'Signature not verified' };
    }
    const revokedAt = acc.revocations?.[user.sub] ?? acc.revocations?.['*'];
    if (revokedAt !== undefined && (user.iat ?? 0) <= revokedAt) return { refused: 'User authentication revoked', revoked: true };
    if (!sourceAllowed(nats.src, connection.host)) return { refused: `Bad src Ip ${connection.host}` };
    if (!withinTimes(nats.times, nats.locale, connection.nowMs)) return { refused: 'Outside connect times' };
    let granted: WirePermissions = nats;
    if (scope !== undefined) {
      try {
        granted = expandTemplate(scope.template ?? {}, user, account.claims);
      } catch (err) {
        return { refused: `User JWT generated invalid permissions: ${(err as Error).message}` };
      }
    }
    const permissions = toPermissions(hasPermissions(granted) ? granted : (acc.default_permissions ?? {}));
    const userLimits: WireLimits = scope !== undefined ? (scope.template ?? {}) : nats;
    const limits: JwtLimits = {
      maxPayload: smallerLimit(userLimits.payload ?? 0, acc.limits?.payload ?? 0),
      maxSubscriptions: smallerLimit(userLimits.subs ?? 0, acc.limits?.subs ?? 0),
      maxAccountConnections: acc.limits?.conn ?? 0,
      maxAccountLeafConnections: acc.limits?.leaf ?? 0,
    };
    const result: JwtUser = { userKey: user.sub, accountKey, name: user.name ?? '', limits };
    if (permissions !== undefined) result.permissions = permissions;
    if (user.exp !== undefined && user.exp > 0) result.expiresAtMs = user.exp * 1000;
    return result;
  }

  /** The account's JWT, checked once: trusted issuer, the key it is filed under, not expired. */
  private account(key: string, nowSec: number): ResolvedAccount | JwtRefusal {
    const known = this.accounts.get(key);
    if (known !== undefined) {
      if ('refused' in known) return known;
      const exp = known.claims.exp;
      return exp !== undefined && exp > 0 && exp <= nowSec ? { refused: 'Account JWT has expired', accountExpired: true } : known;
    }
    const resolved = this.resolve(key);
    this.accounts.set(key, resolved);
    return this.account(key, nowSec);
  }

  private resolve(key: string): ResolvedAccount | JwtRefusal {
    const jwt = this.accountJwts.get(key);
    if (jwt === undefined) return { refused: `Account JWT lookup error: account ${key} not found`, accountExpired: true };
    let claims: Claims<AccountClaims>;
    try {
      claims = natsJwt().decode<AccountClaims>(jwt) as Claims<AccountClaims>;
    } catch (err) {
      return { refused: `Account JWT not valid: ${(err as Error).message}` };
    }
    if (claims.sub !== key) return { refused: `Account JWT filed under ${key} is the JWT of ${claims.sub}` };
    if (!this.trusted.has(claims.iss)) return { refused: 'Account JWT not signed by trusted operator' };
    const invalid = sharingOverLimits(claims.nats ?? {});
    if (invalid !== undefined) return { refused: `Account JWT not valid: ${invalid}` };
    const borrowed = borrowedActivation(claims);
    if (borrowed !== undefined) return { refused: `Account JWT not valid: activation token doesn't match account it is being included in, "${borrowed}"` };
    const signers = new Map<string, ScopedSigningKey | undefined>([[claims.sub, undefined]]);
    for (const signer of claims.nats?.signing_keys ?? []) {
      if (typeof signer === 'string') signers.set(signer, undefined);
      else signers.set(signer.key, signer);
    }
    return { claims, signers };
  }
}

/**
 * The account JWT's validation error when it has more imports or exports than its limits
 * allow: nats-server then refuses its users. (`wildcards` and `data` are not checked by
 * nats-server 2.9, and are not here.)
 */
function sharingOverLimits(account: AccountClaims): string | undefined {
  const limits = account.limits ?? {};
  const imports = limits.imports ?? 0;
  const exports = limits.exports ?? 0;
  if (imports >= 0 && (account.imports?.length ?? 0) > imports) return 'the account contains more imports than allowed by the operator';
  if (exports >= 0 && (account.exports?.length ?? 0) > exports) return 'the account contains more exports than allowed by the operator';
  return undefined;
}

/**
 * The subject of an import whose activation token was issued to another account (or does not
 * decode): nats-server finds such an account JWT invalid and refuses its users.
 */
function borrowedActivation(account: Claims<AccountClaims>): string | undefined {
  for (const i of account.nats?.imports ?? []) {
    if (i.token === undefined || i.token === '') continue;
    try {
      if (natsJwt().decode<unknown>(i.token).sub === account.sub) continue;
    } catch {
      // An activation that does not decode is no more this account's.
    }
    return i.subject ?? '';
  }
  return undefined;
}

/** The tighter of two limits where -1 is none. */
export function smallerLimit(a: number, b: number): number {
  if (a === -1) return b;
  if (b === -1) return a;
  return Math.min(a, b);
}

function connectionTypeAllowed(allowed: string[] | null | undefined, type: JwtConnectionType): boolean {
  if (allowed === undefined || allowed === null || allowed.length === 0) return true;
  // Types this server does not know are left out; a list of only those allows nothing.
  const known = allowed.filter((t) => KNOWN_CONNECTION_TYPES.has(t));
  return known.includes(type);
}

function sourceAllowed(src: string[] | null | undefined, host: string): boolean {
  if (src === undefined || src === null || src.length === 0) return true;
  const family = isIPv4(host) ? 'ipv4' : isIPv6(host) ? 'ipv6' : undefined;
  if (family === undefined) return false;
  const list = new BlockList();
  for (const cidr of src) {
    const [address, bits] = cidr.split('/');
    const addressFamily = isIPv4(address ?? '') ? 'ipv4' : isIPv6(address ?? '') ? 'ipv6' : undefined;
    if (addressFamily === undefined) return false;
    const prefix = bits === undefined ? (addressFamily === 'ipv4' ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix)) return false;
    list.addSubnet(address!, prefix, addressFamily);
  }
  return list.check(host, family);
}

/** `times`: `HH:MM:SS` ranges of the day, in `locale` (an IANA zone) or the server's local time. */
function withinTimes(times: UserClaims['times'], locale: string | undefined, nowMs: number): boolean {
  if (times === undefined || times === null || times.length === 0) return true;
  const seconds = secondOfDay(nowMs, locale);
  if (seconds === undefined) return false;
  return times.some(({ start, end }) => {
    const from = parseClock(start);
    const to = parseClock(end);
    if (from === undefined || to === undefined) return false;
    return from <= to ? seconds >= from && seconds < to : seconds >= from || seconds < to;
  });
}

function secondOfDay(nowMs: number, locale: string | undefined): number | undefined {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      ...(locale !== undefined && locale !== '' ? { timeZone: locale } : {}),
    }).formatToParts(nowMs);
    const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return part('hour') * 3600 + part('minute') * 60 + part('second');
  } catch {
    return undefined; // an unknown zone: nats-server refuses too
  }
}

function parseClock(text: string | undefined): number | undefined {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text ?? '');
  if (m === null) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function hasPermissions(p: WirePermissions): boolean {
  return nonEmpty(p.pub) || nonEmpty(p.sub) || (p.resp !== undefined && p.resp !== null);
}

function nonEmpty(p: WirePermission | null | undefined): boolean {
  return p !== undefined && p !== null && ((p.allow?.length ?? 0) > 0 || (p.deny?.length ?? 0) > 0);
}

function toPermissions(p: WirePermissions): JwtPermissions | undefined {
  const out: JwtPermissions = {};
  const publish = toSubjectPermission(p.pub);
  const subscribe = toSubjectPermission(p.sub);
  if (publish !== undefined) out.publish = publish;
  if (subscribe !== undefined) out.subscribe = subscribe;
  if (p.resp !== undefined && p.resp !== null) {
    const ttlNs = p.resp.ttl ?? 0;
    out.allowResponses = {
      maxMsgs: p.resp.max !== undefined && p.resp.max !== 0 ? p.resp.max : DEFAULT_RESPONSE_MAX_MSGS,
      expiresMs: ttlNs !== 0 ? Math.round(ttlNs / 1e6) : DEFAULT_RESPONSE_EXPIRES_MS,
    };
  }
  return out.publish || out.subscribe || out.allowResponses ? out : undefined;
}

function toSubjectPermission(p: WirePermission | null | undefined): SubjectPermission | undefined {
  if (!nonEmpty(p)) return undefined;
  const out: SubjectPermission = {};
  if ((p!.allow?.length ?? 0) > 0) out.allow = [...p!.allow!];
  if ((p!.deny?.length ?? 0) > 0) out.deny = [...p!.deny!];
  return out;
}

/**
 * A scoped signing key's template for one user: `{{name()}}`, `{{subject()}}`,
 * `{{account-name()}}`, `{{account-subject()}}`, `{{tag(x)}}` and `{{account-tag(x)}}` in its
 * subjects are replaced as nats-server does (a tag template yields one subject per value).
 * A template that yields nothing throws: dropping the subject could widen what is allowed.
 */
function expandTemplate(template: UserClaims, user: Claims<UserClaims>, account: Claims<AccountClaims>): WirePermissions {
  const expand = (subjects: string[] | null | undefined): string[] | undefined =>
    subjects?.flatMap((subject) => expandSubject(subject, user, account));
  const permission = (p: WirePermission | null | undefined): WirePermission | undefined =>
    p === undefined || p === null ? undefined : { allow: expand(p.allow), deny: expand(p.deny) };
  const out: WirePermissions = {};
  const pub = permission(template.pub);
  const sub = permission(template.sub);
  if (pub !== undefined) out.pub = pub;
  if (sub !== undefined) out.sub = sub;
  if (template.resp !== undefined && template.resp !== null) out.resp = template.resp;
  return out;
}

function expandSubject(subject: string, user: Claims<UserClaims>, account: Claims<AccountClaims>): string[] {
  let results = [subject];
  const pattern = /\{\{\s*([a-z-]+)\(([^)]*)\)\s*\}\}/g;
  for (const match of subject.matchAll(pattern)) {
    const values = templateValues(match[1]!, match[2]!.trim(), user, account);
    if (values.length === 0) throw new Error(`template ${match[0]} has no value`);
    results = results.flatMap((s) => values.map((v) => s.replace(match[0], v)));
  }
  return results;
}

function templateValues(fn: string, arg: string, user: Claims<UserClaims>, account: Claims<AccountClaims>): string[] {
  switch (fn) {
    case 'name':
      return [user.name ?? ''];
    case 'subject':
      return [user.sub];
    case 'account-name':
      return [account.name ?? ''];
    case 'account-subject':
      return [account.sub];
    case 'tag':
      return tagValues(user.nats?.tags, arg);
    case 'account-tag':
      return tagValues(account.nats?.tags, arg);
    default:
      return [];
  }
}

/** Tags are `name:value`; a template names the tag, and yields every value it has. */
function tagValues(tags: string[] | null | undefined, name: string): string[] {
  const prefix = `${name.replace(/^"|"$/g, '').toLowerCase()}:`;
  return (tags ?? []).filter((t) => t.toLowerCase().startsWith(prefix)).map((t) => t.slice(prefix.length));
}
