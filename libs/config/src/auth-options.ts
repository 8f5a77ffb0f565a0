import { emptySharing, readExports, readImports } from './account-sharing-options.js';
import type { ConfigEntry, MapNode } from './conf-nodes.js';
import { describeNode } from './conf-nodes.js';
import type { Draft } from './draft.js';
import {
  Diagnostics,
  notSupported,
  readBool,
  readInteger,
  readMap,
  readSecondsMs,
  readString,
  readStringList,
  unknownField,
} from './entry-reader.js';
import { formatPos, type SourcePos } from './errors.js';
import { readMappings } from './mapping-options.js';
import { UNLIMITED_ACCOUNT_JETSTREAM, type AccountConfig, type AccountSharingConfig, type JetStreamAccountLimits, type NkeyUserConfig, type Permissions, type UserConfig } from './options.js';
import { readPermissions } from './permissions-options.js';
import { GLOBAL_ACCOUNT_NAME, natsKeys } from '@nats-ts/base';

const CONNECTION_TYPES = new Set(['STANDARD', 'WEBSOCKET', 'LEAFNODE', 'LEAFNODE_WS', 'MQTT', 'MQTT_WS']);

interface DeclaredUser {
  config: UserConfig | NkeyUserConfig;
  pos: SourcePos;
}

/** `authorization { user, password, token, timeout, users, permissions }`. */
export function applyAuthorization(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const block = readMap(e, d);
  if (block === undefined) return;
  draft.positions.set('authorization', e.keyPos);
  const auth = draft.options.auth;
  let users: DeclaredUser[] | undefined;
  let defaults: Permissions | undefined;
  for (const x of block.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'user':
      case 'username':
        auth.user = readString(x, d) ?? auth.user;
        break;
      case 'pass':
      case 'password':
        auth.password = readString(x, d) ?? auth.password;
        break;
      case 'token':
        auth.token = readString(x, d) ?? auth.token;
        break;
      case 'timeout': {
        const timeout = readSecondsMs(x, d);
        if (timeout !== undefined) {
          auth.timeoutMs = timeout;
          draft.authTimeoutSet = true;
        }
        break;
      }
      case 'users':
        users = readUsers(x, d, undefined);
        break;
      case 'default_permission':
      case 'default_permissions':
      case 'permissions':
        defaults = readPermissions(x, d);
        break;
      default:
        unknownField(x, d, 'authorization');
    }
  }
  if (defaults !== undefined) auth.defaultPermissions = defaults;
  if (users !== undefined) addUsers(users, defaults, draft, d, auth);
}

/** `accounts { NAME { users: [...] } }`, or `accounts: [NAME, ...]`. */
export function applyAccounts(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  draft.positions.set('accounts', e.keyPos);
  if (e.node.kind === 'array') {
    for (const item of e.node.items) {
      if (item.kind !== 'string') {
        d.error(item.pos, `account names must be strings, found ${describeNode(item)}`);
      } else if (checkAccountName(item.value, item.pos, draft, d)) {
        draft.options.accounts.push({ name: item.value, users: [], nkeys: [] });
      }
    }
    return;
  }
  const block = readMap(e, d);
  if (block === undefined) return;
  for (const x of block.entries.values()) {
    // A helper key referenced as `$name` inside the block is not an account.
    if (x.usedAsVariable) continue;
    const accountBlock = readMap(x, d);
    if (accountBlock === undefined || !checkAccountName(x.key, x.keyPos, draft, d)) continue;
    const account: AccountConfig = { name: x.key, users: [], nkeys: [] };
    draft.options.accounts.push(account);
    applyAccount(accountBlock, account, draft, d);
  }
}

function checkAccountName(name: string, pos: SourcePos, draft: Draft, d: Diagnostics): boolean {
  if (name === GLOBAL_ACCOUNT_NAME) {
    d.error(pos, `"${name}" is a reserved account`);
    return false;
  }
  if (draft.options.accounts.some((a) => a.name === name)) {
    d.error(pos, `duplicate account "${name}"`);
    return false;
  }
  return true;
}

function sharingOf(account: AccountConfig): AccountSharingConfig {
  return (account.sharing ??= emptySharing());
}

