import type { OutboundBuffer } from './outbound.js';

const SPACE = ' ';

/** `RS+ <account> <subject>\r\n`, or `RS+ <account> <subject> <queue> <weight>\r\n` for a queue group. */
export function writeRouteSub(out: OutboundBuffer, account: string, subject: string, queue: string | undefined, weight: number): void {
  out.writeLatin1('RS+ ');
  writeInterestKey(out, account, subject, queue);
  if (queue !== undefined) {
    out.writeLatin1(SPACE);
    out.writeDecimal(weight);
  }
  out.writeCrlf();
}

/** `RS- <account> <subject>[ <queue>]\r\n` */
export function writeRouteUnsub(out: OutboundBuffer, account: string, subject: string, queue: string | undefined): void {
  out.writeLatin1('RS- ');
  writeInterestKey(out, account, subject, queue);
  out.writeCrlf();
}

function writeInterestKey(out: OutboundBuffer, account: string, subject: string, queue: string | undefined): void {
  out.writeLatin1(account);
  out.writeLatin1(SPACE);
  out.writeLatin1(subject);
  if (queue !== undefined) {
    out.writeLatin1(SPACE);
    out.writeLatin1(queue);
  }
}

/**
 * A message for a route peer, as nats-server 2.9 writes it:
 * `RMSG <account> <subject> [reply] <size>`, with queue groups
 * `RMSG <account> <subject> + <reply> <q>... <size>` or `RMSG <account> <subject> | <q>... <size>`,
 * and `HMSG ... <header size> <total size>` when `header` is given (header block, then payload).
 */
export function writeRoutedMsg(
  out: OutboundBuffer,
  account: string,
  subject: string,
  reply: string | undefined,
  queues: readonly string[] | undefined,
  header: Uint8Array | undefined,
  payload: Uint8Array,
): void {
  writeServerMsg(out, header !== undefined ? 'HMSG ' : 'RMSG ', account, subject, reply, queues, header, payload);
}

/**
 * The message frame routes and leaf nodes share: `<verb> [account] <subject> [reply] <size>`,
 * with queue groups `... + <reply> <q>... <size>` or `... | <q>... <size>`, and the header size
 * before the total size when `header` is given. Leaf connections carry no account.
 */
export function writeServerMsg(
  out: OutboundBuffer,
  verb: string,
  account: string | undefined,
  subject: string,
  reply: string | undefined,
  queues: readonly string[] | undefined,
  header: Uint8Array | undefined,
  payload: Uint8Array,
): void {
  out.writeLatin1(verb);
  if (account !== undefined) {
    out.writeLatin1(account);
    out.writeLatin1(SPACE);
  }
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
    out.writeCrlf();
    out.writeBytes(header);
    out.writeBytes(payload);
    out.writeCrlf();
  } else {
    out.writeSizedPayload(payload, 0, payload.length);
  }
}

/**
 * A route INFO. nats-server 2.9 ends the first INFO of a route connection with a space before
 * CRLF (`INFO <json> \r\n`) and every later one (gossip, updates) without it.
 */
export function encodeRouteInfo(info: object, first: boolean): Buffer {
  return Buffer.from(`INFO ${JSON.stringify(info)}${first ? ' ' : ''}\r\n`, 'utf8');
}

/** `CONNECT <json>\r\n`, as a dialing route sends it. */
export function encodeRouteConnect(connect: object): Buffer {
  return Buffer.from(`CONNECT ${JSON.stringify(connect)}\r\n`, 'utf8');
}
