import type { SubjectPermission } from '@nats-ts/routing';
import { randomBytes } from 'node:crypto';

/** The INFO fields of the other side of a leaf connection that we use. */
export interface LeafPeerInfo {
  server_id: string;
  server_name?: string;
  headers?: boolean;
  tls_required?: boolean;
  client_id?: number;
  nonce?: string;
  cluster?: string;
  info_on_connect?: boolean;
  connect_info?: boolean;
  leafnode_urls?: string[];
  remote_account?: string;
  /** With connect_info: what the hub lets us subscribe to (`import`) and publish (`export`). */
  import?: SubjectPermission;
  export?: SubjectPermission;
  [field: string]: unknown;
}

/** The CONNECT fields a soliciting leaf sends (nats-server's leafConnectInfo). */
export interface LeafConnectInfo {
  version?: string;
  user?: string;
  pass?: string;
  tls_required?: boolean;
  server_id?: string;
  domain?: string;
  name?: string;
  is_hub?: boolean;
  cluster?: string;
  headers?: boolean;
  jetstream?: boolean;
  deny_pub?: string[];
  /** A JWT user (operator mode) and its signature of the hub's nonce. */
  jwt?: string;
  sig?: string;
  /** Only clients send these: a CONNECT with them is a client on the leaf port. */
  lang?: string;
  gateway?: string;
}

/** This server as its leaf INFO describes it. */
export interface LeafIdentity {
  serverId: string;
  serverName: string;
  version: string;
  go: string;
  host: string;
  port: number;
  headers: boolean;
  authRequired: boolean;
  tlsRequired: boolean;
  tlsVerify: boolean;
  maxPayload: number;
  cluster?: string;
  jetstream: boolean;
  domain?: string;
}

/**
 * The hub's INFO to a leaf, fields in nats-server's order. The first one carries the nonce; the
 * one that completes the handshake has `connect_info` and the account the leaf is bound to.
 */
export function hubInfo(
  self: LeafIdentity,
  clientId: number,
  leafnodeUrls: readonly string[],
  stage: { nonce: string } | { remoteAccount: string; imports?: SubjectPermission; exports?: SubjectPermission },
): Record<string, unknown> {
  const info: Record<string, unknown> = {
    server_id: self.serverId,
    server_name: self.serverName,
    version: self.version,
    proto: 1,
    go: self.go,
    host: self.host,
    port: self.port,
    headers: self.headers,
  };
  if (self.authRequired) info.auth_required = true;
  if (self.tlsRequired) {
    info.tls_required = true;
    if (self.tlsVerify) info.tls_verify = true;
  }
  info.max_payload = self.maxPayload;
  if (self.jetstream) info.jetstream = true;
  info.client_id = clientId;
  if ('nonce' in stage) info.nonce = stage.nonce;
  if (self.domain !== undefined) info.domain = self.domain;
  if (self.cluster !== undefined) info.cluster = self.cluster;
  if ('remoteAccount' in stage && stage.imports !== undefined) info.import = stage.imports;
  if ('remoteAccount' in stage && stage.exports !== undefined) info.export = stage.exports;
  info.info_on_connect = true;
  if ('remoteAccount' in stage) info.connect_info = true;
  info.leafnode_urls = leafnodeUrls;
  if ('remoteAccount' in stage) info.remote_account = stage.remoteAccount;
  return info;
}

/** The soliciting side's CONNECT, fields in nats-server's order, empty ones left out. */
export function leafConnect(
  self: { serverId: string; serverName: string; version: string; cluster: string; headers: boolean; jetstream: boolean; domain?: string },
  credentials: { user: string; pass: string } | { jwt: string; sig?: string } | undefined,
  tls: boolean,
  denyPub: readonly string[],
  isHub: boolean,
): LeafConnectInfo {
  const connect: LeafConnectInfo = { version: self.version };
  if (credentials !== undefined && 'jwt' in credentials) {
    connect.jwt = credentials.jwt;
    if (credentials.sig !== undefined) connect.sig = credentials.sig;
  } else if (credentials !== undefined) {
    connect.user = credentials.user;
    connect.pass = credentials.pass;
  }
  connect.tls_required = tls;
  connect.server_id = self.serverId;
  if (self.domain !== undefined) connect.domain = self.domain;
  connect.name = self.serverName;
  if (isHub) connect.is_hub = true;
  connect.cluster = self.cluster;
  if (self.headers) connect.headers = true;
  if (self.jetstream) connect.jetstream = true;
  if (denyPub.length > 0) connect.deny_pub = [...denyPub];
  return connect;
}

/** A nonce as nats-server's (11 url-safe characters). */
export function leafNonce(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}

const NUID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character NUID-like token, for each account's `$LDS.` loop detection subject. */
export function nuid(): string {
  const bytes = randomBytes(22);
  let out = '';
  for (const b of bytes) out += NUID_ALPHABET[b % NUID_ALPHABET.length];
  return out;
}

/** User and password from a remote URL (`nats-leaf://user:pass@host:port`). */
export function urlCredentials(url: URL): { user: string; pass: string } | undefined {
  if (url.username === '') return undefined;
  return { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
}

/** Default ports by scheme, as nats-server: 7422 for leaf URLs, 80/443 for websocket. */
export function urlHostPort(url: URL): { host: string; port: number } {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (url.port !== '') return { host, port: Number(url.port) };
  const port = url.protocol === 'ws:' ? 80 : url.protocol === 'wss:' ? 443 : 7422;
  return { host, port };
}
