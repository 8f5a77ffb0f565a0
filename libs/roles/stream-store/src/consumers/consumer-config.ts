import { isDeepStrictEqual } from 'node:util';
import { isValidSubject, subjectHasWildcard, subjectIsSubsetMatch } from '@nats-ts/routing';
import {
  GoJsonError,
  goArray,
  goBool,
  goField,
  goInt,
  goObject,
  goString,
  goUint64,
  parseGoJson,
  type GoJsonObject,
  type GoJsonValue,
} from '../api/go-json-decode.js';
import { jsError, type JsApiError } from '../api/js-errors.js';
import { decodeTime, quote, type StreamConfig, type StreamSource } from '../streams/stream-config.js';

export type DeliverPolicy = 'all' | 'last' | 'new' | 'by_start_sequence' | 'by_start_time' | 'last_per_subject';
export type AckPolicy = 'none' | 'all' | 'explicit';
export type ReplayPolicy = 'instant' | 'original';

/**
 * nats-server 2.9's ConsumerConfig as its JSON: durations in integer nanoseconds, times as
 * RFC 3339 strings. A parsed config has its keys in nats-server's field order with its
 * `omitempty` fields left out when zero, so `goJson(config)` is the config nats-server echoes.
 * Negative durations and limits are kept as given, as nats-server keeps them.
 */
export interface ConsumerConfig {
  durable_name?: string;
  name?: string;
  description?: string;
  deliver_policy: DeliverPolicy;
  opt_start_seq?: number;
  /** As Go writes the time back: in the offset it was given with, fraction trimmed. */
  opt_start_time?: string;
  ack_policy: AckPolicy;
  /** Set for ack all/explicit (30 s unless given), or to backoff[0]. */
  ack_wait?: number;
  /** -1 (the default) or below: no limit. */
  max_deliver?: number;
  backoff?: number[];
  filter_subject?: string;
  replay_policy: ReplayPolicy;
  rate_limit_bps?: number;
  /** A percentage, `"50"` or `"50%"`. */
  sample_freq?: string;
  /** Pull only: 512 unless given. */
  max_waiting?: number;
  /** 1000 (or the limit, when lower) for ack all/explicit unless given. */
  max_ack_pending?: number;
  /** Push only. */
  idle_heartbeat?: number;
  /** Push only. */
  flow_control?: boolean;
  headers_only?: boolean;
  /** MaxRequestBatch: the largest pull batch. */
  max_batch?: number;
  /** MaxRequestExpires: the longest pull expiry. */
  max_expires?: number;
  /** MaxRequestMaxBytes: the largest pull max_bytes. */
  max_bytes?: number;
  /** Present for a push consumer only. */
  deliver_subject?: string;
  deliver_group?: string;
  /** Always set (5 s unless given) for an ephemeral. */
  inactive_threshold?: number;
  num_replicas: number;
  mem_storage?: boolean;
  direct?: boolean;
}

/**
 * Where a create request came in. `name` is the consumer token of `CONSUMER.CREATE.<stream>.<name>`
 * (absent for `CONSUMER.CREATE.<stream>`) or the durable of `CONSUMER.DURABLE.CREATE.<stream>.<durable>`
 * (`durableForm`); `filter` is what follows the name token. All are text, compared with the JSON's.
 */
export interface ConsumerCreateSubject {
  stream: string;
  name?: string;
  filter?: string;
  durableForm: boolean;
}

/** The stream a consumer is created on, and what the checks need to know of it. */
export interface ConsumerCreateStream {
  readonly config: StreamConfig;
  /**
   * The filter_subject of each consumer the stream has (one entry per consumer, undefined for
   * none): the work queue checks and the max_consumers count. Without `consumer`, leave out the
   * consumer this request names, or re-creating it on a work queue stream is refused.
   */
  readonly otherFilters: readonly (string | undefined)[];
  /**
   * The stream's consumer of that name. When the request names an existing consumer, nats-server
   * updates it ({@link checkConsumerUpdate}) instead of making the new-consumer checks.
   */
  readonly consumer?: (name: string) => ConsumerConfig | undefined;
  /** The account's stream configs, for the subjects a mirror or sources bring (filter check). */
  readonly streamConfig?: (name: string) => StreamConfig | undefined;
  /** Whether a subject has subscribers (an update moving a push consumer's deliver subject). */
  readonly hasInterest?: (subject: string) => boolean;
}

