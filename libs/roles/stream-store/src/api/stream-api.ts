import { subjectsCollide } from '@nats-ts/routing';
import type { JetStreamAccount } from '../js-account.js';
import type { StoredMessage } from '../store/stream-store.js';
import { parseStreamConfig, sameStreamConfig, updatedStreamConfig, type StreamConfig, type StreamConfigContext } from '../streams/stream-config.js';
import type { Stream } from '../streams/stream.js';
import { goJson } from './go-json.js';
import { ApiFailure, fail, type Outcome } from './api-failure.js';
import { consumerRequest } from './consumer-api.js';
import { jsError, type JsApiError } from './js-errors.js';
import type { RemoteStream } from './remote-stream.js';
import { isEmptyRequest, parseRestoreRequest, parseSnapshotRequest, type SnapshotRequest } from './snapshot-api.js';
import { rfc3339Nano } from './time.js';

/** An answer to an API request: JSON, a stored message with headers (DIRECT.GET), or a status. */
export type ApiReply = { readonly json: Record<string, unknown> } | { readonly header: string; readonly payload: Uint8Array };

/** nats-server's page sizes. */
const NAMES_LIMIT = 1024;
const LIST_LIMIT = 256;
const SUBJECT_DETAILS_LIMIT = 100_000;

const TYPE_PREFIX = 'io.nats.jetstream.api.v1.';

/** What the API reads of the server besides the account, and the snapshot transfers it starts. */
export interface ApiServer {
  readonly domain: string | undefined;
  /**
   * Starts sending a snapshot of `stream` once this answer is out; the state it is of (as the
   * response's JSON), or why it cannot.
   */
  startSnapshot(account: JetStreamAccount, stream: Stream, request: SnapshotRequest): { state: Record<string, unknown> } | { error: JsApiError };
  /** Opens a restore of `config`: the subject its chunks go to (as JSON text), or why not. */
  startRestore(account: JetStreamAccount, config: StreamConfig): { deliverSubject: string } | { error: JsApiError };
}

/**
 * nats-server 2.9's JetStream API for accounts and streams: `tokens` are the subject's tokens
 * after `$JS.API` (or `$JS.<domain>.API`). Undefined means no answer at all, as nats-server
 * gives for subjects it does not serve (an unknown verb, DIRECT.GET without allow_direct).
 * `remote`: the account's streams other servers serve (from Redis), counted and listed in the
 * account-wide answers beside the account's own.
 */
export function handleApiRequest(
  server: ApiServer,
  account: JetStreamAccount | undefined,
  tokens: readonly string[],
  body: Uint8Array,
  remote: readonly RemoteStream[] = [],
): ApiReply | undefined {
  const verb = tokens[0];
  if (verb === 'INFO' && tokens.length === 1) return respond(account, 'account_info_response', () => accountInfo(server, account!, remote));
  if (verb === 'STREAM') return streamRequest(server, account, tokens, body, remote);
  if (verb === 'DIRECT' && tokens[1] === 'GET' && tokens.length >= 3) return directGet(account, tokens, body);
  if (verb === 'CONSUMER') {
    const request = consumerRequest(tokens, body);
    return request === undefined ? undefined : respond(account, request.type, () => request.handle(account!), request.errorExtras);
  }
  return undefined;
}

