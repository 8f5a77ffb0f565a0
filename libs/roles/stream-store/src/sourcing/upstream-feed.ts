import { randomBytes } from 'node:crypto';
import { goJson } from '../api/go-json.js';
import type { InternalEntry, MessageTarget } from '../internal-entry.js';
import type { Stream } from '../streams/stream.js';
import type { StreamSource } from '../streams/stream-config.js';
import { AckReply } from './ack-reply.js';

/** What a feed needs from the server, in the stream's account. */
export interface FeedHost {
  /** Publishes through the router as from inside the server; false when nothing took it. */
  publish(subject: string, reply: string | undefined, header: Uint8Array, payload: Uint8Array): boolean;
  subscribe(subject: string, target: MessageTarget): InternalEntry;
  unsubscribe(entry: InternalEntry): void;
  /** The stream took messages: its store is written out with the next batch. */
  appended(stream: Stream): void;
  warn(text: string): void;
}

/** Where the origin's consumer starts. */
export type StartPosition = { policy: 'all' } | { policy: 'by_start_sequence'; seq: number } | { policy: 'by_start_time'; time: string };

/** `stream info`'s account of a mirror or source (nats-server's StreamSourceInfo). */
export interface UpstreamInfo {
  name: string;
  external?: { api: string; deliver: string };
  lag: number;
  /** Nanoseconds since the last message or heartbeat; -1 before any. */
  active: number;
  error?: Record<string, unknown>;
}

/** nats-server's sourceHealthCheckInterval: the idle heartbeat asked of the origin's consumer. */
const HEARTBEAT_MS = 1_000;
/** Silent for this long (no message, no heartbeat): the consumer is made again. */
const STALLED_AFTER_MS = 3 * HEARTBEAT_MS;
/** nats-server waits this long for the consumer create response. */
const CREATE_TIMEOUT_MS = 5_000;
/** The first retry after a failure, doubled on each failure up to the longest. */
const RETRY_FIRST_MS = 1_000;
const RETRY_LONGEST_MS = 10_000;
/** At most one consumer create a second when deliveries keep showing gaps. */
const RECREATE_GAP_MS = 1_000;
/** What nats-server asks of a mirror's or source's consumer: no acks, one delivery, a 22 h ack wait. */
const ACK_WAIT_NS = 79_200_000_000_000;
const NAME_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const EMPTY = new Uint8Array(0);

type FeedState = 'waiting' | 'creating' | 'running' | 'stopped';

/** The create response's target: tells the feed, if the response is for its current attempt. */
class CreateResponse implements MessageTarget {
  constructor(private readonly feed: UpstreamFeed) {}

  receive(subject: string, _reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    this.feed.createAnswered(subject, data.subarray(start + headerSize, end));
  }
}

/**
 * One upstream of a stream (its mirror, or one of its sources), as nats-server runs it: an
 * ephemeral push consumer on the origin created through the JetStream API, the local stream's
 * own or another domain's (`external.api`), with flow control and 1 s idle heartbeats, its
 * deliveries taken on an internal subscription. A gap in the deliveries or heartbeats, silence
 * or a failed create makes the consumer again from what the stream has, with a backoff.
 */
export abstract class UpstreamFeed implements MessageTarget {
  /** What nats-server calls the source's iname: the name, and a hash of an external API prefix. */
  abstract readonly indexName: string;
  /** `M` for a mirror's deliver subject, `S` for a source's. */
  protected abstract readonly deliverToken: string;
  /** A filtered consumer is named: `mirror-<8>` or `src-<8>`. */
  protected abstract readonly namePrefix: string;
  /** The consumer sequence of the last delivery taken from the current consumer (0: none yet). */
  protected dseq = 0;
  protected lag = 0;
  protected readonly ack = new AckReply();

  private state: FeedState = 'waiting';
  private deliverEntry: InternalEntry | undefined;
  private replyEntry: InternalEntry | undefined;
  private replySubject = '';
  private readonly createResponse = new CreateResponse(this);
  private lastHeardMs = 0;
  private requestedAtMs = 0;
  private failures = 0;
  private error: Record<string, unknown> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  /** Flow control answers go out after the current delivery run: the origin pauses at its window meanwhile. */
  private readonly flowControlReplies: string[] = [];
  private flowControlScheduled = false;
  private readonly attemptNow = (): void => this.attempt();
  private readonly answerFlowControl = (): void => this.sendFlowControlReplies();

  constructor(
    readonly source: StreamSource,
    protected readonly stream: Stream,
    protected readonly host: FeedHost,
  ) {}

  /** Where the next consumer starts; called for each attempt. */
  protected abstract startPosition(): StartPosition;
  /** A new consumer is asked for: the feed's counters start again. */
  protected abstract beginAttempt(): void;
  /** The create response's `delivered` (a mirror skips to what the origin no longer has). */
  protected abstract consumerCreated(deliveredConsumerSeq: number, deliveredStreamSeq: number): void;
  /** A delivery, its reply already read into {@link ack}. */
  protected abstract delivered(subject: string, header: Uint8Array, payload: Uint8Array): void;