/**
 * The limits a consumer config must meet; 0 or below means none. A JetStreamAccountLimits
 * (the account's) fits. The server-wide ones (nats-server's `jetstream { limits {} }`) are
 * checked before the account's.
 */
export interface ConsumerCreateLimits {
  readonly maxAckPending: number;
  readonly maxConsumers?: number;
  readonly serverMaxAckPending?: number;
  readonly serverMaxRequestBatch?: number;
}

export type ConsumerCreateResult =
  | {
      config: ConsumerConfig;
      durable: boolean;
      name: string | undefined;
      /** The consumer this request updates (found through `stream.consumer`); the update is allowed. */
      existing?: ConsumerConfig;
    }
  | { error: JsApiError };

// Go's zero values stand in for what the request left out, as json.Unmarshal leaves them.
interface DecodedConsumerConfig {
  durable_name: string;
  name: string;
  description: string;
  deliver_policy: DeliverPolicy;
  opt_start_seq: number;
  opt_start_time: string | undefined;
  ack_policy: AckPolicy;
  ack_wait: number;
  max_deliver: number;
  backoff: number[];
  filter_subject: string;
  replay_policy: ReplayPolicy;
  rate_limit_bps: number;
  sample_freq: string;
  max_waiting: number;
  max_ack_pending: number;
  idle_heartbeat: number;
  flow_control: boolean;
  headers_only: boolean;
  max_batch: number;
  max_expires: number;
  max_bytes: number;
  deliver_subject: string;
  deliver_group: string;
  inactive_threshold: number;
  num_replicas: number;
  mem_storage: boolean;
  direct: boolean;
}

const DEFAULT_MAX_WAITING = 512;
const DEFAULT_ACK_WAIT_NS = 30_000_000_000;
const DEFAULT_MAX_ACK_PENDING = 1000;
const DEFAULT_INACTIVE_THRESHOLD_NS = 5_000_000_000;
const MIN_HEARTBEAT_NS = 100_000_000;
const MIN_MAX_EXPIRES_NS = 1_000_000;
const MAX_NAME_BYTES = 255;
const MAX_DESCRIPTION_BYTES = 4 * 1024;
const INT64_LIMIT = 1n << 63n;

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The create subject of `tokens` (the API subject's tokens after `$JS.API`, latin1 byte strings
 * as the router has them), or undefined for a subject nats-server does not serve. Its subjects
 * are `CONSUMER.CREATE.*`, `CONSUMER.CREATE.*.>` and `CONSUMER.DURABLE.CREATE.*.*`.
 */
export function consumerCreateSubject(tokens: readonly string[]): ConsumerCreateSubject | undefined {
  const text = (token: string): string => Buffer.from(token, 'latin1').toString('utf8');
  if (tokens[0] !== 'CONSUMER') return undefined;
  if (tokens[1] === 'CREATE' && tokens.length >= 3) {
    const [stream, name, ...filter] = tokens.slice(2) as [string, ...string[]];
    return {
      stream: text(stream),
      ...(name !== undefined ? { name: text(name) } : {}),
      ...(filter.length > 0 ? { filter: text(filter.join('.')) } : {}),
      durableForm: false,
    };
  }
  if (tokens[1] === 'DURABLE' && tokens[2] === 'CREATE' && tokens.length === 5) {
    return { stream: text(tokens[3]!), name: text(tokens[4]!), durableForm: true };
  }
  return undefined;
}

/**
 * Parses a CONSUMER.(DURABLE.)CREATE request body `{stream_name, config}` as nats-server 2.9.10
 * takes it: its errors in its order and words, or the config normalized (defaults filled in)
 * in its field order, whether it is durable, and its name (undefined for an ephemeral created
 * without one: the caller picks 8 random characters not in use).
 *
 * `stream` undefined means the stream does not exist: 10059, after the checks nats-server makes
 * before it looks the stream up. What is left to the caller: JetStream being enabled for the
 * account (checked before the stream name), and the update of an existing consumer when
 * `stream.consumer` is not given.
 */
