import { isValidSubject, isValidSubjectTransform, subjectIsSubsetMatch, subjectsCollide } from '@nats-ts/routing';
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
import { parseRfc3339WithOffset, rfc3339Nano } from '../api/time.js';
import { isValidPublishSubject } from './subjects.js';

export type RetentionPolicy = 'limits' | 'interest' | 'workqueue';
export type DiscardPolicy = 'old' | 'new';
export type StorageType = 'file' | 'memory';

/** Another account's (or domain's) JetStream API and delivery prefix for a mirror or source. */
export interface ExternalStream {
  api: string;
  deliver: string;
}

export interface StreamSource {
  name: string;
  opt_start_seq?: number;
  /** RFC 3339 as Go writes the time back: in the offset it was given with, fraction trimmed. */
  opt_start_time?: string;
  filter_subject?: string;
  external?: ExternalStream;
}

export interface Placement {
  cluster?: string;
  tags?: string[];
}

export interface RePublish {
  /** Always set once parsed (an empty source means `>`). */
  src?: string;
  dest: string;
  headers_only?: boolean;
}

/**
 * nats-server 2.9's StreamConfig as its JSON, durations in integer nanoseconds. A parsed
 * config has its keys in nats-server's field order with its `omitempty` fields left out,
 * so `goJson(config)` is the config nats-server echoes.
 *
 * Limits below zero are kept as given and mean "unlimited", as in nats-server (-1 is the
 * default); max_age 0 means no age limit.
 */
export interface StreamConfig {
  name: string;
  description?: string;
  /** Absent only for a mirror, or a stream with sources and no subjects of its own. */
  subjects?: string[];
  retention: RetentionPolicy;
  max_consumers: number;
  max_msgs: number;
  max_bytes: number;
  max_age: number;
  max_msgs_per_subject: number;
  max_msg_size: number;
  discard: DiscardPolicy;
  storage: StorageType;
  num_replicas: number;
  no_ack?: boolean;
  template_owner?: string;
  /** Absent for a mirror that did not set one (mirrors get no default). */
  duplicate_window?: number;
  placement?: Placement;
  mirror?: StreamSource;
  sources?: StreamSource[];
  republish?: RePublish;
  allow_direct: boolean;
  mirror_direct: boolean;
  discard_new_per_subject?: boolean;
  sealed: boolean;
  deny_delete: boolean;
  deny_purge: boolean;
  allow_rollup_hdrs: boolean;
}

/** What parsing needs to know beyond the request. */
export interface StreamConfigContext {
  /**
   * `create` (the default) checks as STREAM.CREATE does; `update` as STREAM.UPDATE does
   * (a config may be sealed, name checked after the config); `restore` as STREAM.RESTORE does
   * (the config's name wins, the subject's fills it in when empty; a config may be sealed).
   */
  action?: 'create' | 'update' | 'restore';
  /** The configs of the account's other streams, for the mirror and source checks. */
  streamConfig?: (name: string) => StreamConfig | undefined;
  /** The account limits a stream config must meet (none when absent). */
  accountLimits?: StreamAccountLimits;
  /** File-storage streams live in Redis, whose replication stands for num_replicas > 1. */
  redisStore?: boolean;
}

export interface StreamAccountLimits {
  max_bytes_required: boolean;
  /** The largest max_bytes for one stream per storage type; 0 or below: no limit. */
  memory_max_stream_bytes: number;
  storage_max_stream_bytes: number;
}

type StreamConfigResult = { config: StreamConfig } | { error: JsApiError };

// Go's zero values stand in for what the request left out, as json.Unmarshal leaves them.
interface DecodedStreamConfig {
  name: string;
  description: string;
  subjects: string[];
  retention: RetentionPolicy;
  max_consumers: number;
  max_msgs: number;
  max_bytes: number;
  max_age: number;
  max_msgs_per_subject: number;
  max_msg_size: number;
  discard: DiscardPolicy;
  storage: StorageType | 'any' | undefined;
  num_replicas: number;
  no_ack: boolean;
  template_owner: string;
  duplicate_window: number;
  placement: Placement | undefined;
  mirror: StreamSource | undefined;
  sources: StreamSource[];
  republish: RePublish | undefined;
  allow_direct: boolean;
  mirror_direct: boolean;
  discard_new_per_subject: boolean;
  sealed: boolean;
  deny_delete: boolean;
  deny_purge: boolean;
  allow_rollup_hdrs: boolean;
}

