import { mkdirSync, rmSync, statfsSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEndpoint, BusHandlers, MemberInfo } from '@nats-ts/bus';
import { UNLIMITED_ACCOUNT_JETSTREAM, accountJwtJetStream, type JetStreamAccountLimits, type ServerOptions, sharingOptionsOf } from '@nats-ts/config';
import type { RoleSetup } from '@nats-ts/lifecycle';
import type { Logger } from '@nats-ts/observability';
import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';
import { type InterestRouter, type RouterOrigin } from '@nats-ts/routing';
import { Advisories } from './advisories.js';
import { goJson } from './api/go-json.js';
import { jsError, type JsApiError } from './api/js-errors.js';
import type { SnapshotRequest } from './api/snapshot-api.js';
import { encodeJsonReply, handleApiRequest, type ApiReply, type ApiServer } from './api/stream-api.js';
import { JetStreamAccount, RESTORE_STAGING_DIR, type JetStreamServer } from './js-account.js';
import { InternalEntry, type MessageTarget } from './internal-entry.js';
import { remoteStream, type RemoteStream } from './api/remote-stream.js';
import { RedisStoreConnection } from './store/redis-connection.js';
import { RedisStore } from './store/redis-store.js';
import { SnapshotSessions, type SessionHost } from './snapshot-sessions.js';
import type { StreamConfig } from './streams/stream-config.js';
import type { Stream } from './streams/stream.js';

const EMPTY = new Uint8Array(0);
/** How long a stopping server waits for Redis to confirm the last writes. */
const SHUTDOWN_WRITES_MS = 5_000;

/** The messages of one flush: acks and republished copies, each with the stream it waits for. */
interface PendingBatch {
  readonly subjects: string[];
  readonly bodies: (string | Buffer)[];
  readonly headerSizes: number[];
  readonly accounts: string[];
  readonly streams: Stream[];
}

/**
 * A stream's consumer control subjects: acks (`$JS.ACK.<stream>.<consumer>.…`) and flow
 * control answers (`$JS.FC.<stream>.<consumer>.<id>`), handed to the consumer they name.
 */
class StreamControl {
  constructor(private readonly stream: Stream) {}

  receive(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    // `$JS.ACK.` and `$JS.FC.` are followed by the stream name, then the consumer's.
    const from = (subject.charCodeAt(4) === 0x41 ? 8 : 7) + this.stream.name.length + 1;
    const dot = subject.indexOf('.', from);
    const consumer = this.stream.consumers.get(dot < 0 ? subject.slice(from) : subject.slice(from, dot));
    if (consumer === undefined) return;
    if (subject.charCodeAt(4) === 0x41) consumer.ack(subject, data.subarray(start + headerSize, end), reply === '' ? undefined : reply);
    else consumer.flowControlAnswered(subject);
  }
}

/**
 * With the Redis store, the queue group of the account API subscriptions through which each
 * request reaches one server of the cluster (one stream-store of the node), which answers it or
 * hands it to the stream's owner.
 */
const API_ONCE_QUEUE = '_nats_ts_js_api';

/**
 * How an API request reached this server: on the account's plain subscription (every server gets
 * it), on its queue subscription (one server does), or handed over by that one to this server
 * as the stream's owner (`$NTS.JS.<owner>.API.>`; only with the Redis store).
 */
type ApiRoute = 'plain' | 'once' | 'forwarded';

/** The subject prefix of the API requests handed to the server named `serverName` (hex: any name is one token). */
function forwardPrefix(serverName: string): string {
  return `$NTS.JS.${Buffer.from(serverName, 'utf8').toString('hex')}.API`;
}

/** The API subjects of one account: `$JS.API.>`, and `$JS.<domain>.API.>` with a domain. */
class AccountApi {
  constructor(
    private readonly service: StreamStoreService,
    readonly accountName: string,
    /** Tokens before the verb: 2 for `$JS.API`, 3 for `$JS.<domain>.API` and `$NTS.JS.<owner>.API`. */
    private readonly prefixTokens: number,
    private readonly route: ApiRoute,
  ) {}

  receive(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    // nats-server answers only requests; a request without a reply is dropped.
    if (reply === undefined || reply === '') return;
    this.service.apiRequest(this.accountName, subject.split('.').slice(this.prefixTokens), reply, data.subarray(start + headerSize, end), this.route);
  }
}

