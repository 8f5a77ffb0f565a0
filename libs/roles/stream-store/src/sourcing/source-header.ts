import { createHash } from 'node:crypto';
import type { StreamSource } from '../streams/stream-config.js';

/** The header a sourced message gets: `<index name> <origin sequence>`. */
export const STREAM_SOURCE_HEADER = 'Nats-Stream-Source';

const HASH_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const NAME_PREFIX = Buffer.from(`\r\n${STREAM_SOURCE_HEADER}:`, 'latin1');
const STATUS_LINE = 'NATS/1.0\r\n';

/**
 * How a stream tells its sources apart, in its headers and its state: the origin's name, with
 * `:<hash of the API prefix>` for another domain's or account's stream (nats-server's iname),
 * so two sources of the same name behind different prefixes stay apart.
 */
export function sourceIndexName(source: StreamSource): string {
  return source.external === undefined ? source.name : `${source.name}:${nameHash(source.external.api)}`;
}

/** nats-server's 8-character hash of a name: the first bytes of its SHA-256, in base 62 digits. */
export function nameHash(name: string): string {
  const digest = createHash('sha256').update(name, 'utf8').digest();
  let out = '';
  for (let i = 0; i < 8; i++) out += HASH_DIGITS[digest[i]! % HASH_DIGITS.length];
  return out;
}

/**
 * `header` (a header block, or empty) with its Nats-Stream-Source line, if any, replaced by
 * one at the end saying `value` (a source of a source names only the last hop, as nats-server).
 */
export function withSourceHeader(header: Uint8Array, value: string): Buffer {
  let kept = Buffer.from(header.buffer, header.byteOffset, header.length);
  const at = kept.indexOf(NAME_PREFIX);
  if (at >= 0) {
    const lineEnd = kept.indexOf('\r\n', at + 2, 'latin1');
    if (lineEnd >= 0) kept = Buffer.concat([kept.subarray(0, at + 2), kept.subarray(lineEnd + 2)]);
  }
  // Without the closing CRLF (or a new status line when there is nothing else).
  const head = kept.length > STATUS_LINE.length + 2 ? kept.subarray(0, kept.length - 2) : Buffer.from(STATUS_LINE, 'latin1');
  const line = `${STREAM_SOURCE_HEADER}: ${value}\r\n\r\n`;
  const out = Buffer.allocUnsafe(head.length + Buffer.byteLength(line, 'utf8'));
  head.copy(out, 0);
  out.write(line, head.length, 'utf8');
  return out;
}

/**
 * The source and origin sequence a stored message's Nats-Stream-Source header names: the
 * `<index name> <seq>` form, or the older `$JS.ACK...` reply nats-server once stored.
 * Undefined when there is none, or it cannot be read.
 */
export function readSourceHeader(header: Uint8Array): { indexName: string; seq: number } | undefined {
  if (header.length === 0) return undefined;
  const block = Buffer.from(header.buffer, header.byteOffset, header.length);
  const at = block.indexOf(NAME_PREFIX);
  if (at < 0) return undefined;
  const lineEnd = block.indexOf('\r\n', at + 2, 'latin1');
  if (lineEnd < 0) return undefined;
  const value = block.toString('utf8', at + NAME_PREFIX.length, lineEnd).trim();
  if (value.startsWith('$JS.ACK.')) {
    const tokens = value.split('.');
    if (tokens.length !== 9) return undefined;
    const seq = sequence(tokens[5]!);
    return seq > 0 ? { indexName: tokens[2]!, seq } : undefined;
  }
  const fields = value.split(/\s+/);
  if (fields.length !== 2) return undefined;
  const seq = sequence(fields[1]!);
  return seq > 0 ? { indexName: fields[0]!, seq } : undefined;
}

/** A decimal sequence; 0 when the text is not one. */
function sequence(text: string): number {
  if (!/^[0-9]{1,16}$/.test(text)) return 0;
  const seq = Number(text);
  return Number.isSafeInteger(seq) ? seq : 0;
}