function streamRequest(server: ApiServer, account: JetStreamAccount | undefined, tokens: readonly string[], body: Uint8Array, remote: readonly RemoteStream[]): ApiReply | undefined {
  const op = tokens[1];
  const name = tokens[2];
  if (tokens.length === 2) {
    if (op === 'NAMES') return respond(account, 'stream_names_response', () => streamNames(account!, body, remote), { total: 0, offset: 0, limit: 0, streams: null });
    if (op === 'LIST') return respond(account, 'stream_list_response', () => streamList(account!, body, remote), { total: 0, offset: 0, limit: 0, streams: [] });
    return undefined;
  }
  if (op === 'LEADER' && name === 'STEPDOWN' && tokens.length === 4) {
    // A single server has no leader to step down, and says so as nats-server does.
    return respond(account, 'stream_leader_stepdown_response', () => fail(jsError('ClusterRequired')));
  }
  if (op === 'MSG' && tokens.length === 4) {
    const stream = tokens[3]!;
    if (name === 'GET') return respond(account, 'stream_msg_get_response', () => messageGet(account!, stream, body));
    if (name === 'DELETE') return respond(account, 'stream_msg_delete_response', () => messageDelete(account!, stream, body));
    return undefined;
  }
  if (tokens.length !== 3 || name === undefined) return undefined;
  switch (op) {
    case 'CREATE':
      return respond(account, 'stream_create_response', () => streamCreate(account!, name, body));
    case 'UPDATE':
      return respond(account, 'stream_update_response', () => streamUpdate(account!, name, body));
    case 'INFO':
      return respond(account, 'stream_info_response', () => streamInfo(account!, name, body), { total: 0, offset: 0, limit: 0 });
    case 'DELETE':
      return respond(account, 'stream_delete_response', () => streamDelete(account!, name, body));
    case 'PURGE':
      return respond(account, 'stream_purge_response', () => streamPurge(account!, name, body));
    case 'SNAPSHOT':
      return respond(account, 'stream_snapshot_response', () => streamSnapshot(server, account!, name, body));
    case 'RESTORE':
      return respond(account, 'stream_restore_response', () => streamRestore(server, account!, name, body), { deliver_subject: '' });
  }
  return undefined;
}


/**
 * The response of `type`: the handler's fields after `type`, or `error` and the fields
 * nats-server keeps beside it (paging). Counts the request in the account's API stats.
 */
function respond(account: JetStreamAccount | undefined, type: string, handler: () => Outcome, errorExtras: Record<string, unknown> = {}): ApiReply {
  const outcome = account === undefined ? fail(jsError('NotEnabledForAccount')) : handler();
  if (outcome instanceof ApiFailure) {
    if (account !== undefined) {
      account.apiTotal++;
      account.apiErrors++;
    }
    return { json: { type: TYPE_PREFIX + type, error: outcome.error, ...errorExtras } };
  }
  const json = { type: TYPE_PREFIX + type, ...outcome };
  account!.apiTotal++;
  return { json };
}

