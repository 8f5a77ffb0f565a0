import { randomBytes } from 'node:crypto';
import { formatGoTime } from '@nats-ts/observability';
import type { EndpointSpec } from '@nats-ts/lifecycle';
import type { ClientConnection } from '../client-connection.js';
import type { ClientGateway } from '../client-gateway.js';
import { accountStatOf, leafConnectionsByAccount } from '../monitor-endpoints.js';
import type { SystemResponder } from './system-responder.js';
import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';

const CONNECT_TYPE = 'io.nats.server.advisory.v1.client_connect';
const DISCONNECT_TYPE = 'io.nats.server.advisory.v1.client_disconnect';
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character base-62 event id, shaped like the NUIDs nats-server gives its events. */
function eventId(): string {
  let id = '';
  for (const b of randomBytes(22)) id += ID_ALPHABET[b % 62];
  return id;
}

/**
 * `$SYS.ACCOUNT.<acc>.CONNECT` / `DISCONNECT`, published in the system account as nats-server
 * does (server/events.go accountConnectEvent): for clients of every account but the global one,
 * whose activity nats-server does not report. Every replica reports its own clients.
 */
export class ClientEvents {
  /** Per account with connections here, the timer of its next CONNS heartbeat. */
  private readonly connsTimers = new Map<string, NodeJS.Timeout>();
  /** Accounts whose connections event is about to be sent. */
  private readonly pending = new Set<string>();
  /** Set at shutdown: the connections closed then send no more account events. */
  private stopped = false;

  constructor(
    private readonly system: SystemResponder,
    private readonly gateway: ClientGateway,
    private readonly endpoints: () => ReadonlyMap<string, EndpointSpec>,
  ) {}

  stop(): void {
    this.stopped = true;
    for (const timer of this.connsTimers.values()) clearTimeout(timer);
    this.connsTimers.clear();
  }

  connected(conn: ClientConnection): void {
    const account = conn.account?.name;
    if (account === undefined) return;
    this.accountConns(account);
    if (account === GLOBAL_ACCOUNT_NAME) return;
    const message = {
      type: CONNECT_TYPE,
      id: eventId(),
      timestamp: formatGoTime(Date.now()),
      server: this.system.serverInfo(),
      client: clientInfo(conn, account, false),
    };
    this.system.send(`$SYS.ACCOUNT.${account}.CONNECT`, message);
  }

  disconnected(conn: ClientConnection): void {
    const account = conn.account?.name;
    if (account === undefined) return;
    this.accountConns(account);
    if (account === GLOBAL_ACCOUNT_NAME) return;
    const message = {
      type: DISCONNECT_TYPE,
      id: eventId(),
      timestamp: formatGoTime(conn.stopTime),
      server: this.system.serverInfo(),
      client: clientInfo(conn, account, true),
      // As nats-server: what the client sent and what it was sent.
      sent: { msgs: conn.inMsgs, bytes: conn.inBytes },
      received: { msgs: conn.outMsgs, bytes: conn.outBytes },
      reason: conn.closeReason ?? '',
    };
    this.system.send(`$SYS.ACCOUNT.${account}.DISCONNECT`, message);
  }

  /**
   * `$SYS.SERVER.<id>.CLIENT.AUTH.ERR`, as nats-server's sendAuthErrorEvent: a disconnect event
   * for a client refused as unauthenticated, with the user it claimed; a client not yet bound
   * to an account shows `$G`, where nats-server holds every client until it authenticates.
   */
  authError(conn: ClientConnection): void {
    if (this.stopped) return;
    const account = conn.account?.name ?? GLOBAL_ACCOUNT_NAME;
    const user = conn.credentials.user ?? conn.credentials.nkey;
    const message = {
      type: DISCONNECT_TYPE,
      id: eventId(),
      timestamp: formatGoTime(conn.stopTime),
      server: this.system.serverInfo(),
      client: clientInfo(conn, account, true, user),
      sent: { msgs: conn.inMsgs, bytes: conn.inBytes },
      received: { msgs: conn.outMsgs, bytes: conn.outBytes },
      reason: conn.closeReason ?? '',
    };
    this.system.send(`$SYS.SERVER.${this.gateway.serverId}.CLIENT.AUTH.ERR`, message);
  }

