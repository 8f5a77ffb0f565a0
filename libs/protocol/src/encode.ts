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

const CRLF: Buffer = Buffer.from('\r\n', 'latin1');
const MSG_PREFIX = 'MSG ';
const HMSG_PREFIX = 'HMSG ';
const SPACE = ' ';

/** `MSG <subject> <sid> [reply] <size>\r\n<payload>\r\n` */
export function writeMsg(
  out: OutboundBuffer,
  subject: string,
  sid: string,
  reply: string | undefined,
  payload: Uint8Array,
): void {
  writeDeliveryHead(out, MSG_PREFIX, subject, sid, reply);
  out.writeDecimal(payload.length);
  out.writeBytes(CRLF);
  out.writeBytes(payload);
  out.writeBytes(CRLF);
}

/** `HMSG <subject> <sid> [reply] <header size> <total size>\r\n<headers+payload>\r\n` */
export function writeHMsg(
  out: OutboundBuffer,
  subject: string,
  sid: string,
  reply: string | undefined,
  headerSize: number,
  message: Uint8Array,
): void {
  writeDeliveryHead(out, HMSG_PREFIX, subject, sid, reply);
  out.writeDecimal(headerSize);
  out.writeLatin1(SPACE);
  out.writeDecimal(message.length);
  out.writeBytes(CRLF);
  out.writeBytes(message);
  out.writeBytes(CRLF);
}

function writeDeliveryHead(
  out: OutboundBuffer,
  prefix: string,
  subject: string,
  sid: string,
  reply: string | undefined,
): void {
  out.writeLatin1(prefix);
  out.writeLatin1(subject);
  out.writeLatin1(SPACE);
  out.writeLatin1(sid);
  out.writeLatin1(SPACE);
  if (reply !== undefined && reply.length > 0) {
    out.writeLatin1(reply);
    out.writeLatin1(SPACE);
  }
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