export function parseConsumerCreate(
  body: Uint8Array,
  subject: ConsumerCreateSubject,
  stream: ConsumerCreateStream | undefined,
  limits: ConsumerCreateLimits,
): ConsumerCreateResult {
  let streamName: string;
  let cfg: DecodedConsumerConfig;
  try {
    const request = goObject(parseGoJson(utf8.decode(body))) ?? new Map();
    streamName = goString(goField(request, 'stream_name'));
    cfg = decodeConsumerConfig(goObject(goField(request, 'config')) ?? new Map());
  } catch (error) {
    if (error instanceof GoJsonError) return { error: jsError('InvalidJSON') };
    throw error;
  }

  if (subject.durableForm && (subject.name === undefined || subject.filter !== undefined)) return { error: jsError('ConsumerDurableNameNotInSubject') };
  if (streamName !== subject.stream) return { error: jsError('StreamMismatch') };
  const nameInSubject = subject.name;
  if (nameInSubject !== undefined && /[\\/]/.test(nameInSubject)) return { error: jsError('ConsumerNameContainsPathSeparators') };
  if (subject.durableForm) {
    if (cfg.durable_name === '') return { error: jsError('ConsumerDurableNameNotSet') };
    if (cfg.durable_name !== nameInSubject) return { error: jsError('ConsumerDurableNameNotMatchSubject') };
  } else if (nameInSubject !== undefined) {
    if (cfg.durable_name !== '' && cfg.durable_name !== nameInSubject) return { error: jsError('ConsumerDurableNameNotMatchSubject') };
    // The subject's name wins over the body's; without a durable_name this is an ephemeral.
    cfg.name = nameInSubject;
  } else if (cfg.durable_name !== '') {
    return { error: jsError('ConsumerEphemeralWithDurableName') };
  }
  if (subject.filter !== undefined && cfg.filter_subject !== subject.filter) return { error: jsError('ConsumerCreateFilterSubjectMismatch') };
  if (cfg.num_replicas > 1) return { error: jsError('StreamReplicasNotSupported') };
  if (stream === undefined) return { error: jsError('StreamNotFound') };

  setConsumerDefaults(cfg, limits);
  const invalid = checkConsumerConfig(cfg, stream, limits);
  if (invalid !== undefined) return { error: invalid };

  const durable = cfg.durable_name !== '';
  const name = durable ? cfg.durable_name : cfg.name !== '' ? cfg.name : undefined;
  // The config as nats-server compares it with an existing consumer's: an ephemeral's default
  // inactivity threshold is stamped later, when the consumer is set up.
  const asSent = toConsumerConfig(cfg);
  const stamped = (): ConsumerConfig => toConsumerConfig({ ...cfg, inactive_threshold: DEFAULT_INACTIVE_THRESHOLD_NS });
  const defaultThreshold = cfg.inactive_threshold <= 0;

  const existing = name === undefined ? undefined : stream.consumer?.(name);
  if (existing !== undefined) {
    const refused = updateRefusal(existing, asSent, stream);
    if (refused !== undefined) return { error: refused };
    // An update stamps the default only when it changes the threshold of what was an ephemeral.
    const stamp = defaultThreshold && existing.durable_name === undefined && cfg.inactive_threshold !== (existing.inactive_threshold ?? 0);
    return { config: stamp ? stamped() : asSent, durable, name, existing };
  }

  // A new consumer.
  let maxConsumers = stream.config.max_consumers;
  const accountMaxConsumers = limits.maxConsumers ?? 0;
  if (maxConsumers <= 0 || (accountMaxConsumers > 0 && accountMaxConsumers < maxConsumers)) maxConsumers = accountMaxConsumers;
  if (maxConsumers > 0 && stream.otherFilters.length >= maxConsumers) return { error: jsError('MaximumConsumersLimit') };
  if (stream.config.retention === 'workqueue' && !cfg.direct) {
    if (cfg.ack_policy !== 'explicit') return { error: jsError('ConsumerWQRequiresExplicitAck') };
    if (stream.otherFilters.length > 0) {
      if (cfg.filter_subject === '') return { error: jsError('ConsumerWQMultipleUnfiltered') };
      if (!partitionUnique(cfg.filter_subject, stream.otherFilters)) return { error: jsError('ConsumerWQConsumerNotUnique') };
    }
    if (cfg.deliver_policy !== 'all') return { error: jsError('ConsumerWQConsumerNotDeliverAll') };
  }
  if (durable && byteLength(cfg.durable_name) > MAX_NAME_BYTES) return { error: jsError('ConsumerNameTooLong', { max: MAX_NAME_BYTES }) };
  if (name !== undefined && /[ \t\r\n\f.*>]/.test(name)) return { error: jsError('ConsumerBadDurableName') };
  // Ephemerals always have an inactivity threshold.
  return { config: !durable && defaultThreshold ? stamped() : asSent, durable, name };
}

