import type { Socket } from 'node:net';
import type { Logger } from '@nats-ts/observability';
import { LinkDialer } from '@nats-ts/server-link';

/** nats-server's gateway connect delay and reconnect pause (DEFAULT_GATEWAY_RECONNECT...). */
const GATEWAY_RECONNECT_MS = 1000;
const RECONNECT_JITTER_MS = 100;
const GATEWAY_DIAL_TIMEOUT_MS = 1000;
/** Failed dials are logged as errors on the first attempt and then once per this many. */
const CONNECT_ERROR_REPORTS = 3600;

/** A remote cluster to dial: its name and the URLs known for it (configured and gossiped). */
export interface RemoteGateway {
  readonly name: string;
  readonly urls: URL[];
  /** Listed in the configuration (retried forever) rather than learned from a peer. */
  readonly explicit: boolean;
}

export interface GatewayDialTarget {
  connectRetries(): number;
  /** Whether an outbound connection to this cluster exists (then dialing stops). */
  connected(name: string): boolean;
  dialed(socket: Socket, remote: RemoteGateway, url: URL): void;
}

/**
 * Dials one outbound gateway per remote cluster, as nats-server does: a random URL of the
 * cluster each attempt, one second apart; configured clusters forever, learned ones once plus
 * `connect_retries`.
 */
export class GatewayDialer extends LinkDialer {
  constructor(
    private readonly target: GatewayDialTarget,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Starts dialing a remote cluster unless that is under way or done. */
  connect(remote: RemoteGateway, delayMs = 0): void {
    if (this.stopped || this.dialing.has(remote.name) || this.target.connected(remote.name)) return;
    this.dialing.add(remote.name);
    this.later(delayMs, () => this.attempt(remote, 1));
  }

  /**
   * The outbound connection to this cluster dropped: dial it again after nats-server's pause,
   * one second plus up to 100 ms at random so servers do not all come back at once.
   */
  reconnect(remote: RemoteGateway): void {
    this.connect(remote, GATEWAY_RECONNECT_MS + Math.floor(Math.random() * RECONNECT_JITTER_MS));
  }

  /** The dial of this cluster ended (connected or refused): another may start. */
  done(name: string): void {
    this.dialing.delete(name);
  }

  private attempt(remote: RemoteGateway, attempt: number): void {
    if (this.stopped) return;
    if (this.target.connected(remote.name) || remote.urls.length === 0) {
      this.dialing.delete(remote.name);
      return;
    }
    const url = remote.urls[Math.floor(Math.random() * remote.urls.length)]!;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port || 7222);
    this.logger.debug(`Connecting to explicit gateway "${remote.name}" (${url.host}) at ${host}:${port} (attempt ${attempt})`);
    this.dialTcp(
      host,
      port,
      GATEWAY_DIAL_TIMEOUT_MS,
      (socket) => this.target.dialed(socket, remote, url),
      (err) => this.failed(remote, attempt, err),
    );
  }

  private failed(remote: RemoteGateway, attempt: number, err: Error): void {
    const text = `Error connecting to ${remote.explicit ? 'explicit' : 'implicit'} gateway "${remote.name}" (attempt ${attempt}): ${err.message}`;
    if (attempt === 1 || attempt % CONNECT_ERROR_REPORTS === 0) this.logger.error(text);
    else this.logger.debug(text);
    const retries = this.target.connectRetries();
    if (!remote.explicit && attempt > retries) {
      this.dialing.delete(remote.name);
      return;
    }
    this.later(GATEWAY_RECONNECT_MS, () => this.attempt(remote, attempt + 1));
  }
}