const MAX_NAME_BYTES = 255;
const MAX_DESCRIPTION_BYTES = 4 * 1024;
const MAX_REPLICAS = 5;
const DEFAULT_DUPLICATE_WINDOW_NS = 120_000_000_000;
const MIN_WINDOW_NS = 100_000_000;
const JS_API_PREFIX = '$JS.API';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function invalidConfig(text: string): { error: JsApiError } {
  return { error: jsError('StreamInvalidConfig', { err: text }) };
}

/**
 * A STREAM.CREATE (or, with `context.action`, STREAM.UPDATE or STREAM.RESTORE) config as
 * nats-server 2.9.10 takes it: the errors in its order and words, or the config normalized
 * (defaults filled in) in its field order. `nameInSubject` is the subject's last token.
 * What needs the account's streams (existing name, subject overlap with other streams, the
 * stream count) is the caller's, except for what `context` supplies.
 */
export function parseStreamConfig(body: Uint8Array, nameInSubject: string, context: StreamConfigContext = {}): StreamConfigResult {
  let json: GoJsonValue;
  try {
    json = parseGoJson(utf8.decode(body));
  } catch (error) {
    if (error instanceof GoJsonError) return { error: jsError('InvalidJSON') };
    throw error;
  }
  return parseStreamConfigValue(json, nameInSubject, context);
}

/** {@link parseStreamConfig} of a config already parsed as JSON (a field of a larger request). */
export function parseStreamConfigValue(json: GoJsonValue | undefined, nameInSubject: string, context: StreamConfigContext = {}): StreamConfigResult {
  let decoded: DecodedStreamConfig;
  try {
    decoded = decodeStreamConfig(json ?? null);
  } catch (error) {
    if (error instanceof GoJsonError) return { error: jsError('InvalidJSON') };
    throw error;
  }
  const action = context.action ?? 'create';
  if (action === 'restore' && decoded.name === '') decoded.name = nameInSubject;
  if (action !== 'update') {
    if (action === 'create' && decoded.name !== nameInSubject) return { error: jsError('StreamMismatch') };
    // nats-server checks this on create only; a restore makes a directory of the name too.
    if (/[\\/]/.test(decoded.name)) return { error: jsError('StreamNameContainsPathSeparators') };
  }
  if (action === 'create') {
    if (decoded.sealed) return invalidConfig('stream configuration for create can not be sealed');
    if (decoded.mirror_direct && decoded.mirror === undefined) return invalidConfig('stream has no mirror but does have mirror direct');
  }
  const checked = checkStreamConfig(decoded, context);
  if ('error' in checked) return checked;
  const { config } = checked;
  if (action === 'update' && config.name !== nameInSubject) return { error: jsError('StreamMismatch') };
  // 2.9.10 refuses this on create only; later versions on update too, which is what we do.
  if (config.num_replicas > 1 && !(context.redisStore === true && config.storage === 'file')) return { error: jsError('StreamReplicasNotSupported') };
  // There are no stream templates here, so no stream can be owned by one.
  if (action !== 'update' && config.template_owner !== undefined) return { error: jsError('StreamCreate', { err: 'stream not owned by template' }) };
  return checked;
}

function decodeStreamConfig(json: GoJsonValue): DecodedStreamConfig {
  // A `null` body leaves every field at its zero value.
  const object: GoJsonObject = goObject(json) ?? new Map();
  const field = (name: string): GoJsonValue | undefined => goField(object, name);
  return {
    name: goString(field('name')),
    description: goString(field('description')),
    subjects: goStrings(field('subjects')),
    retention: decodeRetention(field('retention')),
    max_consumers: goInt(field('max_consumers'), 64),
    max_msgs: goInt(field('max_msgs'), 64),
    max_bytes: goInt(field('max_bytes'), 64),
    max_age: goInt(field('max_age'), 64),
    max_msgs_per_subject: goInt(field('max_msgs_per_subject'), 64),
    max_msg_size: goInt(field('max_msg_size'), 32),
    discard: decodeDiscard(field('discard')),
    storage: decodeStorage(field('storage')),
    num_replicas: goInt(field('num_replicas'), 64),
    no_ack: goBool(field('no_ack')),
    template_owner: goString(field('template_owner')),
    duplicate_window: goInt(field('duplicate_window'), 64),
    placement: decodePlacement(goObject(field('placement'))),
    mirror: decodeSource(goObject(field('mirror'))),
    sources: (goArray(field('sources')) ?? []).map((item) => {
      // nats-server would dereference the nil source and crash; refuse it instead.
      const source = decodeSource(goObject(item));
      if (source === undefined) throw new GoJsonError('a source is an object');
      return source;
    }),
    republish: decodeRePublish(goObject(field('republish'))),
    allow_direct: goBool(field('allow_direct')),
    mirror_direct: goBool(field('mirror_direct')),
    discard_new_per_subject: goBool(field('discard_new_per_subject')),
    sealed: goBool(field('sealed')),
    deny_delete: goBool(field('deny_delete')),
    deny_purge: goBool(field('deny_purge')),
    allow_rollup_hdrs: goBool(field('allow_rollup_hdrs')),
  };
}

