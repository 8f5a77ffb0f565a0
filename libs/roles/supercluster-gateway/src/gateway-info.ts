
/** The INFO fields of a gateway peer we use (nats-server's Info, gateway part). */
export interface GatewayPeerInfo {
  server_id: string;
  server_name?: string;
  host?: string;
  port?: number;
  headers?: boolean;
  auth_required?: boolean;
  gateway?: string;
  gateway_url?: string;
  gateway_urls?: string[];
  gateway_cmd?: number;
  gateway_cmd_payload?: string;
  gateway_nrp?: boolean;
  gateway_iom?: boolean;
}

/** The CONNECT fields an outbound gateway sends. */
export interface GatewayConnectInfo {
  user?: string;
  pass?: string;
  name?: string;
  gateway?: string;
  lang?: string;
}

/** This server as its gateway INFO describes it. */
export interface GatewayIdentity {
  serverId: string;
  serverName: string;
  version: string;
  gateway: string;
  host: string;
  port: number;
  /** Gateway URLs of this cluster (host:port), our own first. */
  urls: readonly string[];
  authRequired: boolean;
  /** Gateway connections are TLS (`gateway { tls }`), verified both ways. */
  tlsRequired: boolean;
  maxPayload: number;
}

export function asGatewayPeerInfo(value: Record<string, unknown> | undefined): GatewayPeerInfo | undefined {
  if (value === undefined) return undefined;
  if (value.server_id !== undefined && typeof value.server_id !== 'string') return undefined;
  return { ...value, server_id: (value.server_id as string | undefined) ?? '' } as GatewayPeerInfo;
}

/** Our gateway INFO, field for field as nats-server 2.9 sends it (interest-only mode, new reply prefix). */
export function gatewayInfo(id: GatewayIdentity): Record<string, unknown> {
  const info: Record<string, unknown> = {
    server_id: id.serverId,
    server_name: id.serverName,
    version: id.version,
    proto: 0,
    go: '',
    host: id.host,
    port: id.port,
    headers: true,
  };
  if (id.authRequired) info.auth_required = true;
  if (id.tlsRequired) {
    info.tls_required = true;
    info.tls_verify = true;
  }
  info.max_payload = id.maxPayload;
  info.gateway = id.gateway;
  info.gateway_urls = id.urls;
  info.gateway_url = id.urls[0];
  info.gateway_nrp = true;
  info.gateway_iom = true;
  return info;
}

/** The CONNECT of an outbound gateway: headers are announced in INFO only, as nats-server does. */
export function gatewayConnect(
  serverId: string,
  gateway: string,
  credentials: { user: string; pass: string } | undefined,
  tlsRequired: boolean,
): Record<string, unknown> {
  const connect: Record<string, unknown> = { echo: false, verbose: false, pedantic: false };
  if (credentials !== undefined) {
    connect.user = credentials.user;
    connect.pass = credentials.pass;
  }
  connect.tls_required = tlsRequired;
  connect.headers = false;
  connect.name = serverId;
  connect.cluster = '';
  connect.gateway = gateway;
  return connect;
}

/** A gateway URL as configured or gossiped: `nats://host:port` or a bare `host:port`. */
export function parseGatewayUrl(text: string): URL | undefined {
  const withScheme = text.includes('://') ? text : `nats://${text}`;
  if (!URL.canParse(withScheme)) return undefined;
  const url = new URL(withScheme);
  return url.hostname === '' ? undefined : url;
}
