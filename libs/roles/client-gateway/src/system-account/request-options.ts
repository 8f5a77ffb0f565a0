/**
 * A `$SYS.REQ.SERVER...` request body as nats-server takes it (server/events.go: the endpoint's
 * options struct, JSON keys as in server/monitor.go, plus EventFilterOptions), turned into the
 * query of the same HTTP endpoint, so one document builder serves both.
 */

/** Per endpoint: JSON key of the options → the HTTP query parameter it stands for. */
const QUERY_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  CONNZ: { sort: 'sort', auth: 'auth', offset: 'offset', limit: 'limit', cid: 'cid', state: 'state', user: 'user', acc: 'acc', filter_subject: 'filter_subject' },
  SUBSZ: { offset: 'offset', limit: 'limit', account: 'acc', test: 'test' },
  ROUTEZ: {},
  GATEWAYZ: { name: 'gw_name', accounts: 'accs', account_name: 'acc_name' },
  LEAFZ: { account: 'acc' },
  JSZ: { account: 'acc', accounts: 'accounts', streams: 'streams', consumer: 'consumers', config: 'config', leader_only: 'leader_only', offset: 'offset', limit: 'limit' },
  HEALTHZ: { 'js-enabled-only': 'js-enabled-only', 'js-server-only': 'js-server-only' },
  ACCOUNTZ: { account: 'acc' },
  VARZ: {},
  STATSZ: {},
};

/** The endpoints a server answers on `$SYS.REQ.SERVER.PING.<name>` and `$SYS.REQ.SERVER.<id>.<name>`. */
export const SERVER_REQUESTS = Object.keys(QUERY_KEYS);

/** nats-server's ConnState numbers (monitor.go): the JSON body carries them, the query a word. */
const CONN_STATES = ['open', 'closed', 'all'];

/** EventFilterOptions: a server answers only when it matches every filter given. */
export interface EventFilter {
  server_name?: string;
  cluster?: string;
  host?: string;
  tags?: string[];
  domain?: string;
}

export interface ServerRequest {
  query: Record<string, string>;
  filter: EventFilter;
  /** The body's JSON object as sent (empty without a body), for options no HTTP query has. */
  options: Record<string, unknown>;
}

export class RequestBodyError extends Error {}

/** Parses the body (empty: no options); throws RequestBodyError on what nats-server's json.Unmarshal would refuse. */
export function parseServerRequest(endpoint: string, body: Uint8Array): ServerRequest {
  const query: Record<string, string> = {};
  if (body.length === 0) return { query, filter: {}, options: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (err) {
    throw new RequestBodyError((err as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RequestBodyError(`json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into the ${endpoint} options`);
  }
  const options = parsed as Record<string, unknown>;
  const keys = QUERY_KEYS[endpoint] ?? {};
  for (const [key, param] of Object.entries(keys)) {
    const value = options[key];
    if (value === undefined || value === null || value === false || value === '') continue;
    if (key === 'state' && typeof value === 'number') query.state = CONN_STATES[value] ?? 'open';
    else query[param] = value === true ? '1' : String(value);
  }
  // Subscriptions, with or without their details, are one query parameter.
  if (options.subscriptions_detail === true) query.subs = 'detail';
  else if (options.subscriptions === true) query.subs = '1';
  return { query, filter: readFilter(options), options };
}

function readFilter(options: Record<string, unknown>): EventFilter {
  const filter: EventFilter = {};
  for (const key of ['server_name', 'cluster', 'host', 'domain'] as const) {
    const value = options[key];
    if (typeof value === 'string' && value !== '') filter[key] = value;
  }
  if (Array.isArray(options.tags)) filter.tags = options.tags.filter((t): t is string => typeof t === 'string');
  return filter;
}

/** The server a filter is matched against (nats-server's filterRequest: substrings, every tag). */
export interface FilteredServer {
  name: string;
  host: string;
  cluster: string;
  tags: readonly string[];
  domain: string;
}

export function filterExcludes(filter: EventFilter, server: FilteredServer): boolean {
  if (filter.server_name !== undefined && !server.name.includes(filter.server_name)) return true;
  if (filter.host !== undefined && !server.host.includes(filter.host)) return true;
  if (filter.cluster !== undefined && !server.cluster.includes(filter.cluster)) return true;
  if (filter.tags !== undefined && !filter.tags.every((t) => server.tags.includes(t))) return true;
  return filter.domain !== undefined && server.domain !== filter.domain;
}