  start(): void {
    if (this.healthTimer !== undefined || this.state === 'stopped') return;
    this.healthTimer = setInterval(() => this.checkHealth(), HEARTBEAT_MS);
    this.healthTimer.unref();
    this.schedule(0);
  }

  stop(): void {
    this.state = 'stopped';
    clearInterval(this.healthTimer);
    clearTimeout(this.retryTimer);
    this.healthTimer = undefined;
    this.retryTimer = undefined;
    this.flowControlReplies.length = 0;
    this.dropSubscriptions();
  }

  info(): UpstreamInfo {
    const external = this.source.external;
    const active = this.lastHeardMs === 0 ? -1 : Math.max(0, Date.now() - this.lastHeardMs) * 1_000_000;
    // In nats-server's field order.
    return {
      name: this.source.name,
      ...(external !== undefined ? { external: { api: external.api, deliver: external.deliver } } : {}),
      lag: this.lag,
      active,
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }

  /** True once deliveries flow and fewer than `threshold` messages are left behind. */
  caughtUp(threshold: number): boolean {
    return this.state === 'running' && this.dseq > 0 && this.lag < threshold;
  }

  // ---- the consumer's life ----

  private schedule(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.state = 'waiting';
    this.retryTimer = setTimeout(this.attemptNow, delayMs);
    this.retryTimer.unref();
  }

  /** Asks the origin for a consumer starting where the stream left off. */
  private attempt(): void {
    this.retryTimer = undefined;
    if (this.state === 'stopped') return;
    this.dropSubscriptions();
    this.beginAttempt();
    this.dseq = 0;
    const deliverPrefix = this.source.external?.deliver ?? '';
    const deliverSubject = deliverPrefix === '' ? `$JS.${this.deliverToken}.${randomName()}` : `${deliverPrefix}.${this.deliverToken}.${randomName()}`.replaceAll('..', '.');
    this.replySubject = `$JSC.R.${randomName()}`;
    const filter = this.source.filter_subject ?? '';
    const name = filter === '' ? undefined : `${this.namePrefix}${randomName()}`;
    let subject = name === undefined ? `$JS.API.CONSUMER.CREATE.${this.source.name}` : `$JS.API.CONSUMER.CREATE.${this.source.name}.${name}.${filter}`;
    const api = this.source.external?.api ?? '';
    if (api !== '') subject = `${api}${subject.slice('$JS.API'.length)}`.replaceAll('..', '.');
    const body = Buffer.from(goJson({ stream_name: this.source.name, config: this.consumerConfig(name, filter, deliverSubject) }), 'utf8');
    // Both subscriptions exist before the request: a local origin delivers while it answers.
    try {
      this.deliverEntry = this.host.subscribe(routerSubject(deliverSubject), this);
      this.replyEntry = this.host.subscribe(this.replySubject, this.createResponse);
    } catch (err) {
      this.host.warn(`JetStream: ${this.describe()}: ${(err as Error).message}`);
      return this.failed(undefined);
    }
    this.state = 'creating';
    this.requestedAtMs = Date.now();
    const routed = this.host.publish(routerSubject(subject), this.replySubject, EMPTY, body);
    // Nobody serves that API (no stream store, a link down): as a create that timed out.
    if (!routed && this.state === 'creating') this.failed(undefined);
  }

  private consumerConfig(name: string | undefined, filter: string, deliverSubject: string): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    if (name !== undefined) config.name = name;
    const start = this.startPosition();
    config.deliver_policy = start.policy;
    if (start.policy === 'by_start_sequence') config.opt_start_seq = start.seq;
    if (start.policy === 'by_start_time') config.opt_start_time = start.time;
    config.ack_policy = 'none';
    config.ack_wait = ACK_WAIT_NS;
    config.max_deliver = 1;
    if (filter !== '') config.filter_subject = filter;
    config.replay_policy = 'instant';
    config.idle_heartbeat = HEARTBEAT_MS * 1_000_000;
    config.flow_control = true;
    config.deliver_subject = deliverSubject;
    config.num_replicas = 0;
    config.direct = true;
    return config;
  }

  /** The consumer create response on `subject`, the reply subject of some attempt. */
  createAnswered(subject: string, body: Uint8Array): void {
    if (this.state === 'stopped' || subject !== this.replySubject) return;
    if (this.replyEntry !== undefined) this.host.unsubscribe(this.replyEntry);
    this.replyEntry = undefined;
    this.replySubject = '';
    if (this.state !== 'creating') return;
    let response: unknown;
    try {
      response = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
    } catch {
      response = undefined;
    }
    if (typeof response !== 'object' || response === null || Array.isArray(response)) {
      this.host.warn(`JetStream: ${this.describe()}: the consumer create response is not JSON`);
      return this.failed({ code: 400, err_code: 10025, description: 'invalid JSON' });
    }
    const answer = response as Record<string, unknown>;
    const error = answer.error;
    if (error !== undefined || typeof answer.name !== 'string') {
      this.host.warn(`JetStream: ${this.describe()}: the consumer was not created: ${JSON.stringify(error ?? answer)}`);
      return this.failed(typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined);
    }
    const delivered = typeof answer.delivered === 'object' && answer.delivered !== null ? (answer.delivered as Record<string, unknown>) : {};
    this.state = 'running';
    this.error = undefined;
    this.failures = 0;
    this.lastHeardMs = Date.now();
    this.consumerCreated(count(delivered.consumer_seq), count(delivered.stream_seq));
  }

