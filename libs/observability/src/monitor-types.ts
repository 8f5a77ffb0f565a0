// The monitoring JSON documents of nats-server 2.9 with its exact field names (the JSON tags in
// server/monitor.go). Conventions, as Go marshals them:
// - times are RFC 3339 strings in UTC (see formatGoTime);
// - durations such as ping_interval are integer nanoseconds (see goDurationNanos);
// - uptime/idle/rtt are text (see formatUptime, formatRtt);
// - optional fields are Go `omitempty`: leave them undefined when empty so they are not written.

export interface SubjectPermission {
  allow?: string[];
  deny?: string[];
}

export interface ClusterOptsVarz {
  name?: string;
  addr?: string;
  cluster_port?: number;
  auth_timeout?: number;
  urls?: string[];
  tls_timeout?: number;
  tls_required?: boolean;
  tls_verify?: boolean;
}

export interface RemoteGatewayOptsVarz {
  name: string;
  tls_timeout?: number;
  urls?: string[];
}

export interface GatewayOptsVarz {
  name?: string;
  host?: string;
  port?: number;
  auth_timeout?: number;
  tls_timeout?: number;
  tls_required?: boolean;
  tls_verify?: boolean;
  advertise?: string;
  connect_retries?: number;
  gateways?: RemoteGatewayOptsVarz[];
  reject_unknown?: boolean;
}

export interface DenyRules {
  exports?: string[];
  imports?: string[];
}

export interface RemoteLeafOptsVarz {
  local_account?: string;
  tls_timeout?: number;
  urls?: string[];
  deny?: DenyRules;
}

export interface LeafNodeOptsVarz {
  host?: string;
  port?: number;
  auth_timeout?: number;
  tls_timeout?: number;
  tls_required?: boolean;
  tls_verify?: boolean;
  remotes?: RemoteLeafOptsVarz[];
}

export interface MqttOptsVarz {
  host?: string;
  port?: number;
  no_auth_user?: string;
  auth_timeout?: number;
  tls_map?: boolean;
  tls_timeout?: number;
  tls_pinned_certs?: string[];
  js_domain?: string;
  /** Nanoseconds. */
  ack_wait?: number;
  max_ack_pending?: number;
}

export interface WebsocketOptsVarz {
  host?: string;
  port?: number;
  advertise?: string;
  no_auth_user?: string;
  jwt_cookie?: string;
  /** Nanoseconds. */
  handshake_timeout?: number;
  auth_timeout?: number;
  no_tls?: boolean;
  tls_map?: boolean;
  tls_pinned_certs?: string[];
  same_origin?: boolean;
  allowed_origins?: string[];
  compression?: boolean;
}

