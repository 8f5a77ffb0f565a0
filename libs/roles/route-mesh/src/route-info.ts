import { randomBytes } from 'node:crypto';

/** nats-server's route protocol version 2 (accounts in RS+/RMSG). */
export const ROUTE_PROTO_V2 = 2;

/** The INFO fields of a route peer we use; everything else is kept only to forward it. */
export interface PeerInfo {
  server_id: string;
  server_name?: string;
  host?: string;
  port?: number;
  headers?: boolean;
  auth_required?: boolean;
  ip?: string;
  nonce?: string;
  cluster?: string;
  cluster_dynamic?: boolean;
  connect_urls?: string[];
  ldm?: boolean;
  lnoc?: boolean;
  gateway_url?: string;
  /** Gateway gossip (`gateway_cmd` 1): a remote cluster and its gateway URLs. */
  gateway?: string;
  gateway_urls?: unknown;
  gateway_cmd?: number;
  [field: string]: unknown;
}

/** The CONNECT fields a dialing route sends (nats-server's connectInfo). */
export interface RouteConnectInfo {
  user?: string;
  pass?: string;
  name?: string;
  cluster?: string;
  cluster_dynamic?: boolean;
  headers?: boolean;
  lnoc?: boolean;
  lang?: string;
  gateway?: string;
}

/** This server as its route INFO describes it. */
export interface RouteIdentity {
  serverId: string;
  serverName: string;
  version: string;
  go: string;
  host: string;
  port: number;
  headers: boolean;
  authRequired: boolean;
  tlsRequired: boolean;
  maxPayload: number;
  /** `nats-route://host:port/` when cluster advertise is set. */
  ip?: string;
}

/** A peer INFO must at least name its server. */
export function asPeerInfo(value: Record<string, unknown> | undefined): PeerInfo | undefined {
  if (value === undefined || typeof value.server_id !== 'string') return undefined;
  if (value.connect_urls !== undefined && !Array.isArray(value.connect_urls)) return undefined;
  return value as PeerInfo;
}

/**
 * This server's route INFO, fields in nats-server's order. `nonce` goes only into the first INFO
 * of a connection; `connectUrls` are left out when empty (no_advertise, or no client listener yet),
 * `gatewayUrl` when the node has no gateway.
 */
export function routeInfo(
  self: RouteIdentity,
  cluster: string,
  dynamic: boolean,
  connectUrls: readonly string[],
  nonce: string | undefined,
  gatewayUrl: string | undefined,
): Record<string, unknown> {
  const info: Record<string, unknown> = {
    server_id: self.serverId,
    server_name: self.serverName,
    version: self.version,
    proto: ROUTE_PROTO_V2,
    go: self.go,
    host: self.host,
    port: self.port,
    headers: self.headers,
  };
  if (self.authRequired) info.auth_required = true;
  if (self.tlsRequired) {
    info.tls_required = true;
    info.tls_verify = true;
  }
  info.max_payload = self.maxPayload;
  if (self.ip !== undefined) info.ip = self.ip;
  if (nonce !== undefined) info.nonce = nonce;
  info.cluster = cluster;
  if (dynamic) info.cluster_dynamic = true;
  if (connectUrls.length > 0) info.connect_urls = connectUrls;
  info.lnoc = true;
  if (gatewayUrl !== undefined) info.gateway_url = gatewayUrl;
  return info;
}

/** The CONNECT a dialing route sends, fields in nats-server's order. */
export function routeConnect(
  serverId: string,
  cluster: string,
  dynamic: boolean,
  headers: boolean,
  tlsRequired: boolean,
  credentials: { user: string; pass: string } | undefined,
): Record<string, unknown> {
  const connect: Record<string, unknown> = { echo: true, verbose: false, pedantic: false };
  if (credentials !== undefined) {
    if (credentials.user !== '') connect.user = credentials.user;
    if (credentials.pass !== '') connect.pass = credentials.pass;
  }
  connect.tls_required = tlsRequired;
  connect.headers = headers;
  connect.name = serverId;
  connect.cluster = cluster;
  if (dynamic) connect.cluster_dynamic = true;
  connect.lnoc = true;
  return connect;
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A random nonce like nats-server's (11 bytes, base64 URL alphabet); routes do not use it. */
export function routeNonce(): string {
  let nonce = '';
  for (const b of randomBytes(15)) nonce += NONCE_ALPHABET[b & 63];
  return nonce;
}

const NAME_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character name for a cluster nobody named, as nats-server generates one. */
export function dynamicClusterName(): string {
  let name = '';
  for (const b of randomBytes(22)) name += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return name;
}

/** Host and port of a route URL (`nats-route://user:pass@host:port`), brackets removed from IPv6. */
export function routeUrlHostPort(url: URL): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? 6222 : Number(url.port) };
}

/** The credentials a route URL carries, if any. */
export function routeUrlCredentials(url: URL): { user: string; pass: string } | undefined {
  if (url.username === '' && url.password === '') return undefined;
  return { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
}
