import type { EndpointSpec } from '@nats-ts/lifecycle';
import type { SubscriberEntry } from '@nats-ts/routing';
import type { ClientGateway } from '../client-gateway.js';
import { gatewayStats } from './gateway-stats.js';
import type { RemoteServers } from './remote-servers.js';
import { filterExcludes, parseServerRequest, RequestBodyError, SERVER_REQUESTS, type FilteredServer, type ServerRequest } from './request-options.js';

/** A subscriber inside the client role: one of the system account's request subjects. */
export class SystemEntry implements SubscriberEntry {
  readonly kind = 'internal';
  readonly link = undefined;
  readonly queue = undefined;
  owner = '';
  weight = 1;

  constructor(
    readonly subject: string,
    private readonly onRequest: (subject: string, reply: string | undefined, body: Uint8Array) => void,
  ) {}

  accepts(): boolean {
    return true;
  }

  deliver(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    // The body is copied: it is answered after the router's call returns (the documents are async).
    this.onRequest(subject, reply, data.slice(start + headerSize, end));
  }
}

const EMPTY = new Uint8Array(0);

/**
 * nats-server's `$SYS.SERVER.<id>.STATSZ` heartbeat: the first after 250 ms, the interval
 * doubling up to 30 s (eventsHBInterval), so that tools see a new server at once.
 */
const FIRST_STATSZ_MS = 250;
const STATSZ_INTERVAL_MS = 30_000;

/** The monitoring path each request name is answered from (STATSZ is built from /varz and /routez). */
const PATHS: Readonly<Record<string, string>> = {
  VARZ: '/varz',
  CONNZ: '/connz',
  SUBSZ: '/subsz',
  ROUTEZ: '/routez',
  GATEWAYZ: '/gatewayz',
  LEAFZ: '/leafz',
  JSZ: '/jsz',
  HEALTHZ: '/healthz',
  ACCOUNTZ: '/accountz',
};

/**
 * Answers the system account's server requests, as nats-server's internal system client does
 * (server/events.go): `$SYS.REQ.SERVER.PING` (STATSZ), `$SYS.REQ.SERVER.PING.<name>` and
 * `$SYS.REQ.SERVER.<id>.<name>`, each reply `{"server": {...}, "data": {...}}` or `"error"`.
 *
 * It lives in the client role because that is the server clients (and so `nats server ping`)
 * see: its INFO names the server id the replies carry. The documents are this process's merged
 * monitoring endpoints, the same ones its HTTP port serves (the route, gateway, leaf and
 * JetStream roles of the all-in-one process contribute theirs). Several client-gateway replicas
 * of one node are one server on the bus, so only one of them answers: the one whose bus member
 * id sorts first, re-chosen as members come and go; the others hold no subscriptions.
 */
export class SystemResponder {
  private readonly entries: SystemEntry[] = [];
  /** nats-server's `seq` of the internal client: one more per message it sends. */
  private seq = 0;
  private statszTimer: NodeJS.Timeout | undefined;
  private statszIntervalMs = FIRST_STATSZ_MS;

  constructor(
    private readonly gateway: ClientGateway,
    private readonly systemAccount: string,
    private readonly endpoints: () => ReadonlyMap<string, EndpointSpec>,
    /** The requests about one account (account-requests.ts), subscribed with the server's. */
    private readonly accountRequests: { entries(system: SystemResponder): SystemEntry[] },
    /** The other servers heard of, for STATSZ's `active_servers`. */
    private readonly remoteServers: RemoteServers,
  ) {}

  /** Subscribes when this replica is the node's responder, unsubscribes when it no longer is. */
  update(): void {
    const answering = this.gateway.isFirstClientGateway();
    if (answering && this.entries.length === 0) this.subscribe();
    else if (!answering && this.entries.length > 0) this.unsubscribe();
  }

  /**
   * At shutdown: `$SYS.SERVER.<id>.SHUTDOWN`, nats-server's last event, whose body is the server
   * block alone (sent by the replica answering for the server), then no more answers.
   */
  stop(): void {
    if (this.entries.length === 0) return;
    const server = this.serverInfo();
    server.seq = ++this.seq;
    server.time = new Date().toISOString();
    this.gateway.publishInternal(this.systemAccount, `$SYS.SERVER.${this.gateway.serverId}.SHUTDOWN`, Buffer.from(JSON.stringify(server), 'utf8'));
    this.unsubscribe();
  }

  private subscribe(): void {
    const id = this.gateway.serverId;
    this.entries.push(new SystemEntry('$SYS.REQ.SERVER.PING', (_s, reply, body) => this.answer('STATSZ', reply, body)));
    for (const name of SERVER_REQUESTS) {
      const onRequest = (_s: string, reply: string | undefined, body: Uint8Array): void => this.answer(name, reply, body);
      this.entries.push(new SystemEntry(`$SYS.REQ.SERVER.PING.${name}`, onRequest), new SystemEntry(`$SYS.REQ.SERVER.${id}.${name}`, onRequest));
    }
    this.entries.push(...this.accountRequests.entries(this), ...this.remoteServers.entries());
    for (const entry of this.entries) this.gateway.subscribeInternal(this.systemAccount, entry);
    this.statszIntervalMs = FIRST_STATSZ_MS;
    this.scheduleStatsz();
  }

  private unsubscribe(): void {
    for (const entry of this.entries.splice(0)) this.gateway.unsubscribeInternal(this.systemAccount, entry);
    clearTimeout(this.statszTimer);
    this.statszTimer = undefined;
  }

