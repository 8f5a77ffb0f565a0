import { readFileSync, statSync, type Stats } from 'node:fs';
import type { ConfigEntry, MapNode } from './conf-nodes.js';
import type { Draft } from './draft.js';
import { readBool, readDurationMs, readInteger, readString, readStringList, type Diagnostics } from './entry-reader.js';
import { readAccountDirectory } from './account-directory.js';
import { jwtAccountsSharing } from './jwt-sharing.js';
import type { JetStreamAccountLimits, ServerOptions, TrustConfig } from './options.js';
import { GLOBAL_ACCOUNT_NAME, natsJwt } from '@nats-ts/base';

const JWT_PREFIX = 'eyJ';

interface DecodedClaims {
  sub: string;
  iss: string;
  nats?: { type?: string; signing_keys?: (string | { key: string })[]; system_account?: string };
  type?: string;
}

function claimsType(claims: DecodedClaims): string | undefined {
  return claims.nats?.type ?? claims.type;
}

/**
 * The JWT of an operator file or inline value, as nats-server reads it: the file's text (a bare
 * JWT, or one framed by `-----BEGIN ... JWT-----` lines as nsc writes it), else the value itself
 * when it is a JWT.
 */
function readOperatorJwt(value: string): string {
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (err) {
    if (!value.startsWith(JWT_PREFIX)) throw err;
    text = value;
  }
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const begin = lines.findIndex((line) => /^-{3,}.*BEGIN.*-{3,}$/.test(line));
  if (begin < 0) return text.trim();
  const jwt = lines.slice(begin + 1).find((line) => line !== '');
  if (jwt === undefined || jwt.startsWith('---')) throw new Error('no JWT inside the BEGIN/END lines');
  return jwt;
}

/** `operator: <file or JWT>` (or a list): the operators whose accounts this server trusts. */
export function applyOperators(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const values = readStringList(e, d);
  if (values === undefined) return;
  const trust = trustOf(draft);
  draft.positions.set('operator', e.keyPos);
  for (const value of values) {
    try {
      const jwt = readOperatorJwt(value);
      const claims = natsJwt().decode<unknown>(jwt) as DecodedClaims;
      if (claimsType(claims) !== 'operator') throw new Error(`not an operator JWT (${claimsType(claims) ?? 'no type'})`);
      trust.operatorJwts.push(jwt);
      trust.trustedKeys.push(claims.sub);
      // As nats-server, only the first operator's system account counts.
      if (trust.operatorJwts.length === 1 && claims.nats?.system_account) draft.operatorSystemAccount = claims.nats.system_account;
      for (const key of claims.nats?.signing_keys ?? []) trust.trustedKeys.push(typeof key === 'string' ? key : key.key);
    } catch (err) {
      d.error(e.keyPos, `error parsing operator JWT: ${(err as Error).message}`);
    }
  }
}

/**
 * `trusted` / `trusted_keys`: operator public keys whose accounts this server trusts, without
 * the operators' JWTs (so without their signing keys and system account), as nats-server 2.9.
 */
export function applyTrustedKeys(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const keys = readStringList(e, d);
  if (keys === undefined) return;
  draft.positions.set('trusted', e.keyPos);
  for (const key of keys) {
    if (!isOperatorKey(key)) d.error(e.keyPos, `trust key "${key}" required to be a valid public operator nkey`);
  }
  trustOf(draft).trustedKeys.push(...keys);
}

function isOperatorKey(key: string): boolean {
  return /^O[A-Z2-7]{55}$/.test(key);
}

/**
 * `resolver: MEMORY` (or `MEM`): account JWTs come from `resolver_preload` only; or
 * `resolver: { type: full, dir, ... }`. The URL and cache resolvers are refused rather than
 * ignored: without them no account would resolve.
 */
export function applyResolver(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  draft.positions.set('resolver', e.keyPos);
  if (e.node.kind === 'map') return applyDirectoryResolver(e, e.node, draft, d);
  const value = readString(e, d);
  if (value === undefined) return;
  if (/^\s*(MEM|MEMORY)\s*$/i.test(value)) {
    trustOf(draft).resolver = 'memory';
    return;
  }
  if (/^\s*URL/i.test(value)) {
    d.error(e.keyPos, `"${e.key}" is not supported: the URL account resolver is not implemented (this server fetches nothing from outside); use resolver: MEMORY with resolver_preload, or the full resolver`);
    return;
  }
  d.error(e.keyPos, RESOLVER_SYNTAX);
}