/**
 * Re-creating an existing consumer (same durable or name): undefined when `next` is the same
 * config or an allowed update, else nats-server's refusal in its order and words (e.g. 10012
 * "ack policy can not be updated"). `next` is a parsed config; `context.hasInterest` tells
 * whether a push consumer's deliver subject is bound (then it can not move: 10013).
 *
 * One difference from nats-server: it compares the request before an ephemeral's default
 * inactive_threshold is stamped, which refuses re-creating a named ephemeral that has an
 * opt_start_time unless its threshold was given. parseConsumerCreate, given `stream.consumer`,
 * makes this check with the request as sent, and so refuses that too.
 */
export function checkConsumerUpdate(
  current: ConsumerConfig,
  next: ConsumerConfig,
  context: { readonly hasInterest?: (subject: string) => boolean } = {},
): JsApiError | undefined {
  return updateRefusal(current, next, context);
}

/** Is this a push consumer (one with a deliver subject)? */
export function isPushConsumer(config: ConsumerConfig): boolean {
  return (config.deliver_subject ?? '') !== '';
}

/** nats-server's checkNewConsumerConfig. */
function updateRefusal(
  current: ConsumerConfig,
  next: ConsumerConfig,
  context: { readonly hasInterest?: (subject: string) => boolean },
): JsApiError | undefined {
  if (isDeepStrictEqual(current, next)) return undefined;
  const refuse = (text: string): JsApiError => jsError('ConsumerCreate', { err: text });
  if (current.deliver_policy !== next.deliver_policy) return refuse('deliver policy can not be updated');
  if ((current.opt_start_seq ?? 0) !== (next.opt_start_seq ?? 0)) return refuse('start sequence can not be updated');
  // nats-server compares the two start times as pointers, which differ once the configs do.
  if (current.opt_start_time !== undefined || next.opt_start_time !== undefined) return refuse('start time can not be updated');
  if (current.ack_policy !== next.ack_policy) return refuse('ack policy can not be updated');
  if (current.replay_policy !== next.replay_policy) return refuse('replay policy can not be updated');
  if ((current.idle_heartbeat ?? 0) !== (next.idle_heartbeat ?? 0)) return refuse('heart beats can not be updated');
  if ((current.flow_control ?? false) !== (next.flow_control ?? false)) return refuse('flow control can not be updated');
  if ((current.max_waiting ?? 0) !== (next.max_waiting ?? 0)) return refuse('max waiting can not be updated');
  const deliverFrom = current.deliver_subject ?? '';
  const deliverTo = next.deliver_subject ?? '';
  if (deliverFrom !== deliverTo) {
    if (deliverFrom === '') return refuse('can not update pull consumer to push based');
    if (deliverTo === '') return refuse('can not update push consumer to pull based');
    if (context.hasInterest?.(deliverFrom) === true) return jsError('ConsumerNameExist');
  }
  const backoffs = next.backoff?.length ?? 0;
  if (backoffs > 0 && (next.max_deliver ?? 0) <= backoffs) return jsError('ConsumerMaxDeliverBackoff');
  return undefined;
}