/**
 * The stream-store role: JetStream for the accounts that have it. It joins the bus as a routed
 * member, so its API and stream subjects are entries in the process's router (kind `internal`),
 * and it answers and acks by publishing through the router. Publish acks wait for the batch's
 * appends to be written out (one flush per store per batch), then go out together.
 */
export class StreamStoreService implements JetStreamServer, ApiServer, SessionHost, BusHandlers {
  readonly domain: string | undefined;
  readonly storeRoot: string;
  readonly storeDir: string;
  readonly maxMemory: number;
  readonly maxStore: number;
  readonly syncIntervalMs: number;
  readonly syncAlways: boolean;
  redis: RedisStoreConnection | undefined;
  readonly used = { memory: 0, file: 0 };
  readonly reserved = { memory: 0, file: 0 };
  readonly accounts = new Map<string, JetStreamAccount>();
  readonly advisories: Advisories;
  readonly serverName: string;
  private bus: BusEndpoint | undefined;
  private origin: RouterOrigin = { originKind: 'internal', originMember: '' };
  readonly logger: Logger;
  private readonly apiEntries: { account: string; entry: InternalEntry }[] = [];
  private readonly streamEntries = new Map<string, InternalEntry[]>();
  /**
   * The messages of the current batch (acks and republished copies), in order, and the streams
   * whose appends they wait for. An ack's body is its JSON text; a republished copy is its bytes,
   * its header block first.
   */
  private pendingSubjects: string[] = [];
  private pendingBodies: (string | Buffer)[] = [];
  private pendingHeaderSizes: number[] = [];
  private pendingAccounts: string[] = [];
  /** The stream each pending message waits for. */
  private pendingStreams: Stream[] = [];
  private readonly dirty = new Set<Stream>();
  private flushScheduled = false;
  private readonly flushBatch = (): void => this.flush();
  private readonly snapshots = new SnapshotSessions(this);
  private takeoverTimer: NodeJS.Timeout | undefined;
  private takingOver = false;

  constructor(private readonly setup: RoleSetup) {
    const js = setup.options.jetstream;
    this.logger = setup.logger;
    this.domain = js.domain;
    this.storeDir = js.storeDir ?? join(tmpdir(), 'nats');
    this.storeRoot = join(this.storeDir, 'jetstream');
    this.syncIntervalMs = js.syncIntervalMs;
    this.syncAlways = js.syncAlways;
    this.maxMemory = js.maxMemoryStore >= 0 ? js.maxMemoryStore : Math.floor(totalmem() * 0.75);
    this.maxStore = js.maxFileStore >= 0 ? js.maxFileStore : defaultMaxStore(this.storeDir);
    this.serverName = setup.options.serverName ?? setup.serverId;
    this.advisories = new Advisories({
      domain: this.domain,
      hasInterest: (account, subject) => this.hasInterest(account, subject),
      publishJson: (account, subject, json) => {
        const data = Buffer.from(json, 'utf8');
        this.publishMessage(account, subject, undefined, undefined, EMPTY, data);
      },
    });
  }

  async start(): Promise<void> {
    mkdirSync(this.storeRoot, { recursive: true });
    // Restores the last run did not finish.
    rmSync(join(this.storeRoot, RESTORE_STAGING_DIR), { recursive: true, force: true });
    const setup = this.setup;
    this.bus = await setup.bus.join({ nodeId: setup.serverId, role: 'stream-store', version: setup.productVersion, routed: true }, this);
    this.bus.router.configureSharing(sharingOptionsOf(setup.options));
    this.origin = { originKind: 'internal', originMember: this.bus.self.memberId };
    const js = setup.options.jetstream;
    if (js.redis !== undefined) {
      // Streams are served only once Redis answers: until then JetStream is not up.
      const options = { minReplicas: js.redisMinReplicas, leaseMs: js.redisLeaseMs, identity: this.serverName };
      this.redis = await RedisStoreConnection.connect(js.redis, options, (message) => this.logger.warn(`JetStream: Redis store: ${message}`));
    }
    for (const [name, limits] of jetStreamAccounts(setup.options)) this.serveAccount(name, limits);
    for (const account of this.accounts.values()) {
      for (const problem of account.recover()) this.logger.error(`JetStream: ${problem}`);
      if (this.redis !== undefined) await this.takeOver(account, this.redis);
    }
    if (this.redis !== undefined) {
      const redis = this.redis;
      // Streams whose owner died are taken once their lease ran out.
      this.takeoverTimer = setInterval(() => {
        if (this.takingOver) return;
        this.takingOver = true;
        void Promise.all([...this.accounts.values()].map((account) => this.takeOver(account, redis))).finally(() => (this.takingOver = false));
      }, Math.max(100, Math.floor(redis.leaseMs / 2)));
      this.takeoverTimer.unref();
    }
    this.logger.info(`Starting JetStream`);
    this.logger.info(`  Max Memory:      ${this.maxMemory} B`);
    this.logger.info(`  Max Storage:     ${this.maxStore} B`);
    this.logger.info(`  Store Directory: "${this.storeDir}"`);
    if (this.redis !== undefined) {
      const replicas = this.redis.minReplicas > 0 ? `, acks after ${this.redis.minReplicas} replicas confirm` : '';
      this.logger.info(`  Redis Store:     ${this.redis.description}${replicas}`);
    }
    if (this.domain !== undefined) this.logger.info(`  Domain:          ${this.domain}`);
  }

