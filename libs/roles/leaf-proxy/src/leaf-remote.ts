import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type * as WsModule from 'ws';
import type { LeafRemoteConfig } from '@nats-ts/config';
import type { Logger } from '@nats-ts/observability';
import { urlHostPort } from './leaf-info.js';
import { tlsFiles } from '@nats-ts/server-link/tls';
import { GLOBAL_ACCOUNT_NAME, joinHostPort } from '@nats-ts/base';

/** How long a dial may take, as nats-server's leaf dial timeout. */
const DIAL_TIMEOUT_MS = 1000;

/** A dialed stream, before the leaf handshake. */
export interface DialedStream {
  stream: Duplex;
  url: URL;
  remoteAddress: string;
  remotePort: number;
  /** WebSocket connections carry TLS themselves (wss) and never upgrade after INFO. */
  websocket: boolean;
}

export interface LeafRemoteOwner {
  readonly logger: Logger;
  reconnectMs(): number;
  /** A dial succeeded: run the handshake on it. */
  dialed(remote: LeafRemote, dialed: DialedStream): void;
}

/**
 * One `leafnodes { remotes }` entry: dials its URLs in turn until one answers, and again after
 * the connection drops, waiting `reconnect` between attempts (plus the delay nats-server
 * imposes after a loop or a refused cluster name). URLs the hub advertises in `leafnode_urls`
 * join the list, so a hub cluster member that goes away is replaced by another.
 */
export class LeafRemote {
  readonly account: string;
  private readonly configured: URL[];
  private learned: URL[] = [];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private extraDelayMs = 0;
  private stopped = false;
  /** The URL of the current or last connection, for /leafz and logs. */
  currentUrl: URL | undefined;

  constructor(
    readonly config: LeafRemoteConfig,
    private readonly owner: LeafRemoteOwner,
  ) {
    this.account = config.account ?? GLOBAL_ACCOUNT_NAME;
    this.configured = config.urls.map((u) => new URL(u));
  }

  get isWebsocket(): boolean {
    const protocol = this.configured[0]?.protocol;
    return protocol === 'ws:' || protocol === 'wss:';
  }

  start(): void {
    this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** The connection went away: try again after the reconnect interval. */
  connectionClosed(): void {
    this.schedule();
  }

  /** nats-server waits this much longer after a loop, or a hub of our own cluster name. */
  delayNextAttempt(ms: number): void {
    this.extraDelayMs = Math.max(this.extraDelayMs, ms);
  }

  /** `leafnode_urls` from the hub: its cluster's other members, tried after the configured URLs. */
  learnUrls(hostPorts: readonly unknown[]): void {
    const template = this.configured[0]!;
    const learned: URL[] = [];
    for (const hostPort of hostPorts) {
      if (typeof hostPort !== 'string') continue;
      const url = new URL(template.href);
      url.host = hostPort;
      if (!this.configured.some((c) => c.host === url.host) && !learned.some((l) => l.host === url.host)) learned.push(url);
    }
    this.learned = learned;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    const delay = this.owner.reconnectMs() + this.extraDelayMs;
    this.extraDelayMs = 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt();
    }, delay);
  }

  private pickUrl(): URL {
    const all = [...this.configured, ...this.learned];
    const url = all[this.next % all.length]!;
    this.next = (this.next + 1) % all.length;
    return url;
  }

  private attempt(): void {
    if (this.stopped) return;
    const url = this.pickUrl();
    this.currentUrl = url;
    const { host, port } = urlHostPort(url);
    this.owner.logger.debug(`Trying to connect as leafnode to remote server on "${joinHostPort(host, port)}"`);
    const fail = (err: Error): void => {
      this.owner.logger.error(`Error trying to connect as leafnode to remote server "${joinHostPort(host, port)}": ${err.message}`);
      this.schedule();
    };
    if (this.isWebsocket) this.dialWebsocket(url, host, port, fail);
    else this.dialTcp(url, host, port, fail);
  }

  private dialTcp(url: URL, host: string, port: number, fail: (err: Error) => void): void {
    const socket: Socket = netConnect({ host, port, noDelay: true });
    const timer = setTimeout(() => socket.destroy(new Error('dial timeout')), DIAL_TIMEOUT_MS);
    socket.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (this.stopped) return void socket.destroy();
      this.owner.dialed(this, { stream: socket, url, remoteAddress: socket.remoteAddress ?? host, remotePort: socket.remotePort ?? port, websocket: false });
    });
  }

  /** As nats-server: the path is `/leafnode` followed by the URL's path without its leading slash. */
  private dialWebsocket(url: URL, host: string, port: number, fail: (err: Error) => void): void {
    // ws is loaded for the first websocket remote only (it costs several MiB).
    import('ws').then((ws) => this.openWebsocket(ws, url, host, port, fail), fail);
  }

  private openWebsocket(ws: typeof WsModule, url: URL, host: string, port: number, fail: (err: Error) => void): void {
    if (this.stopped) return;
    const path = `/leafnode${url.pathname.replace(/^\//, '')}`;
    const target = `${url.protocol}//${joinHostPort(host, port)}${path}`;
    const tls = this.config.tls;
    const files = tls !== undefined ? tlsFiles(tls) : {};
    const socket = new ws.WebSocket(target, {
      perMessageDeflate: false,
      handshakeTimeout: DIAL_TIMEOUT_MS,
      ...files,
      rejectUnauthorized: tls === undefined || !tls.insecure,
      ...(url.protocol === 'wss:' && isIP(host) === 0 ? { servername: host } : {}),
    });
    socket.once('error', (err) => fail(err));
    socket.once('open', () => {
      socket.removeAllListeners('error');
      if (this.stopped) return void socket.terminate();
      const stream = ws.createWebSocketStream(socket);
      this.owner.dialed(this, { stream, url, remoteAddress: host, remotePort: port, websocket: true });
    });
  }

  /** Starts TLS on a dialed TCP stream after the hub's plaintext INFO, as nats-server's leafs do. */
  startTls(socket: Socket, host: string): TLSSocket {
    const tls = this.config.tls;
    return tlsConnect({
      socket,
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(tls !== undefined ? tlsFiles(tls) : {}),
      rejectUnauthorized: tls === undefined || !tls.insecure,
    });
  }

  /** Whether this remote asks for TLS by itself (a tls:// URL or a tls block). */
  get wantsTls(): boolean {
    return this.config.tls !== undefined || this.currentUrl?.protocol === 'tls:';
  }
}
