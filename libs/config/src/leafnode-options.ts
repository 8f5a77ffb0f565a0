import { readFileSync } from 'node:fs';
import type { ConfigEntry, ConfigNode } from './conf-nodes.js';
import { describeNode } from './conf-nodes.js';
import type { Draft } from './draft.js';
import { Diagnostics, applyListenerKey, notSupported, readBool, readMap, readSecondsMs, readString, readStringList, unknownField } from './entry-reader.js';
import { DEFAULTS, type TlsConfig } from './options.js';
import { readTls } from './tls-options.js';

/** One entry of `leafnodes { authorization { users: [...] } }`: credentials bound to an account. */
export interface LeafnodeUser {
  user: string;
  password: string;
  /** The account a leaf connection with these credentials is bound to; `$G` when absent. */
  account?: string;
}

/** One entry of `leafnodes { remotes: [...] }`: a hub this server connects to as a leaf. */
export interface LeafRemoteConfig {
  /** `url`/`urls`: nats-leaf://, leaf://, nats://, tls:// or ws://, wss:// (not mixed); tried in turn. */
  urls: string[];
  /** The local account the connection is bound to; `$G` when absent. */
  account?: string;
  tls?: TlsConfig;
  /** Subjects this side does not subscribe to on the hub (sent as CONNECT `deny_pub`). */
  denyImports: string[];
  /** Subjects this side does not publish to the hub. */
  denyExports: string[];
  /** `hub: true`: we dial, but the other side is the spoke and we act as its hub (CONNECT `is_hub`). */
  hub?: boolean;
  /** `credentials`: a user `.creds` file; CONNECT carries its JWT and the hub's nonce signed by its seed. */
  credentials?: string;
}

/** `leafnodes {}`: accepting leaf connections (a port) and/or connecting to hubs (remotes). */
export interface LeafnodesConfig {
  host: string;
  /** 0: no listener (remotes only). */
  port: number;
  advertise?: string;
  noAdvertise: boolean;
  user?: string;
  password?: string;
  /** Account for `user`/`password`; `$G` when absent. */
  account?: string;
  users: LeafnodeUser[];
  authTimeoutMs?: number;
  tls?: TlsConfig;
  /** `reconnect`: delay before redialing a dropped remote (nats-server default 1 s). */
  reconnectMs: number;
  remotes: LeafRemoteConfig[];
}

const BLOCK = 'leafnodes';
const DEFAULT_RECONNECT_MS = 1000;
const LEAF_SCHEMES = new Set(['nats-leaf:', 'leaf:', 'nats:', 'tls:', 'ws:', 'wss:']);
/** Remote keys nats-server 2.9 knows that are not implemented: warned about, ignored. */
const REMOTE_NOT_SUPPORTED = new Set(['no_randomize', 'dont_randomize', 'ws_compression', 'ws_no_masking', 'signature_cb']);

/** `leafnodes { listen, host, port, advertise, no_advertise, authorization, tls, reconnect, remotes }`. */
export function applyLeafnodes(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const map = readMap(e, d);
  if (map === undefined) return;
  const leaf: LeafnodesConfig = { host: '', port: 0, noAdvertise: false, users: [], reconnectMs: DEFAULT_RECONNECT_MS, remotes: [] };
  for (const x of map.entries.values()) {
    if (applyListenerKey(x, leaf, d)) continue;
    switch (x.key.toLowerCase()) {
      case 'advertise': {
        const advertise = readString(x, d);
        if (advertise !== undefined) leaf.advertise = advertise;
        break;
      }
      case 'no_advertise':
        leaf.noAdvertise = readBool(x, d) ?? leaf.noAdvertise;
        break;
      case 'authorization':
        applyLeafAuthorization(x, leaf, d);
        break;
      case 'tls': {
        const tls = readTls(x, d, 'leafnodes tls');
        if (tls !== undefined) leaf.tls = tls;
        break;
      }
      case 'reconnect':
      case 'reconnect_delay':
      case 'reconnect_interval': {
        const ms = readSecondsMs(x, d);
        if (ms !== undefined) leaf.reconnectMs = ms;
        break;
      }
      case 'remotes':
        leaf.remotes = readRemotes(x, d);
        break;
      case 'min_version':
      case 'compression':
        notSupported(x, d, BLOCK);
        break;
      default:
        unknownField(x, d, BLOCK);
    }
  }
  if (leaf.port === 0 && leaf.remotes.length === 0) return;
  if (leaf.port !== 0 && leaf.host === '') leaf.host = DEFAULTS.host;
  draft.options.leafnodes = leaf;
}

