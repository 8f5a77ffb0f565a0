import type { OutboundBuffer } from './outbound.js';
import { writeServerMsg } from './route-encode.js';

const SPACE = ' ';

/** `LS+ <subject>\r\n`, or `LS+ <subject> <queue> <weight>\r\n` for a queue group. */
export function writeLeafSub(out: OutboundBuffer, subject: string, queue: string | undefined, weight: number): void {
  out.writeLatin1('LS+ ');
  out.writeLatin1(subject);
  if (queue !== undefined) {
    out.writeLatin1(SPACE);
    out.writeLatin1(queue);
    out.writeLatin1(SPACE);
    out.writeDecimal(weight);
  }
  out.writeCrlf();
}

/** `LS- <subject>[ <queue>]\r\n` */
export function writeLeafUnsub(out: OutboundBuffer, subject: string, queue: string | undefined): void {
  out.writeLatin1('LS- ');
  out.writeLatin1(subject);
  if (queue !== undefined) {
    out.writeLatin1(SPACE);
    out.writeLatin1(queue);
  }
  out.writeCrlf();
}

/**
 * A message over a leaf node connection, as nats-server 2.9 writes it (no account: the
 * connection is bound to one): `LMSG <subject> [reply] <size>`, with queue groups
 * `LMSG <subject> + <reply> <q>... <size>` or `LMSG <subject> | <q>... <size>`, and
 * `HMSG ... <header size> <total size>` when `header` is given.
 */
export function writeLeafMsg(
  out: OutboundBuffer,
  subject: string,
  reply: string | undefined,
  queues: readonly string[] | undefined,
  header: Uint8Array | undefined,
  payload: Uint8Array,
): void {
  writeServerMsg(out, header !== undefined ? 'HMSG ' : 'LMSG ', undefined, subject, reply, queues, header, payload);
}

/**
 * Leaf INFO and CONNECT frames are the route ones: as nats-server 2.9, the INFO a hub sends first
 * and the one that completes the handshake end with a space before CRLF; later updates do not.
 */
export { encodeRouteInfo as encodeLeafInfo, encodeRouteConnect as encodeLeafConnect } from './route-encode.js';
