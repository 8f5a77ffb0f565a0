import type { Socket } from 'node:net';
import { networkInterfaces, hostname } from 'node:os';
import type { Logger } from '@nats-ts/observability';
import { LinkDialer } from '@nats-ts/server-link';
import type { RouteOrigin } from './route-connection.js';
import { routeUrlHostPort } from './route-info.js';

/** nats-server's DEFAULT_ROUTE_CONNECT / DEFAULT_ROUTE_RECONNECT / DEFAULT_ROUTE_DIAL. */
const ROUTE_CONNECT_DELAY_MS = 1000;
const ROUTE_DIAL_TIMEOUT_MS = 1000;
/** Redials after a route dropped wait up to this long more, so two servers do not keep colliding. */
const RECONNECT_JITTER_MS = 100;
/** Failed dials are logged as errors on the first attempt and then once per this many. */
const CONNECT_ERROR_REPORTS = 3600;

export interface DialTarget {
  /** The cluster port we listen on, to recognise URLs that lead back to ourselves. */
  clusterPort(): number;
  connectRetries(): number;
  /** A dial succeeded: the mesh takes the socket over. */
  dialed(socket: Socket, origin: RouteOrigin): void;
}

/**
 * Dials routes as nats-server does: configured routes until they connect, one second apart;
 * routes learned by gossip once plus `connect_retries` times. A route that dropped is redialed
 * after a random delay under 100 ms (plus a second for configured routes).
 */
export class RouteDialer extends LinkDialer {
  /** URLs that turned out to lead to this server. */
  private readonly selfUrls = new Set<string>();
  private readonly localAddresses = localAddressSet();

  constructor(
    private readonly target: DialTarget,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Starts dialing `origin.url` (unless it leads here or is being dialed already: gossip about one server starts one dial). */
  connect(origin: RouteOrigin, delayMs = 0): void {
    const key = origin.url.href;
    if (this.stopped || this.dialing.has(key) || this.leadsHere(origin.url)) return;
    this.dialing.add(key);
    this.later(delayMs, () => this.attempt(origin, 1));
  }

  /** A route we dialed (or kept for a dialed duplicate) dropped: dial it again after a short, random pause. */
  reconnect(origin: RouteOrigin): void {
    const delay = Math.floor(Math.random() * RECONNECT_JITTER_MS) + (origin.explicit ? ROUTE_CONNECT_DELAY_MS : 0);
    this.logger.debug(`Attempting reconnect for solicited route "${redacted(origin.url)}"`);
    this.connect(origin, delay);
  }

  /** The peer at this URL answered with our own server id. */
  markSelf(url: URL): void {
    this.selfUrls.add(url.href);
    this.logger.debug(`Detected route to self, ignoring "${redacted(url)}"`);
  }

  private attempt(origin: RouteOrigin, attempt: number): void {
    if (this.stopped) return;
    const { host, port } = routeUrlHostPort(origin.url);
    this.logger.debug(`Trying to connect to route on ${redacted(origin.url)}`);
    this.dialTcp(
      host,
      port,
      ROUTE_DIAL_TIMEOUT_MS,
      (socket) => {
        this.dialing.delete(origin.url.href);
        this.target.dialed(socket, origin);
      },
      (err) => this.failed(origin, attempt, err),
    );
  }

  private failed(origin: RouteOrigin, attempt: number, err: Error): void {
    const text = `Error trying to connect to route (attempt ${attempt}): ${err.message}`;
    if (attempt === 1 || attempt % CONNECT_ERROR_REPORTS === 0) this.logger.error(text);
    else this.logger.debug(text);
    const retries = this.target.connectRetries();
    if (!origin.explicit && (retries <= 0 || attempt > retries)) {
      this.dialing.delete(origin.url.href);
      return;
    }
    this.later(ROUTE_CONNECT_DELAY_MS, () => this.attempt(origin, attempt + 1));
  }

  /** nats-server skips route URLs that resolve to one of its own addresses and its cluster port. */
  private leadsHere(url: URL): boolean {
    if (this.selfUrls.has(url.href)) return true;
    const { host, port } = routeUrlHostPort(url);
    return port === this.target.clusterPort() && this.localAddresses.has(host.toLowerCase());
  }
}

function localAddressSet(): Set<string> {
  const addresses = new Set<string>(['localhost', hostname().toLowerCase(), '0.0.0.0', '::']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) addresses.add(a.address.toLowerCase());
  }
  return addresses;
}

/** The URL without its password, for logs. */
export function redacted(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = 'xxxxx';
  return copy.href;
}