const RESOLVER_SYNTAX = 'error parsing account resolver, should be MEM or  URL("url") or a map containing dir and type state=[FULL|CACHE])';

/**
 * The directory resolvers' map, read as nats-server 2.9 reads it: `dir`, `type`, `allow_delete`,
 * `limit`, `ttl`, `interval`, `timeout`. Only `type: full` is served. Its `interval` (how often
 * servers compare their directories) and `timeout` (for fetching an account from another
 * server) are checked and have no effect: this server asks no other for account JWTs (it
 * answers their pack requests), each stores the updates the system account sends it.
 */
function applyDirectoryResolver(e: ConfigEntry, map: MapNode, draft: Draft, d: Diagnostics): void {
  const text = (key: string): string | undefined => {
    const entry = map.entries.get(key);
    return entry === undefined ? undefined : readString(entry, d);
  };
  const dir = text('dir') ?? '';
  const type = text('type') ?? '';
  const deleteEntry = map.entries.get('allow_delete');
  const allowDelete = deleteEntry === undefined ? false : (readBool(deleteEntry, d) ?? false);
  const limitEntry = map.entries.get('limit');
  const limit = limitEntry === undefined ? 0 : (readInteger(limitEntry, d) ?? 0);
  const durations: Record<string, number> = {};
  for (const key of ['ttl', 'interval', 'timeout']) {
    const entry = map.entries.get(key);
    if (entry === undefined) continue;
    const ms = readDurationMs(entry, d, 'refused');
    if (ms === undefined) return;
    durations[key] = ms;
  }
  if (durations.timeout !== undefined && durations.timeout <= 0) {
    // nats-server's wording, typo included.
    d.error(e.keyPos, `Fetch timeout ${text('timeout') ?? ''} is too smal`);
    return;
  }
  if (dir === '') {
    d.error(e.keyPos, 'dir has no value and needs to point to a directory');
    return;
  }
  const info = statOrUndefined(dir);
  if (info !== undefined && (!info.isDirectory() || (info.mode & 0o100) === 0)) {
    d.error(e.keyPos, 'dir needs to point to an accessible directory');
    return;
  }
  switch (type.toUpperCase()) {
    case 'FULL':
      if (durations.ttl !== undefined && durations.ttl !== 0) return d.error(e.keyPos, 'FULL does not accept ttl');
      trustOf(draft).resolver = 'full';
      trustOf(draft).directory = { path: dir, allowDelete, limit };
      return;
    case 'CACHE':
      d.error(e.keyPos, `"${e.key}" is not supported: the cache account resolver is not implemented (it fetches accounts from other servers); use type: full, or resolver: MEMORY with resolver_preload`);
      return;
    default:
      d.error(e.keyPos, RESOLVER_SYNTAX);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** `resolver_preload { <account public key>: <account JWT> }`. */
export function applyResolverPreload(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  if (e.node.kind !== 'map') {
    d.error(e.keyPos, 'preload should be a map of account_public_key:account_jwt');
    return;
  }
  const preload = trustOf(draft).accountJwts;
  for (const entry of e.node.entries.values()) {
    if (entry.node.kind !== 'string') {
      d.error(entry.keyPos, 'preload map value should be a string JWT');
      continue;
    }
    try {
      const claims = natsJwt().decode<unknown>(entry.node.value) as DecodedClaims;
      if (claimsType(claims) !== 'account') throw new Error('not an account JWT');
    } catch {
      d.error(entry.keyPos, 'invalid account JWT');
      continue;
    }
    preload.set(entry.key, entry.node.value);
  }
}

/** Adds `more`'s JWTs to `into`, keeping the one issued later where both have a key (as nats-server stores a preload). */
function mergeNewer(into: Map<string, string>, more: ReadonlyMap<string, string>): void {
  for (const [key, jwt] of more) {
    const kept = into.get(key);
    if (kept === undefined || issuedAt(jwt) > issuedAt(kept)) into.set(key, jwt);
  }
}

function issuedAt(jwt: string): number {
  return (natsJwt().decode<unknown>(jwt) as { iat?: number }).iat ?? 0;
}

function trustOf(draft: Draft): TrustConfig {
  return (draft.options.trust ??= { operatorJwts: [], trustedKeys: [], accountJwts: new Map(), accountSharing: [] });
}

/** nats-server's checks of operator mode against the rest of the configuration. */
export function validateTrust(draft: Draft, d: Diagnostics): void {
  const o = draft.options;
  const trust = o.trust;
  if (trust === undefined) return;
  const at = draft.positions.get('operator') ?? draft.positions.get('resolver');
  const trustedAt = draft.positions.get('trusted');
  if (trust.operatorJwts.length === 0 && trustedAt === undefined) {
    // resolver or resolver_preload without an operator: nats-server runs without operator mode.
    delete o.trust;
    return;
  }
  if (trust.operatorJwts.length > 0 && trustedAt !== undefined) d.error(trustedAt, "conflicting options for 'TrustedKeys' and 'TrustedOperators'");
  // nats-server checks the rest against operators only; trusted keys alone take any resolver,
  // or none (then no account resolves and every user is refused).
  if (trust.operatorJwts.length > 0 && trust.resolver === undefined && !draft.positions.has('resolver')) {
    // A resolver that was given but refused has its own error already.
    d.error(at, 'operators require an account resolver to be configured');
  }
  if (trust.directory !== undefined) {
    try {
      mergeNewer(trust.accountJwts, readAccountDirectory(trust.directory.path));
    } catch (err) {
      d.error(draft.positions.get('resolver'), `error reading the account resolver's directory: ${(err as Error).message}`);
    }
  }
  trust.accountSharing = jwtAccountsSharing(trust.accountJwts, Date.now());
  if (trust.operatorJwts.length === 0) {
    // nats-server would serve configured accounts beside JWT ones; this server's roles take the
    // accounts from either the configuration or the JWTs, never both.
    if (o.accounts.length > 0 || o.auth.users.length > 0 || o.auth.nkeys.length > 0) {
      d.error(trustedAt, 'trusted keys beside configured accounts or users are not supported: accounts and users come from JWTs');
    }
    return;
  }
  if (o.accounts.length > 0) d.error(at, 'operators do not allow Accounts to be configured directly');
  else if (o.auth.users.length > 0 || o.auth.nkeys.length > 0) d.error(at, 'operators do not allow users to be configured directly');
  for (const key of trust.trustedKeys) {
    if (!isOperatorKey(key)) d.error(at, `trusted Keys "${key}" are required to be a valid public operator nkey`);
  }
}

interface JwtJetStreamLimits {
  mem_storage?: number;
  disk_storage?: number;
  streams?: number;
  consumer?: number;
  max_ack_pending?: number;
  mem_max_stream_bytes?: number;
  disk_max_stream_bytes?: number;
  max_bytes_required?: boolean;
}

/**
 * The JetStream limits of an account JWT (checked at load), undefined when it has none: as
 * nats-server, an account has JetStream when its memory or disk storage limit is not 0.
 * Tiered limits (R1/R3) are not read.
 */
export function accountJwtJetStream(jwt: string): JetStreamAccountLimits | undefined {
  const limits = (natsJwt().decode<unknown>(jwt) as { nats?: { limits?: JwtJetStreamLimits } }).nats?.limits ?? {};
  const maxMemory = limits.mem_storage ?? 0;
  const maxStore = limits.disk_storage ?? 0;
  if (maxMemory === 0 && maxStore === 0) return undefined;
  return {
    maxMemory,
    maxStore,
    maxStreams: limits.streams ?? 0,
    maxConsumers: limits.consumer ?? 0,
    maxAckPending: limits.max_ack_pending ?? 0,
    memoryMaxStreamBytes: limits.mem_max_stream_bytes ?? 0,
    storeMaxStreamBytes: limits.disk_max_stream_bytes ?? 0,
    maxBytesRequired: limits.max_bytes_required ?? false,
  };
}

/**
 * The accounts a server knows by name, for what routes and gateways carry: the global account
 * and the configured ones, or in operator mode the resolver's (named by public key).
 */
export function knownAccountNames(options: Readonly<ServerOptions>): string[] {
  const names = options.trust !== undefined ? [GLOBAL_ACCOUNT_NAME, ...options.trust.accountJwts.keys()] : [GLOBAL_ACCOUNT_NAME, ...options.accounts.map((a) => a.name)];
  // The default `$SYS` (and an operator's system account not preloaded) exists without being configured.
  if (options.systemAccount !== undefined && !names.includes(options.systemAccount)) names.push(options.systemAccount);
  return names;
}
