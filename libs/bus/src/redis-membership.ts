import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '@nats-ts/observability';
import type { Membership, PeerAddress } from './membership.js';

export interface RedisMembershipOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** Separates buses sharing one Redis: keys and the channel start with `nats-ts:bus:<name>`. */
  name: string;
  /** Lifetime of a registration; it is renewed every third of it (default 15 s). */
  ttlMs?: number;
  logger: Logger;
}

interface PeerEvent {
  event: 'join' | 'leave';
  peerId: string;
  url: string;
}

const START_RETRY_MS = 500;
const WAITING_LOG_EVERY_MS = 10_000;
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * Membership through Redis (ioredis). Each peer registers its URL under a key with a TTL and
 * renews it; joins and leaves are published on a channel so the others react at once, and every
 * renewal also scans the registrations, which catches what pub/sub missed (a peer that died
 * without leaving drops out when its key expires). While Redis is unreachable the last known
 * peers stay as they are (existing links are not touched) and the outage is logged once, as is
 * the recovery; start() waits until Redis can be reached.
 */
export class RedisMembership implements Membership {
  readonly description: string;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly ttlMs: number;
  private readonly logger: Logger;
  private commands: Redis | undefined;
  private subscriber: Redis | undefined;
  private self: PeerAddress | undefined;
  private onPeers: ((urls: readonly string[]) => void) | undefined;
  /** Registered peers other than us: peer id → URL. */
  private known = new Map<string, string>();
  private reported = '';
  private renewTimer: NodeJS.Timeout | undefined;
  private lastError = '';
  private unreachable = false;
  private stopped = false;

  constructor(private readonly options: RedisMembershipOptions) {
    this.prefix = `nats-ts:bus:${options.name}`;
    this.channel = `${this.prefix}:events`;
    this.ttlMs = options.ttlMs ?? 15_000;
    this.logger = options.logger;
    this.description = `Redis at ${redactUrl(options.url)} (bus "${options.name}")`;
  }

  async start(self: PeerAddress, onPeers: (urls: readonly string[]) => void): Promise<void> {
    this.self = self;
    this.onPeers = onPeers;
    // Loaded here, not at startup: processes without Redis membership do not pay its memory (~3 MiB).
    const { Redis: RedisClient } = await import('ioredis');
    if (this.stopped) return;
    // Commands fail at once while Redis is down (renewals must not pile up); the subscriber
    // reconnects and resubscribes on its own.
    this.commands = this.connect(RedisClient, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
    this.subscriber = this.connect(RedisClient, { maxRetriesPerRequest: null });
    this.subscriber.on('message', (channel: string, text: string) => this.peerEvent(channel, text));
    await this.registerWhenReachable();
    if (this.stopped) return;
    await this.subscriber.subscribe(this.channel);
    await this.scan();
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.renewTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer !== undefined) clearInterval(this.renewTimer);
    const commands = this.commands;
    if (commands !== undefined && this.self !== undefined && commands.status === 'ready') {
      try {
        await commands.del(this.key(this.self.peerId));
        await commands.publish(this.channel, JSON.stringify({ event: 'leave', ...this.self } satisfies PeerEvent));
      } catch (err) {
        this.logger.warn(`Bus membership: could not deregister from Redis: ${(err as Error).message}`);
      }
    }
    commands?.disconnect();
    this.subscriber?.disconnect();
  }

  private connect(RedisClient: typeof Redis, extra: RedisOptions): Redis {
    const client = new RedisClient(this.options.url, {
      connectTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      ...extra,
    });
    // Connection errors are expected while Redis is down; they are reported through renewals.
    client.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    return client;
  }

  private async registerWhenReachable(): Promise<void> {
    let waitingSince = 0;
    let lastLog = 0;
    while (!this.stopped) {
      try {
        await readyOrTimeout(this.commands!, START_RETRY_MS);
        await this.register();
        if (waitingSince !== 0) this.logger.info(`Bus membership: Redis at ${redactUrl(this.options.url)} is reachable, registered`);
        return;
      } catch (err) {
        const now = Date.now();
        if (waitingSince === 0) waitingSince = now;
        if (now - lastLog >= WAITING_LOG_EVERY_MS) {
          lastLog = now;
          this.logger.warn(`Bus membership: waiting for Redis at ${redactUrl(this.options.url)} to join the bus (${this.reason(err)})`);
        }
        if (this.commands!.status === 'ready') await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS));
      }
    }
  }

  private async register(): Promise<void> {
    const self = this.self!;
    await this.commands!.set(this.key(self.peerId), self.url, 'PX', this.ttlMs);
    await this.commands!.publish(this.channel, JSON.stringify({ event: 'join', ...self } satisfies PeerEvent));
  }

  /** Renews our registration and rescans; logs when Redis becomes unreachable and when it returns. */
  private async renew(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.unreachable) await this.register();
      else await this.commands!.set(this.key(this.self!.peerId), this.self!.url, 'PX', this.ttlMs);
      await this.scan();
    } catch (err) {
      if (!this.unreachable && !this.stopped) {
        this.unreachable = true;
        this.logger.error(
          `Bus membership: Redis at ${redactUrl(this.options.url)} is unreachable (${this.reason(err)}); ` +
            `keeping the ${this.known.size} known bus peer(s) and existing links, retrying`,
        );
      }
      return;
    }
    if (this.unreachable) {
      this.unreachable = false;
      this.logger.info(`Bus membership: Redis at ${redactUrl(this.options.url)} is reachable again, registration renewed`);
    }
  }

  /** Replaces what we know with the registrations in Redis. */
  private async scan(): Promise<void> {
    const commands = this.commands!;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await commands.scan(cursor, 'MATCH', `${this.prefix}:peer:*`, 'COUNT', 100);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const urls = keys.length === 0 ? [] : await commands.mget(...keys);
    const known = new Map<string, string>();
    const idStart = `${this.prefix}:peer:`.length;
    keys.forEach((key, i) => {
      const url = urls[i];
      const peerId = key.slice(idStart);
      if (url !== null && url !== undefined && peerId !== this.self!.peerId) known.set(peerId, url);
    });
    this.known = known;
    this.report();
  }

  private peerEvent(channel: string, text: string): void {
    if (channel !== this.channel || this.stopped) return;
    let event: PeerEvent;
    try {
      event = JSON.parse(text) as PeerEvent;
    } catch {
      return;
    }
    if (event.peerId === this.self?.peerId || typeof event.url !== 'string') return;
    if (event.event === 'join') this.known.set(event.peerId, event.url);
    else if (event.event === 'leave') this.known.delete(event.peerId);
    this.report();
  }

  private report(): void {
    const urls = [...new Set(this.known.values())].sort();
    const text = urls.join(' ');
    if (text === this.reported) return;
    this.reported = text;
    this.onPeers?.(urls);
  }

  private key(peerId: string): string {
    return `${this.prefix}:peer:${peerId}`;
  }

  private reason(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    return this.lastError !== '' && !message.includes(this.lastError) ? `${message}; ${this.lastError}` : message;
  }
}

/** Resolves when the client is connected, or after `ms` (commands then fail and are retried). */
function readyOrTimeout(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