  private async takeOver(account: JetStreamAccount, redis: RedisStoreConnection): Promise<void> {
    try {
      for (const problem of await account.takeOverFromRedis(redis)) this.logger.error(`JetStream: ${problem}`);
    } catch (err) {
      this.logger.error(`JetStream: reading the streams of account ${account.name} from Redis: ${(err as Error).message}`);
    }
  }

  async shutdown(): Promise<void> {
    clearInterval(this.takeoverTimer);
    this.snapshots.closeAll();
    this.flush();
    for (const account of this.accounts.values()) {
      for (const problem of account.close()) this.logger.error(`JetStream: ${problem}`);
    }
    // The last acks go out once Redis has their writes (or not, when it does not come back in time).
    await this.redis?.close(SHUTDOWN_WRITES_MS);
    await this.bus?.close();
  }

  // ---- BusHandlers: the store keeps no tally of others' interest ----

  memberJoined(_member: MemberInfo): void {}
  memberLeft(_member: MemberInfo): void {}

  // ---- JetStreamServer ----

  queueReply(accountName: string, stream: Stream, reply: string, body: string): void {
    this.queue(accountName, stream, reply, body, 0);
  }

  queueRepublish(accountName: string, stream: Stream, subject: string, headerSize: number, data: Buffer): void {
    this.queue(accountName, stream, subject, data, headerSize);
  }

  publishMessage(accountName: string, subject: string, deliverAs: string | undefined, reply: string | undefined, header: Uint8Array, payload: Uint8Array): boolean {
    const router = this.bus?.router;
    if (router === undefined) return false;
    const data = header.length === 0 ? payload : Buffer.concat([header, payload]);
    return router.publish(router.account(accountName), this.origin, subject, reply, header.length, data, 0, data.length, undefined, deliverAs);
  }

  publishSpan(accountName: string, subject: string, deliverAs: string | undefined, reply: string | undefined, headerSize: number, bytes: Uint8Array, start: number, end: number): boolean {
    const router = this.bus?.router;
    if (router === undefined) return false;
    return router.publish(router.account(accountName), this.origin, subject, reply, headerSize, bytes, start, end, undefined, deliverAs);
  }

  hasInterest(accountName: string, subject: string): boolean {
    const router = this.bus?.router;
    if (router === undefined) return false;
    const account = router.accounts.get(accountName);
    return account !== undefined && router.hasInterest(account, subject);
  }

