import { GoJsonNumber, goField, parseGoJson, type GoJsonObject, type GoJsonValue } from '../api/go-json-decode.js';
import { goJsonSyntaxError } from '../api/go-json-syntax.js';

/** One CONSUMER.MSG.NEXT request waiting for messages on its reply subject. */
export class PullRequest {
  delivered = 0;
  bytes = 0;
  done = false;
  /** When a message or heartbeat last went to it (ms): its idle heartbeat counts from there. */
  lastSentMs = Date.now();
  expiryTimer: NodeJS.Timeout | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly reply: string,
    readonly batch: number,
    /** 0: no expiry; below 0: expired already. */
    readonly expiresNs: number,
    readonly noWait: boolean,
    /** 0: no byte limit. */
    readonly maxBytes: number,
    readonly heartbeatNs: number,
  ) {}

  stopTimers(): void {
    this.done = true;
    clearTimeout(this.expiryTimer);
    clearTimeout(this.heartbeatTimer);
  }
}

const REQUEST_TYPE = 'JSApiConsumerGetNextRequest';

/**
 * A pull request's body as nats-server's nextReqFromMsg reads it: empty (one message, no
 * expiry), JSON `{expires, batch, max_bytes, no_wait, idle_heartbeat}` when it starts with `{`,
 * else a number (the batch) or anything else (one message). A string is the status line to
 * answer instead, with Go's words for a body it cannot decode.
 */
export function parsePullRequest(body: Uint8Array, reply: string): PullRequest | string {
  let from = 0;
  let to = body.length;
  while (from < to && isSpace(body[from]!)) from++;
  while (to > from && isSpace(body[to - 1]!)) to--;
  const bytes = body.subarray(from, to);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (!text.startsWith('{')) {
    const batch = /^[+-]?\d+$/.test(text) ? Number(text) : 1;
    return new PullRequest(reply, Math.max(1, batch), 0, false, 0, 0);
  }
  const syntax = goJsonSyntaxError(bytes);
  if (syntax !== undefined) return `400 Bad Request - ${syntax}`;
  const object = parseGoJson(text) as GoJsonObject;
  let typeError: string | undefined;
  const int = (field: string, goType: string): number => {
    const value = goField(object, field);
    const error = intError(value);
    if (error === undefined) return value instanceof GoJsonNumber ? Number(value.literal) : 0;
    typeError ??= `json: cannot unmarshal ${error} into Go struct field ${REQUEST_TYPE}.${field} of type ${goType}`;
    return 0;
  };
  const expiresNs = int('expires', 'time.Duration');
  const batch = int('batch', 'int');
  const maxBytes = int('max_bytes', 'int');
  const noWaitValue = goField(object, 'no_wait');
  if (noWaitValue !== undefined && noWaitValue !== null && typeof noWaitValue !== 'boolean') {
    typeError ??= `json: cannot unmarshal ${jsonKind(noWaitValue)} into Go struct field ${REQUEST_TYPE}.no_wait of type bool`;
  }
  const heartbeatNs = int('idle_heartbeat', 'time.Duration');
  if (typeError !== undefined) return `400 Bad Request - ${typeError}`;
  if (heartbeatNs > 0 && heartbeatNs * 2 > expiresNs) return '400 Bad Request - heartbeat value too large';
  return new PullRequest(reply, Math.max(1, batch), expiresNs, noWaitValue === true, Math.max(0, maxBytes), Math.max(0, heartbeatNs));
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Why a value does not decode into a Go int64 (as UnmarshalTypeError names it), or undefined. */
function intError(value: GoJsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof GoJsonNumber)) return jsonKind(value);
  if (!/^-?[0-9]+$/.test(value.literal)) return `number ${value.literal}`;
  const n = BigInt(value.literal);
  if (n < -(1n << 63n) || n >= 1n << 63n) return `number ${value.literal}`;
  return undefined;
}

function jsonKind(value: GoJsonValue): string {
  if (value instanceof GoJsonNumber) return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}