  /** A create that failed or timed out, a consumer gone silent, a message the stream refused: again after a backoff. */
  protected failed(error: Record<string, unknown> | undefined): void {
    if (this.state === 'stopped') return;
    if (error !== undefined) this.error = error;
    this.failures++;
    this.dropSubscriptions();
    this.schedule(Math.min(RETRY_LONGEST_MS, RETRY_FIRST_MS * 2 ** Math.min(this.failures - 1, 10)));
  }

  /**
   * A gap in what the consumer sent: a new consumer from what the stream has. Never made from
   * inside a delivery (the origin may be in the middle of delivering): scheduled.
   */
  protected recreate(): void {
    if (this.state !== 'running' && this.state !== 'creating') return;
    this.dropSubscriptions();
    this.schedule(Math.max(0, this.requestedAtMs + RECREATE_GAP_MS - Date.now()));
  }

  private checkHealth(): void {
    const now = Date.now();
    if (this.state === 'creating' && now - this.requestedAtMs >= CREATE_TIMEOUT_MS) {
      this.host.warn(`JetStream: ${this.describe()}: no answer to the consumer create`);
      this.failed(undefined);
    } else if (this.state === 'running' && now - this.lastHeardMs > STALLED_AFTER_MS) {
      this.failed(undefined);
    }
  }

  private dropSubscriptions(): void {
    if (this.deliverEntry !== undefined) this.host.unsubscribe(this.deliverEntry);
    if (this.replyEntry !== undefined) this.host.unsubscribe(this.replyEntry);
    this.deliverEntry = undefined;
    this.replyEntry = undefined;
    this.replySubject = '';
  }

  // ---- what the origin sends ----

  /** A delivery, a heartbeat or a flow control request on the current deliver subject. */
  receive(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    if (this.state !== 'running' && this.state !== 'creating') return;
    this.lastHeardMs = Date.now();
    if (headerSize > 0 && end - start === headerSize && isControlStatus(data, start, headerSize)) return this.control(reply, data.subarray(start, start + headerSize));
    if (reply === undefined || !this.ack.read(reply)) return;
    // Redeliveries cannot happen with max_deliver 1; nats-server drops them all the same.
    if (this.ack.deliveries > 1) return;
    try {
      this.delivered(subject, data.subarray(start, start + headerSize), data.subarray(start + headerSize, end));
    } catch (err) {
      // A store that cannot take what the origin holds (a subject too long for the file store):
      // not the origin's delivery loop's problem.
      this.host.warn(`JetStream: ${this.describe()}: message ${this.ack.streamSeq} not stored: ${(err as Error).message}`);
      this.failed(undefined);
    }
  }

  private control(reply: string | undefined, header: Uint8Array): void {
    if (reply !== undefined && reply !== '') return this.queueFlowControlReply(reply);
    const text = Buffer.from(header.buffer, header.byteOffset, header.length).toString('latin1');
    const lastConsumer = /\r\nNats-Last-Consumer:\s*(\d+)/.exec(text);
    if (lastConsumer !== null && Number(lastConsumer[1]) > 0 && Number(lastConsumer[1]) !== this.dseq) return this.recreate();
    const stalled = /\r\nNats-Consumer-Stalled:\s*(\S+)/.exec(text);
    if (stalled !== null) this.queueFlowControlReply(stalled[1]!);
  }

  private queueFlowControlReply(subject: string): void {
    if (!this.flowControlReplies.includes(subject)) this.flowControlReplies.push(subject);
    if (this.flowControlScheduled) return;
    this.flowControlScheduled = true;
    setImmediate(this.answerFlowControl);
  }

  private sendFlowControlReplies(): void {
    this.flowControlScheduled = false;
    if (this.state === 'stopped') return;
    // An empty message is the whole answer.
    for (const subject of this.flowControlReplies.splice(0)) this.host.publish(subject, undefined, EMPTY, EMPTY);
  }

  protected describe(): string {
    return `stream '${this.stream.name}' ${this.deliverToken === 'M' ? 'mirror' : 'source'} '${this.indexName}'`;
  }
}

/** Config subjects are text; the router's are byte strings (latin1). */
function routerSubject(subject: string): string {
  return Buffer.from(subject, 'utf8').toString('latin1');
}

/** `NATS/1.0 100 ...`: an idle heartbeat or a flow control request. */
function isControlStatus(data: Uint8Array, start: number, size: number): boolean {
  if (size < 12) return false;
  const expected = 'NATS/1.0 100';
  for (let i = 0; i < expected.length; i++) if (data[start + i] !== expected.charCodeAt(i)) return false;
  return true;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** 8 random characters, as nats-server's subjects and consumer names. */
function randomName(): string {
  const bytes = randomBytes(8);
  let name = '';
  for (const b of bytes) name += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return name;
}