  storeChanged(stream: Stream): void {
    this.dirty.add(stream);
    this.scheduleFlush();
  }

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushBatch);
  }

  private queue(accountName: string, stream: Stream, subject: string, body: string | Buffer, headerSize: number): void {
    this.pendingSubjects.push(subject);
    this.pendingBodies.push(body);
    this.pendingHeaderSizes.push(headerSize);
    this.pendingAccounts.push(accountName);
    this.pendingStreams.push(stream);
    this.dirty.add(stream);
    this.scheduleFlush();
  }

  streamsChanged(account: JetStreamAccount): void {
    const bus = this.bus;
    if (bus === undefined) return;
    for (const stream of account.streams.values()) {
      const key = `${account.name}\u0000${stream.name}`;
      const current = this.streamEntries.get(key);
      // Config subjects are JSON text; the router's subjects are byte strings (latin1).
      const subjects = (stream.config.subjects ?? []).map((subject) => Buffer.from(subject, 'utf8').toString('latin1'));
      const control = [`$JS.ACK.${stream.name}.>`, `$JS.FC.${stream.name}.>`];
      if (current !== undefined && sameSubjects(current, [...subjects, ...control])) continue;
      for (const entry of current ?? []) bus.unsubscribe(account.name, entry);
      const controlTarget = new StreamControl(stream);
      const entries = [...subjects.map((subject) => new InternalEntry(subject, stream)), ...control.map((subject) => new InternalEntry(subject, controlTarget))];
      for (const entry of entries) bus.subscribe(account.name, entry);
      this.streamEntries.set(key, entries);
    }
    const prefix = `${account.name}\u0000`;
    for (const [key, entries] of this.streamEntries) {
      if (!key.startsWith(prefix) || account.streams.has(key.slice(prefix.length))) continue;
      for (const entry of entries) bus.unsubscribe(account.name, entry);
      this.streamEntries.delete(key);
    }
  }

  // ---- ApiServer: snapshots and restores ----

  startSnapshot(account: JetStreamAccount, stream: Stream, request: SnapshotRequest): { state: Record<string, unknown> } | { error: JsApiError } {
    return this.snapshots.startSnapshot(account, stream, request);
  }

  startRestore(account: JetStreamAccount, config: StreamConfig): { deliverSubject: string } | { error: JsApiError } {
    return this.snapshots.startRestore(account, config);
  }

  // ---- SessionHost ----

  subscribeInternal(accountName: string, subject: string, target: MessageTarget): InternalEntry {
    const entry = new InternalEntry(subject, target);
    this.bus!.subscribe(accountName, entry);
    return entry;
  }

  unsubscribeInternal(accountName: string, entry: InternalEntry): void {
    this.bus?.unsubscribe(accountName, entry);
  }


  // ----

  /**
   * An API request and how it reached this server. Without the Redis store this server is the
   * only one: it answers all. With it, every server of a cluster (and every stream-store of a
   * node) receives each request on the plain subscription, where only pulls (by the consumer's
   * owner) and direct gets (by each server with the stream or a mirror, as nats-server's) are
   * answered; everything else is decided by the one server that receives it on the queue
   * subscription: a request for a stream it serves, an account-wide one (with what Redis keeps of
   * the other servers' streams) and one for a stream Redis does not keep (a create, "not found")
   * it answers; one for another server's stream it hands to that server, which answers.
   */
  apiRequest(accountName: string, tokens: string[], reply: string, body: Uint8Array, route: ApiRoute): void {
    const account = this.accounts.get(accountName);
    if (tokens[0] === 'CONSUMER' && tokens[1] === 'MSG' && tokens[2] === 'NEXT' && tokens.length === 5) {
      // A pull request for a missing consumer gets no answer, as from nats-server.
      if (route === 'plain') account?.streams.get(tokens[3]!)?.consumers.get(tokens[4]!)?.pull(reply, body);
      return;
    }
    const redis = this.redis;
    if (redis === undefined || route === 'forwarded' || tokens[0] === 'DIRECT') {
      if (route !== 'once') this.answerApi(accountName, tokens, reply, body, []);
      return;
    }
    if (route === 'plain') return;
    const named = streamNamedBy(tokens);
    if (account === undefined || (named !== undefined && account.streams.has(named))) {
      this.answerApi(accountName, tokens, reply, body, []);
      return;
    }
    const failed = (err: Error): void => this.logger.error(`JetStream: reading the streams of account ${accountName} from Redis: ${err.message}`);
    if (named !== undefined) {
      redis.streamOwner(accountName, named).then((owner) => {
        if (owner === null) this.answerApi(accountName, tokens, reply, body, []);
        // While its owner's lease runs out, nobody answers for the stream: then its new owner does.
        else if (owner !== undefined) this.publishMessage(accountName, `${forwardPrefix(owner)}.${tokens.join('.')}`, undefined, reply, EMPTY, body);
      }, failed);
      return;
    }
    const listing = tokens.length === 1 ? tokens[0] === 'INFO' : tokens.length === 2 && tokens[0] === 'STREAM' && (tokens[1] === 'NAMES' || tokens[1] === 'LIST');
    if (!listing) {
      this.answerApi(accountName, tokens, reply, body, []);
      return;
    }
    redis.streamSummaries(accountName).then((summaries) => {
      const served = this.accounts.get(accountName)?.streams;
      const others = summaries.filter((summary) => served?.has(summary.name) !== true).map((summary) => remoteStream(summary, this.domain));
      this.answerApi(accountName, tokens, reply, body, others);
    }, failed);
  }

  private answerApi(accountName: string, tokens: string[], reply: string, body: Uint8Array, remote: readonly RemoteStream[]): void {
    // A management answer must not overtake the acks of earlier publishes: those go first. Pull
    // requests and direct gets, which come at message rates, wait for the batch like publishes.
    if (tokens[0] !== 'DIRECT') this.flush();
    const answer = handleApiRequest(this, this.accounts.get(accountName), tokens, body, remote);
    if (answer === undefined) return;
    const creating = tokens[0] === 'STREAM' && tokens[1] === 'CREATE' ? this.accounts.get(accountName)?.streams.get(tokens[2] ?? '') : undefined;
    const answered = (): void => {
      // Another server created it at the same moment and Redis took that one: the request goes
      // to it, which answers as nats-server answers a create of an existing stream.
      if (creating !== undefined && this.refusedRedisCreate(creating)) {
        const store = creating.store as RedisStore;
        if (store.nameTaken) this.apiRequest(accountName, tokens, reply, body, 'once');
        // Redis could not write it (out of memory, say): nats-server's "stream create failed" answer.
        else if ('json' in answer) this.publishReply(accountName, reply, { json: { type: answer.json.type, error: jsError('StreamCreate', { err: store.failedWrite()! }) } });
        return;
      }
      this.publishReply(accountName, reply, answer);
      if ('json' in answer && this.accounts.has(accountName)) {
        const request = body.length === 0 ? '' : Buffer.from(body).toString('utf8');
        this.advisories.apiAudit(accountName, this.serverName, `$JS.API.${tokens.join('.')}`, request, goJson(answer.json));
      }
    };
    // With the Redis store, what the request changed (a stream created, a consumer, a purge) is
    // sent by now: the answer waits until Redis has it.
    if (this.redis === undefined || tokens[0] === 'DIRECT') answered();
    else {
      for (const account of this.accounts.values()) account.sendRedisWrites();
      void this.redis.settled().then(answered);
    }
  }

  /**
   * A STREAM.CREATE made here before Redis had it, which Redis refused (another server keeps a
   * stream of that name, or Redis could not write): the stream is let go here.
   */
  private refusedRedisCreate(stream: Stream): boolean {
    const store = stream.store;
    if (!(store instanceof RedisStore) || store.state().lastSeq > 0 || store.failedWrite() === undefined) return false;
    this.logger.warn(`JetStream: ${store.failedWrite()}: stream ${stream.name} is another server's`);
    for (const account of this.accounts.values()) account.letGo(stream);
    return true;
  }

  /** Writes out the batch's appends, then sends its acks and republished copies. */
  private flush(): void {
    this.flushScheduled = false;
    for (const account of this.accounts.values()) {
      for (const problem of account.persistConsumers()) this.logger.error(`JetStream: ${problem}`);
    }
    if (this.pendingSubjects.length === 0 && this.dirty.size === 0) return;
    /** The streams whose writes land later (Redis), with when they do. */
    let later: Map<Stream, Promise<void>> | undefined;
    const failed = new Set<Stream>();
    for (const stream of this.dirty) {
      try {
        stream.store.flush();
        const committed = stream.store.committed();
        if (committed !== undefined) (later ??= new Map()).set(stream, committed);
      } catch (err) {
        // The acks of a stream that could not be written are not sent: the publisher retries.
        this.logger.error(`JetStream: writing stream ${stream.name}: ${(err as Error).message}`);
        failed.add(stream);
      }
    }
    this.dirty.clear();
    const batch: PendingBatch = {
      subjects: this.pendingSubjects,
      bodies: this.pendingBodies,
      headerSizes: this.pendingHeaderSizes,
      accounts: this.pendingAccounts,
      streams: this.pendingStreams,
    };
    // A republished copy may land in another stream here: what that queues waits for its own flush.
    this.pendingSubjects = [];
    this.pendingBodies = [];
    this.pendingHeaderSizes = [];
    this.pendingAccounts = [];
    this.pendingStreams = [];
    if (later === undefined) {
      this.sendBatch(batch, failed);
      return;
    }
    const waits = [...later];
    void Promise.allSettled(waits.map(([, committed]) => committed)).then((outcomes) => {
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') return;
        const stream = waits[i]![0];
        failed.add(stream);
        this.logger.error(`JetStream: stream ${stream.name}: ${(outcome.reason as Error).message}; its acks are not sent`);
      });
      this.sendBatch(batch, failed, waits.map(([stream]) => stream));
    });
  }

  /** A batch's acks and republished copies, in order, but for the streams whose writes failed. */
  private sendBatch(batch: PendingBatch, failed: ReadonlySet<Stream>, confirmed: readonly Stream[] = []): void {
    // The messages Redis now has may go to the consumers.
    for (const stream of confirmed) if (!failed.has(stream)) for (const consumer of stream.consumers.values()) consumer.drive();
    const router = this.bus?.router;
    if (router === undefined) return;
    // The acks' JSON bodies encoded into one buffer: one allocation per batch, not per ack. It is
    // the batch's own, so whatever keeps a view of one ack keeps valid bytes.
    let textBytes = 0;
    for (const body of batch.bodies) if (typeof body === 'string') textBytes += body.length * 3;
    const text = textBytes === 0 ? undefined : Buffer.allocUnsafe(textBytes);
    let textAt = 0;
    for (let i = 0; i < batch.subjects.length; i++) {
      if (failed.size > 0 && failed.has(batch.streams[i]!)) continue;
      const body = batch.bodies[i]!;
      const account = router.account(batch.accounts[i]!);
      if (typeof body === 'string') {
        const start = textAt;
        textAt += text!.write(body, textAt, 'utf8');
        router.publish(account, this.origin, batch.subjects[i]!, undefined, 0, text!, start, textAt, undefined);
      } else {
        router.publish(account, this.origin, batch.subjects[i]!, undefined, batch.headerSizes[i]!, body, 0, body.length, undefined);
      }
    }
  }

  private publishReply(accountName: string, reply: string, answer: ApiReply): void {
    const router = this.bus?.router;
    if (router === undefined) return;
    if ('json' in answer) {
      this.publish(router, accountName, reply, encodeJsonReply(answer), 0);
      return;
    }
    const header = Buffer.from(answer.header, 'latin1');
    const data = Buffer.concat([header, answer.payload]);
    this.publish(router, accountName, reply, data, header.length);
  }

  private publish(router: InterestRouter, accountName: string, subject: string, data: Buffer, headerSize: number): void {
    router.publish(router.account(accountName), this.origin, subject, undefined, headerSize, data, 0, data.length, undefined);
  }

  /** An account's JetStream API subjects, answered "not enabled" when it has no JetStream limits. */
  private serveAccount(name: string, limits: JetStreamAccountLimits | undefined): void {
    this.subscribeApiVariants(name, '$JS.API.>', 2);
    if (limits !== undefined) this.enableAccount(name, limits);
  }

  /** An account's JetStream: its streams, and the API subjects only an account with JetStream answers. */
  private enableAccount(name: string, limits: JetStreamAccountLimits): JetStreamAccount {
    const account = new JetStreamAccount(name, limits, this);
    this.accounts.set(name, account);
    if (this.domain !== undefined) this.subscribeApiVariants(name, `$JS.${this.domain}.API.>`, 3);
    if (this.setup.options.jetstream.redis !== undefined) this.subscribeApi(name, new AccountApi(this, name, 4, 'forwarded'), `${forwardPrefix(this.serverName)}.>`, undefined);
    return account;
  }

  /** The API on `subject` answered here, and with the Redis store also once for the servers sharing it. */
  private subscribeApiVariants(name: string, subject: string, prefixTokens: number): void {
    this.subscribeApi(name, new AccountApi(this, name, prefixTokens, 'plain'), subject, undefined);
    if (this.setup.options.jetstream.redis !== undefined) this.subscribeApi(name, new AccountApi(this, name, prefixTokens, 'once'), subject, API_ONCE_QUEUE);
  }

  /**
   * A reload (a pushed account JWT), as nats-server configures JetStream on an account update:
   * accounts it made known get their JetStream API, an account served with JetStream takes its
   * new limits at once (streams and consumers already there stay), and one served without
   * JetStream that now has limits gets its JetStream and the streams stored for it, and one
   * whose JWT no longer has JetStream limits loses its JetStream, what it stored kept.
   */
  reload(options: Readonly<ServerOptions>): void {
    const served = new Set(this.apiEntries.map((e) => e.account));
    for (const [name, limits] of jetStreamAccounts(options)) {
      const existing = this.accounts.get(name);
      if (existing !== undefined) {
        if (limits !== undefined) existing.limits = limits;
        else this.disableAccount(existing);
        continue;
      }
      if (!served.has(name)) this.subscribeApiVariants(name, '$JS.API.>', 2);
      if (limits === undefined) continue;
      const account = this.enableAccount(name, limits);
      for (const problem of account.recover()) this.logger.error(`JetStream: ${problem}`);
      if (this.redis !== undefined) void this.takeOver(account, this.redis);
    }
  }

  /** As nats-server's DisableJetStream: the streams stop, their files stay; the API answers "not enabled". */
  private disableAccount(account: JetStreamAccount): void {
    for (const problem of account.close()) this.logger.error(`JetStream: ${problem}`);
    this.streamsChanged(account);
    this.accounts.delete(account.name);
    for (let i = this.apiEntries.length - 1; i >= 0; i--) {
      const { account: name, entry } = this.apiEntries[i]!;
      if (name !== account.name || entry.subject === '$JS.API.>') continue;
      this.bus?.unsubscribe(name, entry);
      this.apiEntries.splice(i, 1);
    }
  }

  private subscribeApi(account: string, api: AccountApi, subject: string, queue: string | undefined): void {
    const entry = new InternalEntry(subject, api, queue);
    this.bus!.subscribe(account, entry);
    this.apiEntries.push({ account, entry });
  }
}

