import type { OutboundBuffer } from './outbound.js';

// Shared constant frames: write them, never modify them.
export const PING_FRAME: Buffer = Buffer.from('PING\r\n', 'latin1');
export const PONG_FRAME: Buffer = Buffer.from('PONG\r\n', 'latin1');
export const OK_FRAME: Buffer = Buffer.from('+OK\r\n', 'latin1');

/**
 * Header block of the status message nats-server sends a requestor when nobody subscribes to
 * the request subject (client.go: `HMSG <reply> <sid> 16 16\r\nNATS/1.0 503\r\n\r\n\r\n`).
 * Header size and total size are both its length, 16.
 */
export const NO_RESPONDERS_HEADER: Buffer = Buffer.from('NATS/1.0 503\r\n\r\n', 'latin1');

const MSG_PREFIX = 'MSG ';
const HMSG_PREFIX = 'HMSG ';
const SPACE = ' ';

/**
 * `MSG <subject> <sid> ` (or `HMSG ...`) encoded once for a subscription whose deliveries always
 * carry its own subject (a subject without wildcards); see writeMsgAfterHead.
 */
export function encodeDeliveryHead(withHeaders: boolean, subject: string, sid: string): Buffer {
  return Buffer.from(`${withHeaders ? HMSG_PREFIX : MSG_PREFIX}${subject} ${sid} `, 'latin1');
}

/** `MSG <subject> <sid> [reply] <size>\r\n<payload>\r\n`; the payload is `payload[start, end)`. */
export function writeMsg(
  out: OutboundBuffer,
  subject: string,
  sid: string,
  reply: string | undefined,
  payload: Uint8Array,
  start = 0,
  end = payload.length,
): void {
  writeHead(out, MSG_PREFIX, subject, sid);
  writeMsgTail(out, reply, payload, start, end);
}

/** writeMsg with the head from encodeDeliveryHead(false, ...). */
export function writeMsgAfterHead(
  out: OutboundBuffer,
  head: Uint8Array,
  reply: string | undefined,
  payload: Uint8Array,
  start = 0,
  end = payload.length,
): void {
  out.writeBytes(head);
  writeMsgTail(out, reply, payload, start, end);
}

/** `HMSG <subject> <sid> [reply] <header size> <total size>\r\n<headers+payload>\r\n` */
export function writeHMsg(
  out: OutboundBuffer,
  subject: string,
  sid: string,
  reply: string | undefined,
  headerSize: number,
  message: Uint8Array,
  start = 0,
  end = message.length,
): void {
  writeHead(out, HMSG_PREFIX, subject, sid);
  writeHMsgTail(out, reply, headerSize, message, start, end);
}

/** writeHMsg with the head from encodeDeliveryHead(true, ...). */
export function writeHMsgAfterHead(
  out: OutboundBuffer,
  head: Uint8Array,
  reply: string | undefined,
  headerSize: number,
  message: Uint8Array,
  start = 0,
  end = message.length,
): void {
  out.writeBytes(head);
  writeHMsgTail(out, reply, headerSize, message, start, end);
}

function writeHead(out: OutboundBuffer, prefix: string, subject: string, sid: string): void {
  out.writeLatin1(prefix);
  out.writeLatin1(subject);
  out.writeLatin1(SPACE);
  out.writeLatin1(sid);
  out.writeLatin1(SPACE);
}

function writeReply(out: OutboundBuffer, reply: string | undefined): void {
  if (reply !== undefined && reply.length > 0) {
    out.writeLatin1(reply);
    out.writeLatin1(SPACE);
  }
}

function writeMsgTail(out: OutboundBuffer, reply: string | undefined, payload: Uint8Array, start: number, end: number): void {
  writeReply(out, reply);
  out.writeSizedPayload(payload, start, end);
}

function writeHMsgTail(
  out: OutboundBuffer,
  reply: string | undefined,
  headerSize: number,
  message: Uint8Array,
  start: number,
  end: number,
): void {
  writeReply(out, reply);
  out.writeDecimal(headerSize);
  out.writeLatin1(SPACE);
  out.writeSizedPayload(message, start, end);
}

/**
 * `INFO <json> \r\n`. The space before CRLF is what nats-server 2.9 sends (it joins
 * "INFO", the JSON and CRLF with spaces); clients accept it.
 */
export function encodeInfo(info: object): Buffer {
  return Buffer.from(`INFO ${JSON.stringify(info)} \r\n`, 'utf8');
}

/** `-ERR '<text>'\r\n`; latin1 so subjects quoted in the text keep their bytes. */
export function encodeErr(text: string): Buffer {
  return Buffer.from(`-ERR '${text}'\r\n`, 'latin1');
}