function decodeConsumerConfig(object: GoJsonObject): DecodedConsumerConfig {
  const field = (name: string): GoJsonValue | undefined => goField(object, name);
  const startTime = field('opt_start_time');
  return {
    durable_name: goString(field('durable_name')),
    name: goString(field('name')),
    description: goString(field('description')),
    deliver_policy: decodeDeliverPolicy(field('deliver_policy')),
    opt_start_seq: goUint64(field('opt_start_seq')),
    opt_start_time: startTime === undefined || startTime === null ? undefined : decodeTime(startTime),
    ack_policy: decodeAckPolicy(field('ack_policy')),
    ack_wait: goInt(field('ack_wait'), 64),
    max_deliver: goInt(field('max_deliver'), 64),
    backoff: (goArray(field('backoff')) ?? []).map((item) => goInt(item, 64)),
    filter_subject: goString(field('filter_subject')),
    replay_policy: decodeReplayPolicy(field('replay_policy')),
    rate_limit_bps: goUint64(field('rate_limit_bps')),
    sample_freq: goString(field('sample_freq')),
    max_waiting: goInt(field('max_waiting'), 64),
    max_ack_pending: goInt(field('max_ack_pending'), 64),
    idle_heartbeat: goInt(field('idle_heartbeat'), 64),
    flow_control: goBool(field('flow_control')),
    headers_only: goBool(field('headers_only')),
    max_batch: goInt(field('max_batch'), 64),
    max_expires: goInt(field('max_expires'), 64),
    max_bytes: goInt(field('max_bytes'), 64),
    deliver_subject: goString(field('deliver_subject')),
    deliver_group: goString(field('deliver_group')),
    inactive_threshold: goInt(field('inactive_threshold'), 64),
    num_replicas: goInt(field('num_replicas'), 64),
    mem_storage: goBool(field('mem_storage')),
    direct: goBool(field('direct')),
  };
}

// The policy words are parsed by custom unmarshalers that refuse anything else, null included.
function decodeDeliverPolicy(value: GoJsonValue | undefined): DeliverPolicy {
  if (value === undefined || value === 'undefined') return 'all';
  switch (value) {
    case 'all':
    case 'last':
    case 'new':
    case 'by_start_sequence':
    case 'by_start_time':
    case 'last_per_subject':
      return value;
  }
  throw new GoJsonError('unknown deliver policy');
}

function decodeAckPolicy(value: GoJsonValue | undefined): AckPolicy {
  if (value === undefined) return 'none';
  if (value === 'none' || value === 'all' || value === 'explicit') return value;
  throw new GoJsonError('unknown ack policy');
}

function decodeReplayPolicy(value: GoJsonValue | undefined): ReplayPolicy {
  if (value === undefined) return 'instant';
  if (value === 'instant' || value === 'original') return value;
  throw new GoJsonError('unknown replay policy');
}

/** nats-server's setConsumerConfigDefaults. */
function setConsumerDefaults(cfg: DecodedConsumerConfig, limits: ConsumerCreateLimits): void {
  const pull = cfg.deliver_subject === '';
  const acked = cfg.ack_policy !== 'none';
  if (pull && cfg.max_waiting === 0) cfg.max_waiting = DEFAULT_MAX_WAITING;
  if (acked && cfg.ack_wait === 0) cfg.ack_wait = DEFAULT_ACK_WAIT_NS;
  if (cfg.max_deliver === 0) cfg.max_deliver = -1;
  // A backoff overrides ack_wait, whatever the ack policy.
  if (cfg.backoff.length > 0) cfg.ack_wait = cfg.backoff[0]!;
  if (acked && cfg.max_ack_pending === 0) {
    let pending = DEFAULT_MAX_ACK_PENDING;
    for (const limit of [limits.serverMaxAckPending ?? 0, limits.maxAckPending]) {
      if (limit > 0 && limit < pending) pending = limit;
    }
    cfg.max_ack_pending = pending;
  }
  const serverMaxBatch = limits.serverMaxRequestBatch ?? 0;
  if (pull && cfg.max_batch === 0 && serverMaxBatch > 0) cfg.max_batch = serverMaxBatch;
}

