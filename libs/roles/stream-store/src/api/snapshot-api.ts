// STREAM.SNAPSHOT and STREAM.RESTORE as nats-server 2.9 serves them and jsm.go (`nats stream
// backup` / `nats stream restore`) drives them. The JSON of the exchange:
//
// Snapshot. The client subscribes a deliver subject (an inbox) and asks
//   $JS.API.STREAM.SNAPSHOT.<stream>
//     {"deliver_subject":"<inbox>","no_consumers":true,"chunk_size":131072,"window_size":8388608,"jsck":false}
//   -> {"type":"io.nats.jetstream.api.v1.stream_snapshot_response","config":{...},"state":{...}}
// then the chunks come to the inbox, each with the reply `$JS.SNAPSHOT.ACK.<stream>.<id>.<size>.<n>`
// (its size and its number from 1) that the client answers with an empty message; at most
// window_size / chunk_size chunks are unanswered at a time. The end is an empty message without
// a reply: no header when the snapshot is whole (as 2.9), else a status header as later
// nats-server versions send (`NATS/1.0 408 No Interest`, `408 No Flow Response`, `500 <error>`).
// jsm.go keeps the response's config and state as backup.json, the chunks as the data file.
//
// Restore. The client sends backup.json back:
//   $JS.API.STREAM.RESTORE.<stream>  {"config":{...},"state":{...}}
//   -> {"type":"io.nats.jetstream.api.v1.stream_restore_response","deliver_subject":"$JS.SNAPSHOT.RESTORE.<stream>.<id>"}
// then requests each chunk of the data file to that subject, each answered by an empty message,
// and last an empty message, answered by
//   {"type":"io.nats.jetstream.api.v1.stream_create_response","config":{...},"created":"...","state":{...}}
// or that type with an "error". A restore without a chunk for 5 seconds is dropped.
import { GoJsonError, goArray, goBool, goField, goInt, goObject, goString, goUint64, parseGoJson, type GoJsonObject, type GoJsonValue } from './go-json-decode.js';
import { jsError, type JsApiError } from './js-errors.js';
import { parseRfc3339WithOffset } from './time.js';
import { parseStreamConfigValue, type StreamConfig, type StreamConfigContext } from '../streams/stream-config.js';
import { isValidPublishSubject } from '../streams/subjects.js';

/** nats-server's defaults, and the bounds later versions clamp a request's values to. */
export const DEFAULT_CHUNK_SIZE = 128 * 1024;
export const DEFAULT_WINDOW_SIZE = 8 * 1024 * 1024;
const MIN_CHUNK_SIZE = 1024;
const MAX_CHUNK_SIZE = 1024 * 1024;
const MIN_WINDOW_SIZE = 1024;
const MAX_WINDOW_SIZE = 32 * 1024 * 1024;

export const SNAPSHOT_ACK_PREFIX = '$JS.SNAPSHOT.ACK';
export const RESTORE_DELIVER_PREFIX = '$JS.SNAPSHOT.RESTORE';

const TYPE_PREFIX = 'io.nats.jetstream.api.v1.';

export interface SnapshotRequest {
  /** As JSON text (UTF-8). */
  readonly deliverSubject: string;
  readonly chunkSize: number;
  /** How many chunks may be sent and not acked yet (window size / chunk size, at least 1). */
  readonly maxInflight: number;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** nats-server's isEmptyRequest: no body, or a JSON object without members (`{}`). */
export function isEmptyRequest(body: Uint8Array): boolean {
  if (body.length === 0) return true;
  try {
    const value = parseGoJson(utf8.decode(body));
    return value instanceof Map && value.size === 0;
  } catch {
    return false;
  }
}

function parseObject(body: Uint8Array): GoJsonObject {
  // A `null` body leaves every field at its zero value.
  return goObject(parseGoJson(utf8.decode(body))) ?? new Map();
}

/** A snapshot request's JSON (already known not to be empty). */
export function parseSnapshotRequest(body: Uint8Array): SnapshotRequest | { error: JsApiError } {
  let deliverSubject: string;
  let chunkSize: number;
  let windowSize: number;
  try {
    const object = parseObject(body);
    deliverSubject = goString(goField(object, 'deliver_subject'));
    goBool(goField(object, 'no_consumers'));
    goBool(goField(object, 'jsck'));
    chunkSize = goInt(goField(object, 'chunk_size'), 64);
    windowSize = goInt(goField(object, 'window_size'), 64);
  } catch (error) {
    if (error instanceof GoJsonError) return { error: jsError('InvalidJSON') };
    throw error;
  }
  // 2.9.10 takes wildcards here too; publishing chunks to one makes no sense (later versions refuse it).
  if (!isValidPublishSubject(deliverSubject)) return { error: jsError('SnapshotDeliverSubjectInvalid') };
  chunkSize = clamp(chunkSize === 0 ? DEFAULT_CHUNK_SIZE : chunkSize, MIN_CHUNK_SIZE, MAX_CHUNK_SIZE);
  windowSize = Math.max(clamp(windowSize === 0 ? DEFAULT_WINDOW_SIZE : windowSize, MIN_WINDOW_SIZE, MAX_WINDOW_SIZE), chunkSize);
  return { deliverSubject, chunkSize, maxInflight: Math.floor(windowSize / chunkSize) };
}

/**
 * A restore request's JSON (already known not to be empty): its config checked as a restore
 * checks it. The state is only checked for its types (nats-server decodes it and ignores it).
 */
export function parseRestoreRequest(body: Uint8Array, nameInSubject: string, context: StreamConfigContext): { config: StreamConfig } | { error: JsApiError } {
  let config: GoJsonValue | undefined;
  try {
    const object = parseObject(body);
    config = goField(object, 'config');
    checkStreamState(goObject(goField(object, 'state')));
  } catch (error) {
    if (error instanceof GoJsonError) return { error: jsError('InvalidJSON') };
    throw error;
  }
  return parseStreamConfigValue(config, nameInSubject, { ...context, action: 'restore' });
}

/** Throws GoJsonError where Go could not decode a StreamState. */
function checkStreamState(state: GoJsonObject | undefined): void {
  if (state === undefined) return;
  const field = (name: string): GoJsonValue | undefined => goField(state, name);
  for (const name of ['messages', 'bytes', 'first_seq', 'last_seq']) goUint64(field(name));
  for (const name of ['num_subjects', 'num_deleted', 'consumer_count']) goInt(field(name), 64);
  for (const name of ['first_ts', 'last_ts']) checkTime(field(name));
  for (const seq of goArray(field('deleted')) ?? []) goUint64(seq);
  for (const count of goObject(field('subjects'))?.values() ?? []) goUint64(count);
  const lost = goObject(field('lost'));
  if (lost !== undefined) {
    for (const seq of goArray(goField(lost, 'msgs')) ?? []) goUint64(seq);
    goUint64(goField(lost, 'bytes'));
  }
}

/** A time.Time: null, or an RFC 3339 string. */
function checkTime(value: GoJsonValue | undefined): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || parseRfc3339WithOffset(value) === undefined) throw new GoJsonError('not an RFC 3339 time');
}

/** The last answer of a restore (to its empty message): the new stream's info, or the error. */
export function restoreResult(outcome: { info: Record<string, unknown> } | { error: JsApiError }): Record<string, unknown> {
  const type = `${TYPE_PREFIX}stream_create_response`;
  return 'error' in outcome ? { type, error: outcome.error } : { type, ...outcome.info };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
