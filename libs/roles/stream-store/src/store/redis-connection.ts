import type { ChainableCommander, Cluster, Redis, RedisOptions } from 'ioredis';
import type { JetStreamRedisConfig } from '@nats-ts/config';
import { randomUUID } from 'node:crypto';
import { APPLY_SCRIPT, CLAIM_SCRIPT, CREATE_SCRIPT, DESTROY_SCRIPT, RENEW_SCRIPT, STREAM_KEY_NAMES, SUMMARY_SCRIPT } from './redis-scripts.js';

/** One argument of a Redis command: text, or bytes as they are. */
export type RedisArg = string | Buffer | number;

/** The scripts, as ioredis defines them on the client and its pipelines (each takes the stream's keys first). */
interface StreamScripts {
  natsTsCreate(...args: RedisArg[]): ChainableCommander;
  natsTsClaim(...args: RedisArg[]): ChainableCommander;
  natsTsApply(...args: RedisArg[]): ChainableCommander;
  natsTsDestroy(...args: RedisArg[]): ChainableCommander;
  natsTsRenew(...args: RedisArg[]): ChainableCommander;
  natsTsSummary(...args: RedisArg[]): ChainableCommander;
}

/** A stream as Redis keeps it, for the account-wide API answers of a server that does not serve it. */
export interface RedisStreamSummary {
  readonly name: string;
  /** The stream config's JSON. */
  readonly config: string;
  readonly created: string;
  readonly messages: number;
  readonly bytes: number;
  readonly firstSeq: number;
  readonly firstTimeNs: bigint;
  readonly lastSeq: number;
  readonly lastTimeNs: bigint;
  readonly numSubjects: number;
  readonly consumers: number;
  /** The server holding its lease (its server name); undefined while nobody does. */
  readonly leader: string | undefined;
}

/** A store holding a stream's lease: renewed while it is open, told when another took the stream. */
export interface LeaseHolder {
  readonly name: RedisStreamName;
  readonly token: string;
  leaseLost(reason: string): void;
}

export interface RedisStoreOptions {
  /** `redis_min_replicas`. */
  readonly minReplicas: number;
  /** `redis_lease`, ms. */
  readonly leaseMs: number;
  /** Names this server in its leases (its server name): after a restart it takes its own streams back at once. */
  readonly identity: string;
}

type ScriptPipeline = ChainableCommander & StreamScripts;

/** The scripts called on the client itself, outside a pipeline. */
interface ScriptClient {
  natsTsRenew(...args: RedisArg[]): Promise<unknown>;
  natsTsSummary(...args: RedisArg[]): Promise<unknown>;
}

/** How long WAIT waits for the replicas of `redis_min_replicas` before the write counts as not confirmed. */
const REPLICA_WAIT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 2_000;
/** Message records asked for per round trip when a stream is opened. */
const SCAN_PAGE = 1000;

/**
 * The write landed on the primary, but fewer replicas than `redis_min_replicas` confirmed it in
 * time: its acks are not sent, yet Redis holds what the store holds (later writes may go on).
 */
export class ReplicaShortfall extends Error {}

/** Where one stream's keys are: account and stream name, escaped so that no name can reach into another's keys. */
export interface RedisStreamName {
  readonly account: string;
  readonly stream: string;
}

export function streamKeyPrefix(name: RedisStreamName): string {
  return `nats-ts:js:{${encodeURIComponent(name.account)}:${encodeURIComponent(name.stream)}}:`;
}

/** The set of an account's stream names (a key of its own slot: it is never written by a script). */
function accountStreamsKey(account: string): string {
  return `nats-ts:js:streams:${encodeURIComponent(account)}`;
}

/**
 * The one Redis connection of a stream-store role, shared by its Redis stores. Commands of one
 * connection run in the order sent, so a store's writes land in order. While Redis is away,
 * commands wait in ioredis's queue and are sent again after the reconnect (the scripts are
 * idempotent for that); `ready` says whether new writes can be taken.
 */