  /**
   * Sends the account's connections event, after the current turn of the event loop: counting
   * walks this server's connections, so a burst of connects or disconnects of one account in
   * the same turn is counted and sent once, with the count after all of them.
   */
  private accountConns(account: string): void {
    if (this.stopped || this.pending.has(account)) return;
    clearTimeout(this.connsTimers.get(account));
    this.connsTimers.delete(account);
    this.pending.add(account);
    setImmediate(() => {
      Promise.resolve(this.endpoints().get('/leafz')?.handler({})).then(
        (leafz) => this.sendAccountConns(account, leafConnectionsByAccount(leafz)),
        (err: Error) => {
          this.pending.delete(account);
          this.gateway.logger.error(`Account connections event for ${account}: ${err.message}`);
        },
      );
    });
  }

  private sendAccountConns(account: string, leafs: ReadonlyMap<string, number>): void {
    this.pending.delete(account);
    if (this.stopped) return;
    const stat = accountStatOf(this.gateway, account, leafs);
    const event = accountConnsEvent(this.system, stat);
    this.system.send(`$SYS.SERVER.ACCOUNT.${account}.CONNS`, event);
    this.system.send(`$SYS.ACCOUNT.${account}.SERVER.CONNS`, { ...event, server: this.system.serverInfo() });
    if ((stat.total_conns as number) === 0) return;
    const timer = setTimeout(() => this.accountConns(account), CONNS_HEARTBEAT_MS);
    // The heartbeat alone must not keep the process alive.
    timer.unref();
    this.connsTimers.set(account, timer);
  }
}

/**
 * nats-server's account connections event (AccountNumConns), sent when an account's connections
 * here change, on `$SYS.ACCOUNT.<acc>.SERVER.CONNS` and the older `$SYS.SERVER.ACCOUNT.<acc>.CONNS`,
 * then every 30 s while the account has connections (eventsHBInterval); for `$G` too, as nats-server.
 */
const CONNS_HEARTBEAT_MS = 30_000;
const CONNS_TYPE = 'io.nats.server.advisory.v1.account_connections';

/** nats-server's AccountNumConns for one account's AccountStat (the events, and the reply to `$SYS.REQ.ACCOUNT.<acc>.CONNS`). */
export function accountConnsEvent(system: SystemResponder, stat: Record<string, unknown>): { server: Record<string, unknown>; [field: string]: unknown } {
  return { type: CONNS_TYPE, id: eventId(), timestamp: formatGoTime(Date.now()), server: system.serverInfo(), ...stat };
}

/** nats-server's ClientInfo, empty fields left out as its `omitempty` does. */
function clientInfo(conn: ClientConnection, account: string, closed: boolean, user = conn.auth?.user): Record<string, unknown> {
  const info: Record<string, unknown> = { start: formatGoTime(conn.start), host: conn.transport.remoteAddress, id: conn.cid, acc: account };
  if (user) info.user = user;
  if (conn.opts.name) info.name = conn.opts.name;
  if (conn.opts.lang) info.lang = conn.opts.lang;
  if (conn.opts.version) info.ver = conn.opts.version;
  if (closed && conn.rttMs > 0) info.rtt = Math.round(conn.rttMs * 1_000_000);
  if (closed) info.stop = formatGoTime(conn.stopTime);
  if (conn.credentials.jwt) info.jwt = conn.credentials.jwt;
  info.kind = 'Client';
  info.client_type = conn.transport.kind === 'websocket' ? 'websocket' : 'nats';
  return info;
}