/** JetStream's part of /varz; the documents inside belong to the stream store. */
export interface JetStreamVarz {
  config?: Record<string, unknown>;
  stats?: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

/** GET /varz. The nested option objects are always written, as `{}` when empty. */
export interface Varz {
  server_id: string;
  server_name: string;
  version: string;
  proto: number;
  git_commit?: string;
  /** nats-server reports its Go version here; we report our runtime. */
  go: string;
  host: string;
  port: number;
  auth_required?: boolean;
  tls_required?: boolean;
  tls_verify?: boolean;
  ip?: string;
  connect_urls?: string[];
  ws_connect_urls?: string[];
  max_connections: number;
  max_subscriptions?: number;
  /** Nanoseconds. */
  ping_interval: number;
  ping_max: number;
  http_host: string;
  http_port: number;
  http_base_path: string;
  https_port: number;
  /** Seconds, fractional. */
  auth_timeout: number;
  max_control_line: number;
  max_payload: number;
  max_pending: number;
  cluster: ClusterOptsVarz;
  gateway: GatewayOptsVarz;
  leaf: LeafNodeOptsVarz;
  mqtt: MqttOptsVarz;
  websocket: WebsocketOptsVarz;
  jetstream: JetStreamVarz;
  /** Seconds, fractional. */
  tls_timeout: number;
  /** Nanoseconds. */
  write_deadline: number;
  start: string;
  now: string;
  uptime: string;
  mem: number;
  cores: number;
  gomaxprocs: number;
  /** Percent of one core. */
  cpu: number;
  connections: number;
  total_connections: number;
  routes: number;
  remotes: number;
  leafnodes: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  slow_consumers: number;
  subscriptions: number;
  /** Requests per endpoint path ("/", "/varz", ...); see MonitoringServer.requestCounts(). */
  http_req_stats: Record<string, number>;
  config_load_time: string;
  tags?: string[];
  trusted_operators_jwt?: string[];
  trusted_operators_claim?: Record<string, unknown>[];
  system_account?: string;
  pinned_account_fails?: number;
}

export interface TlsPeerCert {
  subject?: string;
  spki_sha256?: string;
  cert_sha256?: string;
}

/** A subscription in /connz `subs=detail`, /routez and /subsz lists. */
export interface SubDetail {
  /** Written by /subsz only. */
  account?: string;
  subject: string;
  qgroup?: string;
  sid: string;
  msgs: number;
  max?: number;
  cid: number;
}

export interface ConnInfo {
  cid: number;
  /** "Client", "Router", "Gateway", "Leafnode", ... */
  kind?: string;
  /** "nats", "websocket", "mqtt" for clients. */
  type?: string;
  ip: string;
  port: number;
  start: string;
  last_activity: string;
  /** Closed connections only. */
  stop?: string;
  /** Closed connections only, e.g. "Client Closed". */
  reason?: string;
  rtt?: string;
  uptime: string;
  idle: string;
  pending_bytes: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  subscriptions: number;
  name?: string;
  lang?: string;
  version?: string;
  tls_version?: string;
  tls_cipher_suite?: string;
  tls_peer_certs?: TlsPeerCert[];
  authorized_user?: string;
  account?: string;
  subscriptions_list?: string[];
  subscriptions_list_detail?: SubDetail[];
  jwt?: string;
  issuer_key?: string;
  name_tag?: string;
  tags?: string[];
  mqtt_client?: string;
}

/** GET /connz. */
export interface Connz {
  server_id: string;
  now: string;
  num_connections: number;
  total: number;
  offset: number;
  limit: number;
  connections: ConnInfo[];
}

/** The subject-index statistics that /subsz writes inline. */
export interface SublistStats {
  num_subscriptions: number;
  num_cache: number;
  num_inserts: number;
  num_removes: number;
  num_matches: number;
  cache_hit_rate: number;
  max_fanout: number;
  avg_fanout: number;
}

/** GET /subsz (alias /subscriptionsz). */
export interface Subsz extends SublistStats {
  server_id: string;
  now: string;
  total: number;
  offset: number;
  limit: number;
  subscriptions_list?: SubDetail[];
}

export interface RouteInfo {
  rid: number;
  remote_id: string;
  did_solicit: boolean;
  is_configured: boolean;
  ip: string;
  port: number;
  start: string;
  last_activity: string;
  rtt?: string;
  uptime: string;
  idle: string;
  import?: SubjectPermission;
  export?: SubjectPermission;
  pending_size: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  subscriptions: number;
  subscriptions_list?: string[];
  subscriptions_list_detail?: SubDetail[];
}

/** GET /routez. */
export interface Routez {
  server_id: string;
  now: string;
  import?: SubjectPermission;
  export?: SubjectPermission;
  num_routes: number;
  routes: RouteInfo[];
}

export interface LeafInfo {
  account: string;
  ip: string;
  port: number;
  rtt?: string;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  subscriptions: number;
  subscriptions_list?: string[];
}

/** GET /leafz. */
export interface Leafz {
  server_id: string;
  now: string;
  leafnodes: number;
  leafs: LeafInfo[];
}

export interface AccountGatewayz {
  name: string;
  /** "Optimistic", "Transitioning" or "Interest-Only". */
  interest_mode: string;
  no_interest_count?: number;
  interest_only_threshold?: number;
  num_subs?: number;
  num_queue_subs?: number;
}

export interface RemoteGatewayz {
  configured: boolean;
  connection?: ConnInfo;
  accounts?: AccountGatewayz[];
}

/** GET /gatewayz. */
export interface Gatewayz {
  server_id: string;
  now: string;
  name?: string;
  host?: string;
  port?: number;
  outbound_gateways: Record<string, RemoteGatewayz>;
  inbound_gateways: Record<string, RemoteGatewayz[]>;
}

/** GET /healthz; nats-server writes it compact, with status 503 when `error` is set. */
export interface HealthStatus {
  status: string;
  error?: string;
}