/** nats-server's checkConsumerCfg, in its order. */
function checkConsumerConfig(cfg: DecodedConsumerConfig, stream: ConsumerCreateStream, limits: ConsumerCreateLimits): JsApiError | undefined {
  const streamConfig = stream.config;
  if (cfg.num_replicas > 0 && cfg.num_replicas > streamConfig.num_replicas) return jsError('ConsumerReplicasExceedsStream');
  if (cfg.num_replicas < 0) return jsError('ReplicasCountCannotBeNegative');
  if (cfg.backoff.length > 0 && cfg.max_deliver <= cfg.backoff.length) return jsError('ConsumerMaxDeliverBackoff');
  if (byteLength(cfg.description) > MAX_DESCRIPTION_BYTES) return jsError('ConsumerDescriptionTooLong', { max: MAX_DESCRIPTION_BYTES });

  if (cfg.deliver_subject !== '') {
    if (subjectHasWildcard(cfg.deliver_subject)) return jsError('ConsumerDeliverToWildcards');
    if (!isValidSubject(cfg.deliver_subject)) return jsError('ConsumerInvalidDeliverSubject');
    if ((streamConfig.subjects ?? []).some((subject) => subjectIsSubsetMatch(cfg.deliver_subject, subject))) return jsError('ConsumerDeliverCycle');
    if (cfg.max_waiting !== 0) return jsError('ConsumerPushMaxWaiting');
    if (cfg.max_ack_pending > 0 && cfg.ack_policy === 'none') return jsError('ConsumerMaxPendingAckPolicyRequired');
    if (cfg.idle_heartbeat > 0 && cfg.idle_heartbeat < MIN_HEARTBEAT_NS) return jsError('ConsumerSmallHeartbeat');
  } else {
    if (cfg.ack_policy === 'none' && streamConfig.retention === 'workqueue') return jsError('ConsumerPullRequiresAck');
    if (cfg.rate_limit_bps > 0) return jsError('ConsumerPullWithRateLimit');
    if (cfg.max_waiting < 0) return jsError('ConsumerMaxWaitingNegative');
    if (cfg.idle_heartbeat > 0) return jsError('ConsumerHBRequiresPush');
    if (cfg.flow_control) return jsError('ConsumerFCRequiresPush');
    if (cfg.max_batch < 0) return jsError('ConsumerMaxRequestBatchNegative');
    if (cfg.max_expires !== 0 && cfg.max_expires < MIN_MAX_EXPIRES_NS) return jsError('ConsumerMaxRequestExpiresToSmall');
    const serverMaxBatch = limits.serverMaxRequestBatch ?? 0;
    if (serverMaxBatch > 0 && cfg.max_batch > serverMaxBatch) return jsError('ConsumerMaxRequestBatchExceeded', { limit: serverMaxBatch });
  }
  for (const limit of [limits.serverMaxAckPending ?? 0, limits.maxAckPending]) {
    if (limit > 0 && cfg.max_ack_pending > limit) return jsError('ConsumerMaxPendingAckExcess', { limit });
  }

  if (cfg.direct) {
    if (cfg.deliver_subject === '') return jsError('ConsumerDirectRequiresPush');
    if (cfg.durable_name !== '') return jsError('ConsumerDirectRequiresEphemeral');
  }

  if (cfg.filter_subject !== '') {
    const origin = interestSubjects(streamConfig, stream.streamConfig);
    if (!origin.external && !validFilteredSubject(cfg.filter_subject, origin.subjects)) return jsError('ConsumerFilterNotSubset');
  }

  const policyError = startPolicyError(cfg);
  if (policyError !== undefined) return jsError('ConsumerInvalidPolicy', { err: policyError });

  if (cfg.sample_freq !== '') {
    const parsed = atoi(cfg.sample_freq.endsWith('%') ? cfg.sample_freq.slice(0, -1) : cfg.sample_freq);
    if (typeof parsed === 'string') return jsError('ConsumerInvalidSampling', { err: parsed });
    // A negative percentage is refused with no parse error to show.
    if (parsed < 0n) return jsError('ConsumerInvalidSampling', { err: '<nil>' });
  }

  if (cfg.flow_control && cfg.idle_heartbeat === 0) return jsError('ConsumerWithFlowControlNeedsHeartbeats');
  if (cfg.durable_name !== '' && cfg.name !== '' && cfg.name !== cfg.durable_name) return jsError('ConsumerCreateDurableAndNameMismatch');
  return undefined;
}

