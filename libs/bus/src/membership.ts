import { joinHostPort } from '@nats-ts/base';
/** This process as the other bus peers find it. */
export interface PeerAddress {
  readonly peerId: string;
  /** host:port where this peer accepts bus connections. */
  readonly url: string;
}

/**
 * Where a TCP bus learns which peers to dial. It reports bus URLs (host:port); the bus dials
 * each, learns who answers, and keeps dialing the ones that are down. A list that loses a URL
 * only stops the redialing: live links stay up until their peer goes silent.
 */
export interface Membership {
  /** Human-readable description for logs ("static list of 3", "Redis at redis://..."). */
  readonly description: string;
  /**
   * Registers this peer where others look, and reports the peers known now and whenever the
   * set changes. Resolves once this peer is registered and the first set is reported (for Redis:
   * waits for Redis to be reachable).
   */
  start(self: PeerAddress, onPeers: (urls: readonly string[]) => void): Promise<void>;
  /** Deregisters (so others stop dialing) and stops watching. */
  stop(): Promise<void>;
}

/** A fixed list of peer URLs from the configuration (`bus { members: [...] }`). */
export class StaticMembership implements Membership {
  readonly description: string;
  private readonly urls: readonly string[];

  constructor(urls: readonly string[]) {
    this.urls = urls.map(normalizeBusUrl);
    this.description = `static list of ${this.urls.length} member${this.urls.length === 1 ? '' : 's'}`;
  }

  start(_self: PeerAddress, onPeers: (urls: readonly string[]) => void): Promise<void> {
    onPeers(this.urls);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

/** `host:port`, `tcp://host:port` or `[v6]:port` → `host:port` (`[v6]:port` for IPv6). */
export function normalizeBusUrl(text: string): string {
  const bare = text.trim().replace(/^tcp:\/\//i, '');
  const { host, port } = splitBusUrl(bare);
  return joinHostPort(host, port);
}

export function splitBusUrl(url: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(url);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port > 0 && port <= 65535)) throw new Error(`bus: "${url}" is not a host:port address`);
  return { host: match[1] ?? match[2]!, port };
}