function applyAccount(block: MapNode, account: AccountConfig, draft: Draft, d: Diagnostics): void {
  const where = `account "${account.name}"`;
  let users: DeclaredUser[] | undefined;
  let defaults: Permissions | undefined;
  for (const x of block.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'users':
        users = readUsers(x, d, account.name);
        break;
      case 'default_permissions':
        defaults = readPermissions(x, d);
        break;
      case 'jetstream':
        account.jetstream = readAccountJetStream(x, d) ?? account.jetstream;
        break;
      case 'exports':
        readExports(x, sharingOf(account), draft, d);
        break;
      case 'imports':
        readImports(x, sharingOf(account), draft, d);
        break;
      case 'mappings':
      case 'maps':
        sharingOf(account).mappings.push(...readMappings(x, d));
        break;
      case 'nkey':
      case 'limits':
        notSupported(x, d, where);
        break;
      default:
        unknownField(x, d, where);
    }
  }
  if (users === undefined) return;
  draft.positions.set('account users', users[0]?.pos ?? block.pos);
  const added: UserLists = { users: [], nkeys: [] };
  addUsers(users, defaults, draft, d, added);
  account.users.push(...added.users);
  account.nkeys.push(...added.nkeys);
  draft.options.auth.users.push(...added.users);
  draft.options.auth.nkeys.push(...added.nkeys);
}

/**
 * An account's `jetstream`: `enabled`/`true` (unlimited), `disabled`/`false`, or a map of limits
 * with nats-server 2.9's key names. Undefined leaves the account without JetStream.
 */
function readAccountJetStream(e: ConfigEntry, d: Diagnostics): JetStreamAccountLimits | undefined {
  const node = e.node;
  if (node.kind === 'bool') return node.value ? { ...UNLIMITED_ACCOUNT_JETSTREAM } : undefined;
  if (node.kind === 'string') {
    const word = node.value.toLowerCase();
    if (word === 'enabled' || word === 'enable') return { ...UNLIMITED_ACCOUNT_JETSTREAM };
    if (word !== 'disabled' && word !== 'disable') d.error(e.keyPos, `expected 'enabled' or 'disabled' for "jetstream", found "${node.value}"`);
    return undefined;
  }
  if (node.kind !== 'map') {
    d.error(e.keyPos, `"jetstream" must be a boolean, a string or a map, found ${describeNode(node)}`);
    return undefined;
  }
  const limits = { ...UNLIMITED_ACCOUNT_JETSTREAM };
  for (const x of node.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'max_memory':
      case 'max_mem':
      case 'mem':
      case 'memory':
        limits.maxMemory = readInteger(x, d, -1) ?? limits.maxMemory;
        break;
      case 'max_store':
      case 'max_file':
      case 'max_disk':
      case 'store':
      case 'disk':
        limits.maxStore = readInteger(x, d, -1) ?? limits.maxStore;
        break;
      case 'max_streams':
      case 'streams':
        limits.maxStreams = readInteger(x, d, -1) ?? limits.maxStreams;
        break;
      case 'max_consumers':
      case 'consumers':
        limits.maxConsumers = readInteger(x, d, -1) ?? limits.maxConsumers;
        break;
      case 'max_bytes_required':
      case 'max_stream_bytes':
      case 'max_bytes':
        limits.maxBytesRequired = readBool(x, d) ?? limits.maxBytesRequired;
        break;
      case 'mem_max_stream_bytes':
      case 'memory_max_stream_bytes':
        limits.memoryMaxStreamBytes = readInteger(x, d, -1) ?? limits.memoryMaxStreamBytes;
        break;
      case 'disk_max_stream_bytes':
      case 'store_max_stream_bytes':
        limits.storeMaxStreamBytes = readInteger(x, d, -1) ?? limits.storeMaxStreamBytes;
        break;
      case 'max_ack_pending':
        limits.maxAckPending = readInteger(x, d, -1) ?? limits.maxAckPending;
        break;
      default:
        unknownField(x, d, 'account jetstream');
    }
  }
  return limits;
}

/** Where addUsers puts users: the authorization block's, or an account's. */
interface UserLists {
  users: UserConfig[];
  nkeys: NkeyUserConfig[];
}