export class RedisStoreConnection {
  /** Every pipeline sent and not yet answered. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly leases = new Set<LeaseHolder>();
  private readonly renewTimer: NodeJS.Timeout;
  readonly minReplicas: number;
  readonly leaseMs: number;
  private readonly identity: string;

  private constructor(
    /** One server, a Sentinel group's primary, or a Redis Cluster (a pipeline then holds keys of one slot only). */
    private readonly client: Redis | Cluster,
    options: RedisStoreOptions,
    /** For logs: where Redis is, without credentials. */
    readonly description: string,
  ) {
    this.minReplicas = options.minReplicas;
    this.leaseMs = options.leaseMs;
    // Escaped and ending with a separator, so that no server's identity starts another's.
    this.identity = `${encodeURIComponent(options.identity)}/`;
    this.renewTimer = setInterval(() => this.renewLeases(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
  }

  /** Connects (ioredis loaded only now) and waits until Redis answers. */
  static async connect(config: JetStreamRedisConfig, options: RedisStoreOptions, onError: (message: string) => void): Promise<RedisStoreConnection> {
    const { Redis: RedisClient, Cluster: ClusterClient } = await import('ioredis');
    const clientOptions: RedisOptions = {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Writes wait for Redis to come back instead of failing: an ack is only sent once they land.
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    };
    const retry = (attempt: number): number => Math.min(attempt * 100, 1_000);
    const client =
      'url' in config
        ? new RedisClient(config.url, clientOptions)
        : 'cluster' in config
          ? new ClusterClient(
              config.cluster.map((node) => ({ ...node })),
              { redisOptions: clientOptions, clusterRetryStrategy: retry },
            )
          : new RedisClient({ ...clientOptions, sentinels: config.sentinels.map((s) => ({ ...s })), name: config.name });
    let lastError = '';
    client.on('error', (err: Error) => {
      if (err.message === lastError) return;
      lastError = err.message;
      onError(err.message);
    });
    client.on('ready', () => {
      lastError = '';
    });
    client.defineCommand('natsTsCreate', { numberOfKeys: STREAM_KEY_NAMES.length, lua: CREATE_SCRIPT });
    client.defineCommand('natsTsClaim', { numberOfKeys: STREAM_KEY_NAMES.length, lua: CLAIM_SCRIPT });
    client.defineCommand('natsTsApply', { numberOfKeys: STREAM_KEY_NAMES.length, lua: APPLY_SCRIPT });
    client.defineCommand('natsTsDestroy', { numberOfKeys: STREAM_KEY_NAMES.length, lua: DESTROY_SCRIPT });
    client.defineCommand('natsTsRenew', { numberOfKeys: STREAM_KEY_NAMES.length, lua: RENEW_SCRIPT });
    client.defineCommand('natsTsSummary', { numberOfKeys: STREAM_KEY_NAMES.length, lua: SUMMARY_SCRIPT });
    const addresses = (nodes: readonly { host: string; port: number }[]): string => nodes.map((node) => `${node.host}:${node.port}`).join(', ');
    const description = 'url' in config ? redactUrl(config.url) : 'cluster' in config ? `Redis Cluster (${addresses(config.cluster)})` : `Sentinel primary "${config.name}" (${addresses(config.sentinels)})`;
    await client.ping();
    return new RedisStoreConnection(client, options, description);
  }

  /** A fencing token of this server's, for one store's lease. */
  newToken(): string {
    return `${this.identity}${randomUUID()}`;
  }

  /** Renews `holder`'s lease until it lets go. */
  holdLease(holder: LeaseHolder): void {
    this.leases.add(holder);
  }

  releaseLease(holder: LeaseHolder): void {
    this.leases.delete(holder);
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Who serves the account's stream: the server holding its lease (its server name); undefined
   * while nobody does (its owner died, the lease did not run out yet); null when Redis keeps no
   * stream of that name.
   */
  async streamOwner(account: string, stream: string): Promise<string | undefined | null> {
    // Two keys of two slots: two commands, not one pipeline (a Cluster's pipeline is one slot's).
    const [kept, holder] = await Promise.all([this.client.sismember(accountStreamsKey(account), stream), this.client.get(`${streamKeyPrefix({ account, stream })}lease`)]);
    if (kept !== 1) return null;
    return holder === null ? undefined : identityOf(holder);
  }

  /** The names of the account's streams kept in Redis. */
  async streamNames(account: string): Promise<string[]> {
    return this.client.smembers(accountStreamsKey(account));
  }

  /** Every stream of the account kept in Redis, as Redis has it (the summaries sent together after the names). */
  async streamSummaries(account: string): Promise<RedisStreamSummary[]> {
    const names = await this.streamNames(account);
    if (names.length === 0) return [];
    // Each stream is a slot of its own: one script call each, all sent at once.
    const scripts = this.client as unknown as ScriptClient;
    const replies = await Promise.all(names.map((stream) => scripts.natsTsSummary(...streamKeys({ account, stream }))));
    const out: RedisStreamSummary[] = [];
    replies.forEach((reply, i) => {
      // Deleted since its name was read.
      if (reply === null) return;
      const [config, created, lastSeq, lastTime, bytes, messages, firstSeq, high, low, numSubjects, consumers, holder] = reply as [string, string, string, string, string, number, string, number, number, number, number, string | null];
      out.push({
        name: names[i]!,
        config,
        created,
        messages,
        bytes: Number(bytes),
        firstSeq: Number(firstSeq),
        firstTimeNs: (BigInt(high) << 32n) | BigInt(low),
        lastSeq: Number(lastSeq),
        lastTimeNs: BigInt(lastTime),
        numSubjects,
        consumers,
        leader: holder === null ? undefined : identityOf(holder),
      });
    });
    return out;
  }

  /**
   * Takes the stream over with `token`: its last sequence and time, config and created;
   * 'held' while another server's lease lives; undefined when there is no such stream.
   */
  async claim(name: RedisStreamName, token: string): Promise<{ lastSeq: string | null; lastTime: string | null; config: string; created: string } | 'held' | undefined> {
    const pipeline = this.client.pipeline() as ScriptPipeline;
    pipeline.natsTsClaim(...streamKeys(name), streamKeyPrefix(name), token, this.leaseMs, this.identity);
    const [reply] = await this.exec(pipeline);
    if (reply === null) return undefined;
    if (reply === 0) return 'held';
    const [lastSeq, lastTime, config, created] = reply as (string | null)[];
    return { lastSeq: lastSeq ?? null, lastTime: lastTime ?? null, config: config!, created: created! };
  }

  /** Every stored message with its record, ascending (the hash scanned in pages, then sorted). */
  async loadRecords(name: RedisStreamName): Promise<{ seq: number; record: Buffer }[]> {
    const key = `${streamKeyPrefix(name)}msgs`;
    const out: { seq: number; record: Buffer }[] = [];
    let cursor = '0';
    do {
      const [next, fields] = await this.client.hscanBuffer(key, cursor, 'COUNT', SCAN_PAGE);
      for (let i = 0; i + 1 < fields.length; i += 2) out.push({ seq: Number(fields[i]!.toString('latin1')), record: fields[i + 1]! });
      cursor = next.toString('latin1');
    } while (cursor !== '0');
    // A field seen twice (the hash was resized between pages) is one message.
    out.sort((a, b) => a.seq - b.seq);
    return out.filter((entry, i) => i === 0 || out[i - 1]!.seq !== entry.seq);
  }

  /** The consumers kept for the stream: name, meta JSON and state JSON (undefined when none was written). */
  async loadConsumers(name: RedisStreamName): Promise<{ name: string; meta: string; state: string | undefined }[]> {
    const prefix = streamKeyPrefix(name);
    const [metas, states] = await Promise.all([this.client.hgetall(`${prefix}consumers`), this.client.hgetall(`${prefix}cstate`)]);
    return Object.entries(metas).map(([consumer, meta]) => ({ name: consumer, meta, state: states[consumer] }));
  }

  /** Creates the stream (replacing what a stream of that name left) owned by `token`. */
  create(name: RedisStreamName, token: string, config: string, created: string): Promise<void> {
    const pipeline = this.client.pipeline() as ScriptPipeline;
    pipeline.natsTsCreate(...streamKeys(name), streamKeyPrefix(name), token, this.leaseMs, config, created);
    return this.alongside(this.send(pipeline), this.client.sadd(accountStreamsKey(name.account), name.stream));
  }

  /** Applies batches of operations (each one script call, atomic), in one round trip, then WAIT for the replicas. */
  apply(name: RedisStreamName, token: string, batches: RedisArg[][]): Promise<void> {
    const pipeline = this.client.pipeline() as ScriptPipeline;
    const keys = streamKeys(name);
    const prefix = streamKeyPrefix(name);
    for (const ops of batches) pipeline.natsTsApply(...keys, prefix, token, this.leaseMs, ...ops);
    return this.send(pipeline);
  }

  destroy(name: RedisStreamName, token: string): Promise<void> {
    const pipeline = this.client.pipeline() as ScriptPipeline;
    pipeline.natsTsDestroy(...streamKeys(name), streamKeyPrefix(name), token, this.leaseMs);
    return this.alongside(this.send(pipeline), this.client.srem(accountStreamsKey(name.account), name.stream));
  }

  /**
   * A stream's write and the change of its account's name set, a key of another slot (so not
   * in its pipeline): settled() waits for both; a failed write fails it.
   */
  private alongside(write: Promise<void>, names: Promise<number>): Promise<void> {
    const both = Promise.all([write, names]).then(() => undefined);
    this.inFlight.add(both);
    const forget = (): void => {
      this.inFlight.delete(both);
    };
    both.then(forget, forget);
    return both;
  }

  /** Resolves when every write sent so far was answered (failed ones included). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Waits up to `timeoutMs` for the writes sent, then disconnects. */
  async close(timeoutMs: number): Promise<void> {
    clearInterval(this.renewTimer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.client.disconnect();
  }

  /** Renews every lease held (a call per stream, all sent at once); a lease another store took is reported to its holder. Skipped while Redis is away. */
  private renewLeases(): void {
    if (this.leases.size === 0 || !this.ready) return;
    const scripts = this.client as unknown as ScriptClient;
    for (const holder of this.leases) {
      scripts.natsTsRenew(...streamKeys(holder.name), streamKeyPrefix(holder.name), holder.token, this.leaseMs).then(
        () => undefined,
        (err: Error) => {
          // Any other failure (the connection went): the next renewal tries again.
          if (err.message.startsWith('FENCED')) holder.leaseLost(err.message.slice('FENCED '.length));
        },
      );
    }
  }

  /** A write: sent with WAIT when replicas must confirm it; rejects when a reply is an error or too few replicas confirmed. */
  private send(pipeline: ChainableCommander): Promise<void> {
    const minReplicas = this.minReplicas;
    if (minReplicas > 0) pipeline.wait(minReplicas, REPLICA_WAIT_MS);
    const sent = this.exec(pipeline).then((replies) => {
      if (minReplicas === 0) return;
      const confirmed = replies[replies.length - 1] as number;
      if (confirmed < minReplicas) throw new ReplicaShortfall(`only ${confirmed} of ${minReplicas} Redis replicas confirmed the write within ${REPLICA_WAIT_MS} ms`);
    });
    this.inFlight.add(sent);
    const forget = (): void => {
      this.inFlight.delete(sent);
    };
    sent.then(forget, forget);
    return sent;
  }

  /** The replies of a pipeline; rejects with the first error among them. */
  private async exec(pipeline: ChainableCommander): Promise<unknown[]> {
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, reply]) => {
      if (err !== null) throw err;
      return reply;
    });
  }
}

/** The server name in a lease's token (see newToken). */
function identityOf(token: string): string {
  return decodeURIComponent(token.slice(0, token.indexOf('/')));
}

function streamKeys(name: RedisStreamName): string[] {
  const prefix = streamKeyPrefix(name);
  return STREAM_KEY_NAMES.map((key) => `${prefix}${key}`);
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