/** A []string; a null item is Go's empty string. */
function goStrings(value: GoJsonValue | undefined): string[] {
  return (goArray(value) ?? []).map(goString);
}

// The policy words are parsed by custom unmarshalers that refuse anything else, null included.
function decodeRetention(value: GoJsonValue | undefined): RetentionPolicy {
  if (value === undefined) return 'limits';
  if (value === 'limits' || value === 'interest' || value === 'workqueue') return value;
  throw new GoJsonError('unknown retention policy');
}

function decodeDiscard(value: GoJsonValue | undefined): DiscardPolicy {
  if (value === undefined) return 'old';
  const word = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (word === 'old' || word === 'new') return word;
  throw new GoJsonError('unknown discard policy');
}

function decodeStorage(value: GoJsonValue | undefined): StorageType | 'any' | undefined {
  if (value === undefined) return undefined;
  if (value === 'file' || value === 'memory' || value === 'any') return value;
  throw new GoJsonError('unknown storage type');
}

function decodePlacement(object: GoJsonObject | undefined): Placement | undefined {
  if (object === undefined) return undefined;
  const placement: Placement = {};
  const cluster = goString(goField(object, 'cluster'));
  const tags = goStrings(goField(object, 'tags'));
  if (cluster !== '') placement.cluster = cluster;
  if (tags.length > 0) placement.tags = tags;
  return placement;
}

function decodeSource(object: GoJsonObject | undefined): StreamSource | undefined {
  if (object === undefined) return undefined;
  const source: StreamSource = { name: goString(goField(object, 'name')) };
  const startSeq = goUint64(goField(object, 'opt_start_seq'));
  const startTime = goField(object, 'opt_start_time');
  const filter = goString(goField(object, 'filter_subject'));
  const external = goObject(goField(object, 'external'));
  if (startSeq !== 0) source.opt_start_seq = startSeq;
  if (startTime !== undefined && startTime !== null) source.opt_start_time = decodeTime(startTime);
  if (filter !== '') source.filter_subject = filter;
  if (external !== undefined) {
    source.external = { api: goString(goField(external, 'api')), deliver: goString(goField(external, 'deliver')) };
  }
  return source;
}

/** A time.Time field: an RFC 3339 string, given back as Go would marshal it. */
export function decodeTime(value: GoJsonValue): string {
  const time = typeof value === 'string' ? parseRfc3339WithOffset(value) : undefined;
  if (time === undefined) throw new GoJsonError('not an RFC 3339 time');
  return rfc3339Nano(time.ns, time.offsetSeconds);
}

function decodeRePublish(object: GoJsonObject | undefined): RePublish | undefined {
  if (object === undefined) return undefined;
  const republish: RePublish = { dest: goString(goField(object, 'dest')) };
  const src = goString(goField(object, 'src'));
  if (src !== '') republish.src = src;
  if (goBool(goField(object, 'headers_only'))) republish.headers_only = true;
  return republish;
}

/** Go's len() of a string: its UTF-8 bytes. */
function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const GO_QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Go's %q (strconv.Quote) as far as these texts need it: printable characters stay. */
export function quote(text: string): string {
  let quoted = '"';
  for (const char of text) {
    const code = char.charCodeAt(0);
    quoted += GO_QUOTE_ESCAPES[char] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char);
  }
  return `${quoted}"`;
}