  private scheduleStatsz(): void {
    this.statszTimer = setTimeout(() => {
      this.statszIntervalMs = Math.min(this.statszIntervalMs * 2, STATSZ_INTERVAL_MS);
      this.scheduleStatsz();
      this.answer('STATSZ', undefined, EMPTY);
    }, this.statszIntervalMs);
    // The heartbeat alone must not keep the process alive.
    this.statszTimer.unref();
  }

  /**
   * This server as the `server` block of every reply and event (nats-server's ServerInfo, empty
   * fields left out as its `omitempty` does); `seq` and `time` are set as the message is sent.
   */
  serverInfo(): Record<string, unknown> {
    const info = this.gateway.baseInfo();
    const o = this.gateway.options;
    const block: Record<string, unknown> = { name: info.server_name, host: o.host, id: this.gateway.serverId };
    if (typeof info.cluster === 'string' && info.cluster !== '') block.cluster = info.cluster;
    if (typeof info.domain === 'string' && info.domain !== '') block.domain = info.domain;
    block.ver = this.gateway.compatVersion;
    if (o.serverTags.length > 0) block.tags = o.serverTags;
    block.seq = 0;
    block.jetstream = o.jetstream.enabled;
    block.time = '';
    return block;
  }

  filtered(): FilteredServer {
    const info = this.gateway.baseInfo();
    const o = this.gateway.options;
    return {
      name: String(info.server_name),
      host: o.host,
      cluster: typeof info.cluster === 'string' ? info.cluster : '',
      tags: o.serverTags,
      domain: typeof info.domain === 'string' ? info.domain : '',
    };
  }

  private answer(name: string, reply: string | undefined, body: Uint8Array): void {
    // nats-server answers a STATSZ request without a reply on the server's STATSZ subject.
    if (reply === undefined && name !== 'STATSZ') return;
    const to = reply ?? `$SYS.SERVER.${this.gateway.serverId}.STATSZ`;
    this.respond(to, name, body, (request) => this.document(name, request.query), name === 'STATSZ' ? 'statsz' : 'data');
  }

  /**
   * Answers one request as nats-server's zReq does: the body parsed as the endpoint's options
   * (400 when it cannot be), nothing when its filters exclude this server or `build` resolves
   * to undefined, else the document under `field`, or `data: null` and the error (500).
   */
  respond(to: string, name: string, body: Uint8Array, build: (request: ServerRequest) => unknown, field: 'data' | 'statsz' = 'data'): void {
    let request: ServerRequest;
    try {
      request = parseServerRequest(name, body);
    } catch (err) {
      if (!(err instanceof RequestBodyError)) throw err;
      this.send(to, { server: this.serverInfo(), error: { code: 400, description: err.message } });
      return;
    }
    if (filterExcludes(request.filter, this.filtered())) return;
    Promise.resolve()
      .then(() => build(request))
      .then(
        (document) => {
          if (document !== undefined) this.send(to, { server: this.serverInfo(), [field]: document });
        },
        (err: Error) => this.send(to, { server: this.serverInfo(), data: null, error: { code: 500, description: err.message } }),
      );
  }

  private async document(name: string, query: Record<string, string>): Promise<unknown> {
    if (name === 'STATSZ') return this.statsz();
    const endpoint = this.endpoints().get(PATHS[name]!);
    if (endpoint === undefined) throw new Error(`${name} is not served by this server`);
    return endpoint.handler(query);
  }

  /** nats-server's ServerStats, from this process's /varz and /routez. */
  async statsz(): Promise<Record<string, unknown>> {
    const varz = (await this.endpoints().get('/varz')?.handler({})) as Record<string, unknown> | undefined;
    const routez = (await this.endpoints().get('/routez')?.handler({})) as { routes?: Record<string, unknown>[] } | undefined;
    const v = varz ?? {};
    const stats: Record<string, unknown> = {
      start: v.start,
      mem: v.mem,
      cores: v.cores,
      cpu: v.cpu,
      connections: v.connections,
      total_connections: v.total_connections,
      active_accounts: this.gateway.activeAccounts(),
      subscriptions: v.subscriptions,
      sent: { msgs: v.out_msgs, bytes: v.out_bytes },
      received: { msgs: v.in_msgs, bytes: v.in_bytes },
      slow_consumers: v.slow_consumers,
    };
    const routes = (routez?.routes ?? []).map((r) => ({
      rid: r.rid,
      ...(r.remote_name !== undefined ? { name: r.remote_name } : {}),
      sent: { msgs: r.out_msgs, bytes: r.out_bytes },
      received: { msgs: r.in_msgs, bytes: r.in_bytes },
      pending: r.pending_size,
    }));
    if (routes.length > 0) stats.routes = routes;
    const gateways = gatewayStats(await this.endpoints().get('/gatewayz')?.handler({}));
    if (gateways.length > 0) stats.gateways = gateways;
    stats.active_servers = 1 + this.remoteServers.count();
    if (v.jetstream !== undefined && Object.keys(v.jetstream as object).length > 0) stats.jetstream = v.jetstream;
    return stats;
  }

  /** Sends a message whose `server` block came from serverInfo(), stamping its sequence and time. */
  send(subject: string, message: { server: Record<string, unknown>; [field: string]: unknown }): void {
    message.server.seq = ++this.seq;
    message.server.time = new Date().toISOString();
    this.gateway.publishInternal(this.systemAccount, subject, Buffer.from(JSON.stringify(message), 'utf8'));
  }
}