function applyLeafAuthorization(e: ConfigEntry, leaf: LeafnodesConfig, d: Diagnostics): void {
  const map = readMap(e, d);
  if (map === undefined) return;
  for (const x of map.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'user':
      case 'username':
        leaf.user = readString(x, d) ?? leaf.user;
        break;
      case 'pass':
      case 'password':
        leaf.password = readString(x, d) ?? leaf.password;
        break;
      case 'account':
        leaf.account = readString(x, d) ?? leaf.account;
        break;
      case 'timeout': {
        const ms = readSecondsMs(x, d);
        if (ms !== undefined) leaf.authTimeoutMs = ms;
        break;
      }
      case 'users':
        leaf.users = readLeafUsers(x, d);
        break;
      case 'token':
        d.error(x.keyPos, 'leafnode authorization does not support tokens');
        break;
      case 'nkey':
      case 'permissions':
        notSupported(x, d, 'leafnodes authorization');
        break;
      default:
        unknownField(x, d, 'leafnodes authorization');
    }
  }
}

function readLeafUsers(e: ConfigEntry, d: Diagnostics): LeafnodeUser[] {
  if (e.node.kind !== 'array') {
    d.error(e.keyPos, `"${e.key}" must be an array of users, found ${describeNode(e.node)}`);
    return [];
  }
  const users: LeafnodeUser[] = [];
  for (const item of e.node.items) {
    const fields = mapEntries(item, d, 'leafnode users');
    if (fields === undefined) continue;
    const user: LeafnodeUser = { user: '', password: '' };
    for (const x of fields) {
      switch (x.key.toLowerCase()) {
        case 'user':
        case 'username':
          user.user = readString(x, d) ?? user.user;
          break;
        case 'pass':
        case 'password':
          user.password = readString(x, d) ?? user.password;
          break;
        case 'account':
          user.account = readString(x, d) ?? user.account;
          break;
        default:
          unknownField(x, d, 'leafnode user');
      }
    }
    if (user.user === '') d.error(item.pos, 'leafnode user without a name');
    else users.push(user);
  }
  return users;
}

function readRemotes(e: ConfigEntry, d: Diagnostics): LeafRemoteConfig[] {
  if (e.node.kind !== 'array') {
    d.error(e.keyPos, `"${e.key}" must be an array of remotes, found ${describeNode(e.node)}`);
    return [];
  }
  const remotes: LeafRemoteConfig[] = [];
  for (const item of e.node.items) {
    const fields = mapEntries(item, d, 'leafnode remotes');
    if (fields === undefined) continue;
    const remote: LeafRemoteConfig = { urls: [], denyImports: [], denyExports: [] };
    for (const x of fields) {
      const key = x.key.toLowerCase();
      switch (key) {
        case 'url':
        case 'urls':
          remote.urls.push(...(readRemoteUrls(x, d) ?? []));
          break;
        case 'account':
        case 'local':
          remote.account = readString(x, d) ?? remote.account;
          break;
        case 'tls': {
          const tls = readTls(x, d, 'leafnode remote tls');
          if (tls !== undefined) remote.tls = tls;
          break;
        }
        case 'deny_imports':
        case 'deny_import':
          remote.denyImports = readStringList(x, d) ?? remote.denyImports;
          break;
        case 'deny_exports':
        case 'deny_export':
          remote.denyExports = readStringList(x, d) ?? remote.denyExports;
          break;
        case 'hub': {
          const hub = readBool(x, d);
          if (hub !== undefined) remote.hub = hub;
          break;
        }
        case 'credentials': {
          const path = readString(x, d);
          if (path === undefined) break;
          // Read again at each dial (the file may be rotated); checked now for a clear error.
          try {
            readFileSync(path, 'utf8');
          } catch (err) {
            d.error(x.keyPos, `cannot read credentials file "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
            break;
          }
          remote.credentials = path;
          break;
        }
        default:
          if (REMOTE_NOT_SUPPORTED.has(key)) notSupported(x, d, 'leafnode remote');
          else unknownField(x, d, 'leafnode remote');
      }
    }
    if (remote.urls.length === 0) {
      d.error(item.pos, 'leafnode remote without a url');
      continue;
    }
    const websocket = remote.urls.map((u) => u.startsWith('ws:') || u.startsWith('wss:'));
    if (websocket.some((w) => w !== websocket[0])) {
      d.error(item.pos, 'leafnode remote mixes websocket and non-websocket urls');
      continue;
    }
    remotes.push(remote);
  }
  return remotes;
}

function readRemoteUrls(e: ConfigEntry, d: Diagnostics): string[] | undefined {
  const list = readStringList(e, d);
  if (list === undefined) return undefined;
  const urls: string[] = [];
  for (const text of list) {
    const url = text.trim();
    if (!URL.canParse(url) || new URL(url).hostname === '' || !LEAF_SCHEMES.has(new URL(url).protocol)) {
      d.error(e.keyPos, `error parsing leafnode remote url "${url}"`);
    } else {
      urls.push(url);
    }
  }
  return urls;
}

function mapEntries(node: ConfigNode, d: Diagnostics, what: string): ConfigEntry[] | undefined {
  if (node.kind !== 'map') {
    d.error(node.pos, `${what} entries must be maps, found ${describeNode(node)}`);
    return undefined;
  }
  return [...node.entries.values()];
}