/** The request body as JSON: `{}` for an empty body, undefined when it is not JSON. */
function parseBody(body: Uint8Array): Record<string, unknown> | undefined {
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function integerField(request: Record<string, unknown>, key: string): number {
  const value = request[key];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

function stringField(request: Record<string, unknown>, key: string): string {
  const value = request[key];
  return typeof value === 'string' ? value : '';
}

// ---- account ----

function accountInfo(server: ApiServer, account: JetStreamAccount, remote: readonly RemoteStream[]): Outcome {
  const l = account.limits;
  let storage = account.used.file;
  let consumers = account.consumerCount();
  for (const stream of remote) {
    storage += stream.bytes;
    consumers += stream.consumers;
  }
  const out: Record<string, unknown> = {
    memory: account.used.memory,
    storage,
    streams: account.streams.size + remote.length,
    consumers,
    limits: {
      max_memory: l.maxMemory,
      max_storage: l.maxStore,
      max_streams: l.maxStreams,
      max_consumers: l.maxConsumers,
      max_ack_pending: l.maxAckPending,
      memory_max_stream_bytes: l.memoryMaxStreamBytes,
      storage_max_stream_bytes: l.storeMaxStreamBytes,
      max_bytes_required: l.maxBytesRequired,
    },
  };
  if (server.domain !== undefined) out.domain = server.domain;
  out.api = { total: account.apiTotal, errors: account.apiErrors };
  return out;
}

// ---- streams ----

/** StreamInfo's fields as nats-server writes them after the response's own. */
function streamInfoFields(account: JetStreamAccount, stream: Stream, options: { subjectsFilter?: string; deletedDetails?: boolean } = {}): Record<string, unknown> {
  const info = stream.info(options);
  if (account.domain !== undefined) info.domain = account.domain;
  const sourcing = stream.sourcing;
  if (sourcing !== undefined) {
    const mirror = sourcing.mirrorInfo();
    if (mirror !== undefined) info.mirror = mirror;
    const sources = sourcing.sourcesInfo();
    if (sources.length > 0) info.sources = sources;
  }
  return info;
}

/** What config parsing checks against the account: its other streams and its limits. */
function configContext(account: JetStreamAccount, action: 'create' | 'update' | 'restore'): StreamConfigContext {
  const l = account.limits;
  return {
    action,
    streamConfig: (other) => account.streams.get(other)?.config,
    redisStore: account.storesInRedis,
    accountLimits: { max_bytes_required: l.maxBytesRequired, memory_max_stream_bytes: l.memoryMaxStreamBytes, storage_max_stream_bytes: l.storeMaxStreamBytes },
  };
}

function streamCreate(account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  const parsed = parseStreamConfig(body, name, configContext(account, 'create'));
  if ('error' in parsed) return fail(parsed.error);
  const created = account.createStream(parsed.config, sameStreamConfig);
  if ('error' in created) return fail(created.error);
  // nats-server's create response leaves the domain out (info, list and update name it).
  return { ...created.stream.info(), did_create: true };
}

function streamUpdate(account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  const parsed = parseStreamConfig(body, name, configContext(account, 'update'));
  if ('error' in parsed) return fail(parsed.error);
  const stream = account.streams.get(name);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const updated = updatedStreamConfig(stream.config, parsed.config);
  if ('error' in updated) return fail(updated.error);
  const refusal = account.updateStream(stream, updated.config);
  if (refusal !== undefined) return fail(refusal);
  return streamInfoFields(account, stream);
}

function streamInfo(account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  const request = parseBody(body);
  if (request === undefined) return fail(jsError('InvalidJSON'));
  const stream = account.streams.get(name);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const filter = stringField(request, 'subjects_filter');
  const deletedDetails = request.deleted_details === true;
  if (filter === '') return { total: 0, offset: 0, limit: 0, ...streamInfoFields(account, stream, { deletedDetails }) };
  const info = streamInfoFields(account, stream, { subjectsFilter: filter, deletedDetails });
  const state = info.state as Record<string, unknown>;
  const subjects = (state.subjects ?? {}) as Record<string, number>;
  const keys = Object.keys(subjects);
  const offset = Math.min(integerField(request, 'offset'), keys.length);
  if (state.subjects !== undefined && (offset > 0 || keys.length > SUBJECT_DETAILS_LIMIT)) {
    const page: Record<string, number> = {};
    for (const key of keys.slice(offset, offset + SUBJECT_DETAILS_LIMIT)) page[key] = subjects[key]!;
    state.subjects = page;
  }
  return { total: keys.length, offset, limit: SUBJECT_DETAILS_LIMIT, ...info };
}

function streamDelete(account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  if (body.length > 0) return fail(jsError('NotEmptyRequest'));
  const stream = account.streams.get(name);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  account.deleteStream(stream);
  return { success: true };
}

function streamPurge(account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  const stream = account.streams.get(name);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const request = parseBody(body);
  if (request === undefined) return fail(jsError('InvalidJSON'));
  const seq = integerField(request, 'seq');
  const keep = integerField(request, 'keep');
  if (seq > 0 && keep > 0) return fail(jsError('BadRequest'));
  if (stream.config.sealed) return fail(jsError('StreamSealed'));
  if (stream.config.deny_purge) return fail(jsError('StreamPurgeFailed', { err: 'stream purge not permitted' }));
  const filter = stringField(request, 'filter');
  const purged = stream.purge({
    ...(filter !== '' ? { filter } : {}),
    ...(seq > 0 ? { seq } : {}),
    ...(keep > 0 ? { keep } : {}),
  });
  return { success: true, purged };
}

/** nats-server's order: an empty request, the stream, the JSON, the deliver subject. */
function streamSnapshot(server: ApiServer, account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  if (isEmptyRequest(body)) return fail(jsError('BadRequest'));
  const stream = account.streams.get(name);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const request = parseSnapshotRequest(body);
  if ('error' in request) return fail(request.error);
  const started = server.startSnapshot(account, stream, request);
  if ('error' in started) return fail(started.error);
  return { config: stream.config, state: started.state };
}

/** nats-server's order: an empty request, the JSON and config, the limits, an existing stream. */
function streamRestore(server: ApiServer, account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  if (isEmptyRequest(body)) return fail(jsError('BadRequest'));
  const parsed = parseRestoreRequest(body, name, configContext(account, 'restore'));
  if ('error' in parsed) return fail(parsed.error);
  const refusal = account.restoreRefusal(parsed.config);
  if (refusal !== undefined) return fail(refusal);
  const started = server.startRestore(account, parsed.config);
  if ('error' in started) return fail(started.error);
  return { deliver_subject: started.deliverSubject };
}

/** nats-server 2.9 starts this one answer with no list: null, not [], when no stream is on the page. */
function streamNames(account: JetStreamAccount, body: Uint8Array, remote: readonly RemoteStream[]): Outcome {
  const request = parseBody(body);
  if (request === undefined) return fail(jsError('InvalidJSON'));
  const matched = filteredStreams(account, remote, stringField(request, 'subject'));
  const offset = Math.min(integerField(request, 'offset'), matched.length);
  const page = matched.slice(offset, offset + NAMES_LIMIT).map((s) => s.name);
  return { total: matched.length, offset, limit: NAMES_LIMIT, streams: page.length > 0 ? page : null };
}

function streamList(account: JetStreamAccount, body: Uint8Array, remote: readonly RemoteStream[]): Outcome {
  const request = parseBody(body);
  if (request === undefined) return fail(jsError('InvalidJSON'));
  const matched = filteredStreams(account, remote, stringField(request, 'subject'));
  const offset = Math.min(integerField(request, 'offset'), matched.length);
  const page = matched.slice(offset, offset + LIST_LIMIT).map((s) => s.info());
  return { total: matched.length, offset, limit: LIST_LIMIT, streams: page };
}

/** A stream in STREAM.NAMES and STREAM.LIST: the account's own, or a remote one. */
interface ListedStream {
  readonly name: string;
  readonly config: StreamConfig;
  info(): Record<string, unknown>;
}

/** The account's streams and the remote ones, sorted by name; with a subject, those whose subjects collide with it. */
function filteredStreams(account: JetStreamAccount, remote: readonly RemoteStream[], subject: string): ListedStream[] {
  let streams: ListedStream[] = [...account.streams.values()].map((s) => ({ name: s.name, config: s.config, info: () => streamInfoFields(account, s) }));
  for (const r of remote) streams.push({ name: r.name, config: r.config, info: () => r.info });
  if (subject !== '') {
    streams = streams.filter((s) => {
      const subjects = s.config.subjects ?? [];
      return subjects.length === 0 ? subjectsCollide(subject, s.name) : subjects.some((x) => subjectsCollide(subject, x));
    });
  }
  return streams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---- messages ----

/** MSG.GET and DIRECT.GET's request: by sequence, last by subject, or next by subject from a sequence. */
function loadRequested(stream: Stream, request: Record<string, unknown>): StoredMessage | undefined | 'bad' {
  const seq = integerField(request, 'seq');
  const last = stringField(request, 'last_by_subj');
  const next = stringField(request, 'next_by_subj');
  if ((seq > 0 && last !== '') || (seq === 0 && last === '' && next === '') || (last !== '' && next !== '')) return 'bad';
  if (next !== '') return stream.store.loadNextMatching(next, seq);
  if (seq > 0) return stream.store.load(seq);
  return stream.store.loadLastMatching(last);
}

function messageGet(account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  if (body.length === 0) return fail(jsError('BadRequest'));
  const request = parseBody(body);
  if (request === undefined) return fail(jsError('InvalidJSON'));
  const stream = account.streams.get(name);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const msg = loadRequested(stream, request);
  if (msg === 'bad') return fail(jsError('BadRequest'));
  if (msg === undefined) return fail(jsError('NoMessageFound'));
  // Stored subjects are byte strings (latin1); JSON carries them as text.
  const message: Record<string, unknown> = { subject: Buffer.from(msg.subject, 'latin1').toString('utf8'), seq: msg.seq };
  if (msg.header.length > 0) message.hdrs = Buffer.from(msg.header).toString('base64');
  if (msg.data.length > 0) message.data = Buffer.from(msg.data).toString('base64');
  message.time = rfc3339Nano(msg.timeNs);
  return { message };
}

function messageDelete(account: JetStreamAccount, name: string, body: Uint8Array): Outcome {
  if (body.length === 0) return fail(jsError('BadRequest'));
  const request = parseBody(body);
  if (request === undefined) return fail(jsError('InvalidJSON'));
  const stream = account.streams.get(name);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  if (stream.config.sealed) return fail(jsError('StreamSealed'));
  if (stream.config.deny_delete) return fail(jsError('StreamMsgDeleteFailed', { err: 'message delete not permitted' }));
  const seq = integerField(request, 'seq');
  const removed = stream.removeMessage(seq, request.no_erase !== true);
  if (!removed) return fail(jsError('StreamMsgDeleteFailed', { err: 'no message found' }));
  return { success: true };
}

/**
 * DIRECT.GET: the stored message itself with its stream headers, or a status. Streams without
 * allow_direct (and unknown ones) get no answer, as nats-server has no subscription for them.
 */
function directGet(account: JetStreamAccount | undefined, tokens: readonly string[], body: Uint8Array): ApiReply | undefined {
  if (account === undefined) return undefined;
  const stream = account.directGetStream(tokens[2]!);
  if (stream === undefined) return undefined;
  let msg: StoredMessage | undefined | 'bad';
  if (tokens.length > 3) {
    // `$JS.API.DIRECT.GET.<stream>.<subject>`: the last message on that subject.
    if (body.length > 0) return status('408 Bad Request');
    msg = stream.store.loadLastMatching(tokens.slice(3).join('.'));
  } else {
    if (body.length === 0) return status('408 Empty Request');
    const request = parseBody(body);
    if (request === undefined) return status('408 Malformed Request');
    msg = loadRequested(stream, request);
    if (msg === 'bad') return status('408 Bad Request');
  }
  account.apiTotal++;
  if (msg === undefined) return status('404 Message Not Found');
  return { header: directHeader(stream.name, msg), payload: msg.data };
}

function status(line: string): ApiReply {
  return { header: `NATS/1.0 ${line}\r\n\r\n`, payload: new Uint8Array(0) };
}

/** The message's own headers, then the stream's, as nats-server adds them. */
function directHeader(stream: string, msg: StoredMessage): string {
  const own = msg.header.length > 0 ? Buffer.from(msg.header).toString('latin1').replace(/\r\n$/, '') : 'NATS/1.0\r\n';
  return `${own}Nats-Stream: ${stream}\r\nNats-Subject: ${msg.subject}\r\nNats-Sequence: ${msg.seq}\r\nNats-Time-Stamp: ${rfc3339Nano(msg.timeNs)}\r\n\r\n`;
}

/** Encodes a JSON reply as nats-server does (Go's escaping of `<`, `>`, `&`). */
export function encodeJsonReply(reply: { readonly json: Record<string, unknown> }): Buffer {
  return Buffer.from(goJson(reply.json), 'utf8');
}