/** Adds users not declared before (names and nkeys are unique across authorization and accounts). */
function addUsers(users: DeclaredUser[], defaults: Permissions | undefined, draft: Draft, d: Diagnostics, into: UserLists): void {
  for (const { config, pos } of users) {
    const [kind, identity] = 'nkey' in config ? ['nkey', config.nkey] : ['user', config.user];
    const first = draft.userPositions.get(identity);
    if (first !== undefined) {
      d.error(pos, `duplicate ${kind} "${identity}", first declared at ${formatPos(first)}`);
      continue;
    }
    draft.userPositions.set(identity, pos);
    if (config.permissions === undefined && defaults !== undefined) config.permissions = defaults;
    if ('nkey' in config) into.nkeys.push(config);
    else into.users.push(config);
  }
}

function readUsers(e: ConfigEntry, d: Diagnostics, account: string | undefined): DeclaredUser[] | undefined {
  if (e.node.kind !== 'array') {
    d.error(e.keyPos, `"${e.key}" must be an array of users, found ${describeNode(e.node)}`);
    return undefined;
  }
  const users: DeclaredUser[] = [];
  for (const item of e.node.items) {
    if (item.kind !== 'map') {
      d.error(item.pos, `user entries must be maps, found ${describeNode(item)}`);
      continue;
    }
    const user = readUser(item, d, account);
    if (user !== undefined) users.push({ config: user, pos: item.pos });
  }
  return users;
}

/** A user entry: a name (with a password) or, as nats-server, a public nkey and no name or password. */
function readUser(block: MapNode, d: Diagnostics, account: string | undefined): UserConfig | NkeyUserConfig | undefined {
  let name: string | undefined;
  let password: string | undefined;
  let permissions: Permissions | undefined;
  let connectionTypes: string[] | undefined;
  let nkey: string | undefined;
  let nameGiven = false;
  let nkeyGiven = false;
  for (const x of block.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'user':
      case 'username':
        name = readString(x, d);
        nameGiven = true;
        break;
      case 'pass':
      case 'password':
        password = readString(x, d);
        break;
      case 'permission':
      case 'permissions':
      case 'authorization':
        permissions = readPermissions(x, d);
        break;
      case 'allowed_connection_types':
      case 'connection_types':
      case 'clients':
        connectionTypes = readConnectionTypes(x, d);
        break;
      case 'nkey':
        nkey = readUserNkey(x, d);
        nkeyGiven = true;
        break;
      default:
        unknownField(x, d, 'user');
    }
  }
  let user: UserConfig | NkeyUserConfig;
  if (nkeyGiven) {
    if (nameGiven || password !== undefined) {
      d.error(block.pos, 'nkey users do not take usernames or passwords');
      return undefined;
    }
    if (nkey === undefined) return undefined;
    user = { nkey };
  } else {
    if (name === undefined) {
      if (!nameGiven) d.error(block.pos, 'user entry requires a user');
      return undefined;
    }
    user = { user: name };
    if (password !== undefined) user.password = password;
  }
  if (account !== undefined) user.account = account;
  if (permissions !== undefined) user.permissions = permissions;
  if (connectionTypes !== undefined) user.allowedConnectionTypes = connectionTypes;
  return user;
}

/** A user's public nkey (`U…`, checksum included); a seed (`SU…`) here would be a leaked secret. */
function readUserNkey(e: ConfigEntry, d: Diagnostics): string | undefined {
  const key = readString(e, d);
  if (key === undefined) return undefined;
  if (key.startsWith('S')) {
    d.error(e.keyPos, 'not a valid public nkey for a user: this is a seed (private key); configure its public key (U…)');
    return undefined;
  }
  if (!isPublicUserNkey(key)) {
    d.error(e.keyPos, `not a valid public nkey for a user: "${key}"`);
    return undefined;
  }
  return key;
}

function isPublicUserNkey(key: string): boolean {
  if (!key.startsWith('U')) return false;
  try {
    natsKeys().fromPublic(key);
    return true;
  } catch {
    return false;
  }
}

function readConnectionTypes(e: ConfigEntry, d: Diagnostics): string[] | undefined {
  const types = readStringList(e, d);
  if (types === undefined) return undefined;
  const normalized = types.map((t) => t.toUpperCase());
  const unknown = normalized.filter((t) => !CONNECTION_TYPES.has(t));
  if (unknown.length > 0) {
    d.error(e.keyPos, `unknown connection type ${unknown.map((t) => `"${t}"`).join(', ')} in "${e.key}"`);
    return undefined;
  }
  return normalized;
}