/** nats-server's checkStreamCfg: its defaults, then its checks in its order. */
function checkStreamConfig(cfg: DecodedStreamConfig, context: StreamConfigContext): StreamConfigResult {
  if (cfg.name === '' || /[ \t\r\n\f.*>]/.test(cfg.name)) {
    return invalidConfig("stream name is required and can not contain '.', '*', '>'");
  }
  if (byteLength(cfg.name) > MAX_NAME_BYTES) return invalidConfig(`stream name is too long, maximum allowed is ${MAX_NAME_BYTES}`);
  if (byteLength(cfg.description) > MAX_DESCRIPTION_BYTES) {
    return invalidConfig(`stream description is too long, maximum allowed is ${MAX_DESCRIPTION_BYTES}`);
  }

  const storage = cfg.storage ?? 'file';
  // nats-server 2.9.10 takes "any" and then has no store to open; later versions name it so.
  if (storage === 'any') return invalidConfig('invalid storage type');
  const replicas = cfg.num_replicas === 0 ? 1 : cfg.num_replicas;
  if (replicas > MAX_REPLICAS) return invalidConfig(`maximum replicas is ${MAX_REPLICAS}`);
  if (replicas < 0) return { error: jsError('ReplicasCountCannotBeNegative') };
  const unlimitedIfZero = (n: number): number => (n === 0 ? -1 : n);
  const maxMsgsPerSubject = unlimitedIfZero(cfg.max_msgs_per_subject);

  let duplicateWindow = cfg.duplicate_window;
  if (duplicateWindow === 0 && cfg.mirror === undefined) {
    duplicateWindow = cfg.max_age !== 0 && cfg.max_age < DEFAULT_DUPLICATE_WINDOW_NS ? cfg.max_age : DEFAULT_DUPLICATE_WINDOW_NS;
  }
  if (cfg.max_age > 0 && cfg.max_age < MIN_WINDOW_NS) return invalidConfig('max age needs to be >= 100ms');
  if (duplicateWindow < 0) return invalidConfig('duplicates window can not be negative');
  if (cfg.max_age !== 0 && duplicateWindow > cfg.max_age) return invalidConfig('duplicates window can not be larger then max age');
  if (duplicateWindow > 0 && duplicateWindow < MIN_WINDOW_NS) return invalidConfig('duplicates window needs to be >= 100ms');

  if (cfg.deny_purge && cfg.allow_rollup_hdrs) return invalidConfig('roll-ups require the purge permission');
  if (cfg.discard_new_per_subject) {
    if (cfg.discard !== 'new') return invalidConfig('discard new per subject requires discard new policy to be set');
    if (maxMsgsPerSubject <= 0) return invalidConfig('discard new per subject requires max msgs per subject > 0');
  }

  const maxMsgSize = unlimitedIfZero(cfg.max_msg_size);
  const lookup = context.streamConfig ?? (() => undefined);
  const originSubjects: string[] = [];
  const deliverPrefixes: string[] = [];
  const apiPrefixes: string[] = [];
  const addExternal = (source: StreamSource): void => {
    if (source.external === undefined) return;
    if (source.external.deliver !== '') deliverPrefixes.push(source.external.deliver);
    if (source.external.api !== '') apiPrefixes.push(source.external.api);
  };
  const filterOverlaps = (filter: string | undefined, subjects: readonly string[]): boolean =>
    filter === undefined || subjects.length === 0 || subjects.some((subject) => subjectsCollide(subject, filter));

  let mirrorDirect = cfg.mirror_direct;
  if (cfg.mirror !== undefined) {
    if (cfg.subjects.length > 0) return { error: jsError('MirrorWithSubjects') };
    if (cfg.sources.length > 0) return { error: jsError('MirrorWithSources') };
    // The origin need not exist; when it does, its limits and subjects are checked.
    const origin = lookup(cfg.mirror.name);
    if (origin !== undefined) {
      originSubjects.push(...(origin.subjects ?? []));
      if (maxMsgSize > 0 && origin.max_msg_size > 0 && maxMsgSize < origin.max_msg_size) return { error: jsError('MirrorMaxMessageSizeTooBig') };
      if (!filterOverlaps(cfg.mirror.filter_subject, origin.subjects ?? [])) {
        return invalidConfig(
          `mirror '${cfg.mirror.name}' filter subject '${cfg.mirror.filter_subject}' does not overlap with any origin stream subject`,
        );
      }
      // A mirror serves direct gets when its origin does.
      mirrorDirect = origin.allow_direct;
    }
    addExternal(cfg.mirror);
  }
  for (const source of cfg.sources) {
    const origin = lookup(source.name);
    if (origin !== undefined) {
      originSubjects.push(...(origin.subjects ?? []));
      if (maxMsgSize > 0 && origin.max_msg_size > 0 && maxMsgSize < origin.max_msg_size) return { error: jsError('SourceMaxMessageSizeTooBig') };
      // As nats-server 2.9.10, against the subjects of all origins so far, not this one's alone.
      if (!filterOverlaps(source.filter_subject, originSubjects)) {
        return invalidConfig(`source '${source.name}' filter subject '${source.filter_subject}' does not overlap with any origin stream subject`);
      }
    }
    addExternal(source);
  }
  for (const prefix of deliverPrefixes) {
    if (!isValidPublishSubject(prefix)) return { error: jsError('StreamInvalidExternalDeliverySubj', { prefix }) };
    for (const subject of originSubjects) {
      if (subjectsCollide(subject, `${prefix}.${subject}`)) return { error: jsError('StreamExternalDelPrefixOverlaps', { prefix, subject }) };
    }
  }
  for (const prefix of apiPrefixes) {
    if (!isValidPublishSubject(prefix)) {
      return invalidConfig(`stream external api prefix ${quote(prefix)} must be a valid subject without wildcards`);
    }
    if (subjectsCollide(prefix, JS_API_PREFIX)) return { error: jsError('StreamExternalApiOverlap', { prefix, subject: JS_API_PREFIX }) };
  }
  if (formsSourceCycle(cfg, lookup)) return invalidConfig('detected cycle');

  let subjects: string[] | undefined = cfg.subjects;
  if (subjects.length === 0) {
    subjects = cfg.mirror === undefined && cfg.sources.length === 0 ? [cfg.name] : undefined;
  } else {
    const seen = new Set<string>();
    for (const subject of subjects) {
      if (seen.has(subject)) return invalidConfig('duplicate subjects detected');
      if (subjectIsSubsetMatch(subject, `${JS_API_PREFIX}.>`)) return invalidConfig('subjects overlap with jetstream api');
      if (!isValidSubject(subject)) return invalidConfig('invalid subject');
      seen.add(subject);
    }
  }

  const maxBytes = unlimitedIfZero(cfg.max_bytes);
  const limits = context.accountLimits;
  if (limits !== undefined) {
    const streamBytesLimit = storage === 'memory' ? limits.memory_max_stream_bytes : limits.storage_max_stream_bytes;
    if (limits.max_bytes_required && maxBytes <= 0) return { error: jsError('StreamMaxBytesRequired') };
    if (streamBytesLimit > 0 && maxBytes > streamBytesLimit) return { error: jsError('StreamMaxStreamBytesExceeded') };
  }

  for (const subject of subjects ?? []) {
    for (const other of subjects ?? []) {
      if (other !== subject && subjectsCollide(other, subject)) return invalidConfig(`subject ${quote(subject)} overlaps with ${quote(other)}`);
    }
  }

  let republish = cfg.republish;
  if (republish !== undefined) {
    const { src = '>', dest } = republish;
    republish = { src, dest, ...(republish.headers_only === true ? { headers_only: true } : {}) };
    if (!(subjects ?? []).some((subject) => subjectsCollide(src, subject))) {
      return invalidConfig('stream configuration for republish source is not valid subset of subjects');
    }
    if ((subjects ?? []).some((subject) => subjectsCollide(dest, subject))) {
      return invalidConfig('stream configuration for republish destination forms a cycle');
    }
    if (!isValidSubjectTransform(src, dest)) return invalidConfig('stream configuration for republish not valid');
  }

  // nats-server's StreamConfig field order; the optional keys are its omitempty fields.
  const config: StreamConfig = {
    name: cfg.name,
    ...(cfg.description !== '' ? { description: cfg.description } : {}),
    ...(subjects !== undefined ? { subjects } : {}),
    retention: cfg.retention,
    max_consumers: unlimitedIfZero(cfg.max_consumers),
    max_msgs: unlimitedIfZero(cfg.max_msgs),
    max_bytes: maxBytes,
    max_age: cfg.max_age,
    max_msgs_per_subject: maxMsgsPerSubject,
    max_msg_size: maxMsgSize,
    discard: cfg.discard,
    storage,
    num_replicas: replicas,
    ...(cfg.no_ack ? { no_ack: true } : {}),
    ...(cfg.template_owner !== '' ? { template_owner: cfg.template_owner } : {}),
    ...(duplicateWindow !== 0 ? { duplicate_window: duplicateWindow } : {}),
    ...(cfg.placement !== undefined ? { placement: cfg.placement } : {}),
    ...(cfg.mirror !== undefined ? { mirror: cfg.mirror } : {}),
    ...(cfg.sources.length > 0 ? { sources: cfg.sources } : {}),
    ...(republish !== undefined ? { republish } : {}),
    allow_direct: cfg.allow_direct,
    mirror_direct: mirrorDirect,
    ...(cfg.discard_new_per_subject ? { discard_new_per_subject: true } : {}),
    sealed: cfg.sealed,
    deny_delete: cfg.deny_delete,
    deny_purge: cfg.deny_purge,
    allow_rollup_hdrs: cfg.allow_rollup_hdrs,
  };
  return { config };
}