const POLICY_WORDS: Readonly<Record<DeliverPolicy, string>> = {
  all: 'all',
  last: 'last',
  new: 'new',
  by_start_sequence: 'by start sequence',
  by_start_time: 'by start time',
  last_per_subject: 'last per subject',
};

/** The deliver policy's conflict with the start options, in nats-server's words. */
function startPolicyError(cfg: DecodedConsumerConfig): string | undefined {
  const policy = POLICY_WORDS[cfg.deliver_policy];
  const alsoSet = (start: string): string => `consumer delivery policy is deliver ${policy}, but optional start ${start} is also set`;
  const notSet = (option: string): string => `consumer delivery policy is deliver ${policy}, but optional ${option} is not set`;
  const hasTime = cfg.opt_start_time !== undefined;
  switch (cfg.deliver_policy) {
    case 'by_start_sequence':
      if (cfg.opt_start_seq === 0) return notSet('start sequence');
      if (hasTime) return alsoSet('time');
      return undefined;
    case 'by_start_time':
      if (!hasTime) return notSet('start time');
      if (cfg.opt_start_seq !== 0) return alsoSet('start sequence');
      return undefined;
    default:
      if (cfg.opt_start_seq > 0) return alsoSet('sequence');
      if (hasTime) return alsoSet('time');
      if (cfg.deliver_policy === 'last_per_subject' && cfg.filter_subject === '') return notSet('filter subject');
      return undefined;
  }
}

/** Go's strconv.Atoi of a 64-bit int: the value, or the error's text. */
/**
 * The percentage of acks sampled (`sample_freq`, "50%" or "50"): 0 for none, as nats-server
 * reads the validated text into an int32 (so a huge value wraps as its does).
 */
export function samplePercent(sampleFreq: string | undefined): number {
  if (sampleFreq === undefined || sampleFreq === '') return 0;
  const parsed = atoi(sampleFreq.endsWith('%') ? sampleFreq.slice(0, -1) : sampleFreq);
  return typeof parsed === 'string' ? 0 : Number(BigInt.asIntN(32, parsed));
}

function atoi(text: string): bigint | string {
  if (!/^[+-]?[0-9]+$/.test(text)) return `strconv.Atoi: parsing ${quote(text)}: invalid syntax`;
  const value = BigInt(text);
  if (value < -INT64_LIMIT || value >= INT64_LIMIT) return `strconv.Atoi: parsing ${quote(text)}: value out of range`;
  return value;
}

/**
 * The subjects a consumer may filter on: the stream's own and those its mirror or sources
 * bring, through their own mirrors and sources, as nats-server gathers them. `external` means
 * they can not be known (an external origin, or no way to look streams up), so any filter goes.
 */
function interestSubjects(config: StreamConfig, lookup: ((name: string) => StreamConfig | undefined) | undefined): { subjects: string[]; external: boolean } {
  const subjects = [...(config.subjects ?? [])];
  const origins = config.mirror !== undefined ? [config.mirror] : (config.sources ?? []);
  if (origins.length === 0) return { subjects, external: false };
  if (lookup === undefined) return { subjects, external: true };
  let external = false;
  // Each of nats-server's walks from a mirror starts afresh; the sources share one.
  const seen = new Set<string>();
  for (const origin of origins) {
    const found = originSubjects(origin, lookup, seen);
    subjects.push(...found.subjects);
    external ||= found.external;
  }
  return { subjects, external };
}

