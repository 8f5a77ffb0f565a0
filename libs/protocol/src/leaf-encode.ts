import type { OutboundBuffer } from './outbound.js';

const CRLF: Buffer = Buffer.from('\r\n', 'latin1');
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
  out.writeBytes(CRLF);
}

/** `LS- <subject>[ <queue>]\r\n` */
export function writeLeafUnsub(out: OutboundBuffer, subject: string, queue: string | undefined): void {
  out.writeLatin1('LS- ');
  out.writeLatin1(subject);
  if (queue !== undefined) {
    out.writeLatin1(SPACE);
    out.writeLatin1(queue);
  }
  out.writeBytes(CRLF);
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
  out.writeLatin1(header !== undefined ? 'HMSG ' : 'LMSG ');
  out.writeLatin1(subject);
  out.writeLatin1(SPACE);
  const hasReply = reply !== undefined && reply.length > 0;
  if (queues !== undefined && queues.length > 0) {
    out.writeLatin1(hasReply ? '+ ' : '| ');
    if (hasReply) {
      out.writeLatin1(reply);
      out.writeLatin1(SPACE);
    }
    for (let i = 0; i < queues.length; i++) {
      out.writeLatin1(queues[i]!);
      out.writeLatin1(SPACE);
    }
  } else if (hasReply) {
    out.writeLatin1(reply);
    out.writeLatin1(SPACE);
  }
  if (header !== undefined) {
    out.writeDecimal(header.length);
    out.writeLatin1(SPACE);
    out.writeDecimal(header.length + payload.length);
    out.writeBytes(CRLF);
    out.writeBytes(header);
  } else {
    out.writeDecimal(payload.length);
    out.writeBytes(CRLF);
  }
  out.writeBytes(payload);
  out.writeBytes(CRLF);
}

/**
 * A leaf INFO. As nats-server 2.9, the INFO a hub sends first and the one that completes the
 * handshake end with a space before CRLF; later updates do not.
 */
export function encodeLeafInfo(info: object, handshake: boolean): Buffer {
  return Buffer.from(`INFO ${JSON.stringify(info)}${handshake ? ' ' : ''}\r\n`, 'utf8');
}

/** `CONNECT <json>\r\n`, as a soliciting leaf sends it. */
export function encodeLeafConnect(connect: object): Buffer {
  return Buffer.from(`CONNECT ${JSON.stringify(connect)}\r\n`, 'utf8');
}