/**
 * The accounts and their JetStream limits (undefined: no JetStream, their API answers "not
 * enabled"). Without configured accounts, as nats-server: the global account has it, unlimited.
 * In operator mode, the accounts of the resolver with the JetStream limits of their JWTs.
 */
function jetStreamAccounts(options: Readonly<ServerOptions>): Map<string, JetStreamAccountLimits | undefined> {
  const out = new Map<string, JetStreamAccountLimits | undefined>();
  if (options.trust !== undefined) {
    for (const [key, jwt] of options.trust.accountJwts) out.set(key, accountJwtJetStream(jwt));
    return out;
  }
  if (options.accounts.length === 0) {
    out.set(GLOBAL_ACCOUNT_NAME, UNLIMITED_ACCOUNT_JETSTREAM);
    return out;
  }
  out.set(GLOBAL_ACCOUNT_NAME, undefined);
  for (const account of options.accounts) out.set(account.name, account.jetstream);
  return out;
}

/** nats-server's default: 75% of the free space where the store lives, or 1 TB when unknown. */
function defaultMaxStore(dir: string): number {
  try {
    mkdirSync(dir, { recursive: true });
    const fs = statfsSync(dir);
    return Math.floor(fs.bavail * fs.bsize * 0.75);
  } catch {
    return 1024 ** 4;
  }
}

/** The stream an API request names (`STREAM.INFO.<name>`, `CONSUMER.CREATE.<stream>...`, ...); undefined for account-wide ones. */
function streamNamedBy(tokens: readonly string[]): string | undefined {
  switch (tokens[0]) {
    case 'STREAM':
      if (tokens[1] === 'NAMES' || tokens[1] === 'LIST' || tokens[1] === 'TEMPLATE') return undefined;
      return tokens[1] === 'MSG' || tokens[1] === 'PEER' || tokens[1] === 'LEADER' ? tokens[3] : tokens[2];
    case 'CONSUMER':
      return tokens[1] === 'DURABLE' || tokens[1] === 'LEADER' ? tokens[3] : tokens[2];
    case 'DIRECT':
      return tokens[2];
    default:
      return undefined;
  }
}

function sameSubjects(entries: readonly InternalEntry[], subjects: readonly string[]): boolean {
  return entries.length === subjects.length && entries.every((e, i) => e.subject === subjects[i]);
}