/**
 * nats-server's walk over the local (non-external) sources and mirrors reachable from the
 * new config. Like it, this reports a stream reached twice as a cycle, even along two paths
 * that do not loop.
 */
function formsSourceCycle(cfg: DecodedStreamConfig, lookup: (name: string) => StreamConfig | undefined): boolean {
  const toVisit: { name: string; mirror?: StreamSource | undefined; sources?: StreamSource[] | undefined }[] = [cfg];
  const visited = new Set<string>();
  for (let next = toVisit.shift(); next !== undefined; next = toVisit.shift()) {
    visited.add(next.name);
    const upstream = [...(next.sources ?? []), ...(next.mirror === undefined ? [] : [next.mirror])];
    for (const source of upstream) {
      if (source.external !== undefined) continue;
      if (visited.has(source.name)) return true;
      const origin = lookup(source.name);
      if (origin !== undefined) toVisit.push(origin);
    }
  }
  return false;
}

/**
 * nats-server's refusal of an update from `current` to `next` (both parsed configs), in its
 * order and words; undefined when 2.9.10 allows it. Account limits are the caller's.
 */
export function checkStreamUpdate(current: StreamConfig, next: StreamConfig): JsApiError | undefined {
  const refuse = (text: string): JsApiError => jsError('StreamInvalidConfig', { err: text });
  if (next.name !== current.name) return refuse('stream configuration name must match original');
  if (next.max_consumers !== current.max_consumers) return refuse('stream configuration update can not change MaxConsumers');
  if (next.storage !== current.storage) return refuse('stream configuration update can not change storage type');
  if (next.retention !== current.retention) return refuse('stream configuration update can not change retention policy');
  if (current.template_owner !== undefined) return refuse('stream configuration update not allowed on template owned stream');
  if (next.template_owner !== undefined) return refuse('stream configuration update can not be owned by a template');
  if (current.sealed && !next.sealed) return refuse('stream configuration update can not unseal a sealed stream');
  if (current.deny_delete && !next.deny_delete) return refuse('stream configuration update can not cancel deny message deletes');
  if (current.deny_purge && !next.deny_purge) return refuse('stream configuration update can not cancel deny purge');
  if (!sameJson(current.mirror, next.mirror)) return jsError('StreamMirrorNotUpdatable');
  if (!sameJson(current.republish, next.republish)) return refuse('stream configuration update can not change RePublish');
  return undefined;
}

/**
 * The config a stream has after an allowed update: `next`, and when it seals the stream, the
 * settings nats-server forces on a sealed stream (no age limit, discard new, no deletes, no
 * purges, no roll-ups). The error is {@link checkStreamUpdate}'s.
 */
export function updatedStreamConfig(current: StreamConfig, next: StreamConfig): StreamConfigResult {
  const error = checkStreamUpdate(current, next);
  if (error !== undefined) return { error };
  if (!next.sealed) return { config: next };
  return { config: { ...next, max_age: 0, discard: 'new', deny_delete: true, deny_purge: true, allow_rollup_hdrs: false } };
}

/**
 * Whether two parsed configs are the same (what lets STREAM.CREATE of an existing stream
 * succeed). Key order does not matter; an absent key equals an undefined one.
 */
export function sameStreamConfig(a: StreamConfig, b: StreamConfig): boolean {
  return sameJson(a, b);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    if (!sameJson(left[key], right[key])) return false;
  }
  return true;
}