function originSubjects(
  source: StreamSource,
  lookup: (name: string) => StreamConfig | undefined,
  seen: Set<string>,
): { subjects: string[]; external: boolean } {
  if (source.external !== undefined) return { subjects: [], external: true };
  const origin = seen.has(source.name) ? undefined : lookup(source.name);
  if (origin === undefined) return { subjects: [], external: false };
  seen.add(source.name);
  const subjects = [...(origin.subjects ?? [])];
  for (const upstream of origin.mirror !== undefined ? [origin.mirror] : (origin.sources ?? [])) {
    const found = originSubjects(upstream, lookup, seen);
    subjects.push(...found.subjects);
    if (found.external) return { subjects, external: true };
  }
  return { subjects, external: false };
}

/** nats-server's validFilteredSubject: within some subject, or a wildcard reaching into one. */
function validFilteredSubject(filter: string, subjects: readonly string[]): boolean {
  if (!isValidSubject(filter)) return false;
  const wildcard = subjectHasWildcard(filter);
  return subjects.some((subject) => subjectIsSubsetMatch(filter, subject) || (wildcard && subjectIsSubsetMatch(subject, filter)));
}

/** nats-server's partitionUnique: no other filter is missing, within this one or holds it. */
function partitionUnique(filter: string, others: readonly (string | undefined)[]): boolean {
  return others.every((other) => other !== undefined && other !== '' && !subjectIsSubsetMatch(filter, other) && !subjectIsSubsetMatch(other, filter));
}

/** Go's len() of a string: its UTF-8 bytes. */
function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The config in nats-server's field order; the optional keys are its omitempty fields. */
function toConsumerConfig(cfg: DecodedConsumerConfig): ConsumerConfig {
  return {
    ...(cfg.durable_name !== '' ? { durable_name: cfg.durable_name } : {}),
    ...(cfg.name !== '' ? { name: cfg.name } : {}),
    ...(cfg.description !== '' ? { description: cfg.description } : {}),
    deliver_policy: cfg.deliver_policy,
    ...(cfg.opt_start_seq !== 0 ? { opt_start_seq: cfg.opt_start_seq } : {}),
    ...(cfg.opt_start_time !== undefined ? { opt_start_time: cfg.opt_start_time } : {}),
    ack_policy: cfg.ack_policy,
    ...(cfg.ack_wait !== 0 ? { ack_wait: cfg.ack_wait } : {}),
    ...(cfg.max_deliver !== 0 ? { max_deliver: cfg.max_deliver } : {}),
    ...(cfg.backoff.length > 0 ? { backoff: [...cfg.backoff] } : {}),
    ...(cfg.filter_subject !== '' ? { filter_subject: cfg.filter_subject } : {}),
    replay_policy: cfg.replay_policy,
    ...(cfg.rate_limit_bps !== 0 ? { rate_limit_bps: cfg.rate_limit_bps } : {}),
    ...(cfg.sample_freq !== '' ? { sample_freq: cfg.sample_freq } : {}),
    ...(cfg.max_waiting !== 0 ? { max_waiting: cfg.max_waiting } : {}),
    ...(cfg.max_ack_pending !== 0 ? { max_ack_pending: cfg.max_ack_pending } : {}),
    ...(cfg.idle_heartbeat !== 0 ? { idle_heartbeat: cfg.idle_heartbeat } : {}),
    ...(cfg.flow_control ? { flow_control: true } : {}),
    ...(cfg.headers_only ? { headers_only: true } : {}),
    ...(cfg.max_batch !== 0 ? { max_batch: cfg.max_batch } : {}),
    ...(cfg.max_expires !== 0 ? { max_expires: cfg.max_expires } : {}),
    ...(cfg.max_bytes !== 0 ? { max_bytes: cfg.max_bytes } : {}),
    ...(cfg.deliver_subject !== '' ? { deliver_subject: cfg.deliver_subject } : {}),
    ...(cfg.deliver_group !== '' ? { deliver_group: cfg.deliver_group } : {}),
    ...(cfg.inactive_threshold !== 0 ? { inactive_threshold: cfg.inactive_threshold } : {}),
    num_replicas: cfg.num_replicas,
    ...(cfg.mem_storage ? { mem_storage: true } : {}),
    ...(cfg.direct ? { direct: true } : {}),
  };
}
