import { clearArray, copyBytes, RecentString } from '@nats-ts/base';
import type { BusMessage } from './types.js';
import { ByteCursor, varintSize, writeVarint } from './varint.js';

// The MessageDelivery frame is the bus's hot path, so it is encoded and decoded here by hand,
// byte-compatible with the schema in bus.proto (the tests check the tags against the file, and
// the bytes both ways against protobufjs):
// no intermediate objects, strings written straight into the output, byte fields decoded as views.

/** BusFrame field 5 (message), length-delimited. */
export const MESSAGE_FRAME_TAG = (5 << 3) | 2;

// MessageDelivery field tags (all length-delimited).
const ACCOUNT = (1 << 3) | 2;
const SUBJECT = (2 << 3) | 2;
const REPLY = (3 << 3) | 2;
const DATA = (5 << 3) | 2;
const TRACEPARENT = (6 << 3) | 2;
const ORIGIN = (7 << 3) | 2;
const QUEUES = (8 << 3) | 2;
const FROM = (9 << 3) | 2;
const TO = (10 << 3) | 2;
/** The only varint field. */
const HEADER_SIZE = (11 << 3) | 0;

/** The codec's tags by MessageDelivery field (as protobufjs names bus.proto's fields), for the test that they match the file. */
export const MESSAGE_DELIVERY_TAGS: Readonly<Record<string, number>> = {
  account: ACCOUNT,
  subject: SUBJECT,
  reply: REPLY,
  data: DATA,
  traceparent: TRACEPARENT,
  originMember: ORIGIN,
  queues: QUEUES,
  fromMember: FROM,
  toMember: TO,
  headerSize: HEADER_SIZE,
};

const EMPTY: Buffer = Buffer.alloc(0);

function fieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/**
 * A string field's UTF-8 encoding, kept while the same string comes again: the account, the
 * members and usually the subject repeat from frame to frame, and UTF-8 encoding through
 * Buffer.write costs far more than copying the bytes of last time.
 */
class EncodedString {
  private text = '';
  /** Byte length of `text`; -1 before the first string. */
  length = -1;
  private bytes: Buffer = EMPTY;
  /** Whether `bytes` holds the encoding of `text`. */
  private cached = false;

  /** Takes `text` for the next write; returns its encoded length. */
  measure(text: string): number {
    if (text !== this.text || this.length < 0) {
      this.text = text;
      this.length = Buffer.byteLength(text);
      this.cached = false;
    }
    return this.length;
  }

  /** Writes the field (tag, length, bytes) for the string last measured; returns the end. */
  write(buf: Buffer, pos: number, tag: number): number {
    const length = this.length;
    buf[pos++] = tag;
    pos = writeVarint(buf, pos, length);
    if (this.cached) {
      return copyBytes(this.bytes, 0, length, buf, pos);
    }
    buf.write(this.text, pos, length, 'utf8');
    if (length <= MAX_CACHED_STRING) {
      if (this.bytes.length === 0) this.bytes = Buffer.allocUnsafe(MAX_CACHED_STRING);
      copyBytes(buf, pos, pos + length, this.bytes, 0);
      this.cached = true;
    }
    return pos + length;
  }
}

// Strings longer than this are encoded each time.
const MAX_CACHED_STRING = 128;

/**
 * Encodes message frames: size() measures one (keeping the string lengths it computed), write()
 * then writes that same frame, length prefix included.
 */
export class MessageFrameEncoder {
  private msg: BusMessage | undefined;
  private readonly account = new EncodedString();
  private readonly subject = new EncodedString();
  private readonly origin = new EncodedString();
  private readonly from = new EncodedString();
  private readonly to = new EncodedString();
  private hasFrom = false;
  private replyLength = 0;
  private traceLength = 0;
  private queueLengths: number[] = [];
  private bodyLength = 0;
  private frameLength = 0;

  /** The delimited frame's size. `from` is left out when it is the message's origin. */
  size(msg: BusMessage, from: string, to: string): number {
    this.msg = msg;
    let body = 0;
    body += fieldSize(this.account.measure(msg.account));
    body += fieldSize(this.subject.measure(msg.subject));
    this.replyLength = msg.reply ? Buffer.byteLength(msg.reply) : 0;
    if (this.replyLength > 0) body += fieldSize(this.replyLength);
    if (msg.data.length > 0) body += fieldSize(msg.data.length);
    if (msg.headerSize > 0) body += 1 + varintSize(msg.headerSize);
    this.traceLength = msg.traceparent ? Buffer.byteLength(msg.traceparent) : 0;
    if (this.traceLength > 0) body += fieldSize(this.traceLength);
    body += fieldSize(this.origin.measure(msg.originMemberId));
    const queues = msg.queues;
    clearArray(this.queueLengths);
    if (queues !== undefined) {
      for (let i = 0; i < queues.length; i++) {
        const n = Buffer.byteLength(queues[i]!);
        this.queueLengths.push(n);
        body += fieldSize(n);
      }
    }
    this.hasFrom = from !== msg.originMemberId && from !== '';
    if (this.hasFrom) body += fieldSize(this.from.measure(from));
    body += fieldSize(this.to.measure(to));
    this.bodyLength = body;
    this.frameLength = 1 + varintSize(body) + body;
    return varintSize(this.frameLength) + this.frameLength;
  }

  /** Writes the frame last measured by size() at `pos` (room for it must be there); returns the end. */
  write(buf: Buffer, pos: number): number {
    const msg = this.msg!;
    pos = writeVarint(buf, pos, this.frameLength);
    buf[pos++] = MESSAGE_FRAME_TAG;
    pos = writeVarint(buf, pos, this.bodyLength);
    pos = this.account.write(buf, pos, ACCOUNT);
    pos = this.subject.write(buf, pos, SUBJECT);
    if (this.replyLength > 0) pos = writeString(buf, pos, REPLY, msg.reply!, this.replyLength);
    if (msg.data.length > 0) pos = writeBytes(buf, pos, DATA, msg.data);
    if (this.traceLength > 0) pos = writeString(buf, pos, TRACEPARENT, msg.traceparent!, this.traceLength);
    pos = this.origin.write(buf, pos, ORIGIN);
    const queues = msg.queues;
    if (queues !== undefined) {
      for (let i = 0; i < queues.length; i++) pos = writeString(buf, pos, QUEUES, queues[i]!, this.queueLengths[i]!);
    }
    if (this.hasFrom) pos = this.from.write(buf, pos, FROM);
    pos = this.to.write(buf, pos, TO);
    if (msg.headerSize > 0) {
      buf[pos++] = HEADER_SIZE;
      pos = writeVarint(buf, pos, msg.headerSize);
    }
    this.msg = undefined;
    return pos;
  }
}

function writeString(buf: Buffer, pos: number, tag: number, text: string, length: number): number {
  buf[pos++] = tag;
  pos = writeVarint(buf, pos, length);
  return pos + buf.write(text, pos, length, 'utf8');
}

function writeBytes(buf: Buffer, pos: number, tag: number, bytes: Uint8Array): number {
  buf[pos++] = tag;
  pos = writeVarint(buf, pos, bytes.length);
  return copyBytes(bytes, 0, bytes.length, buf, pos);
}

/**
 * Decodes message frames in place: byte fields are views into the frame's buffer. `from` and
 * `to` hold the sending and receiving members of the frame last decoded.
 */
export class MessageFrameDecoder {
  from = '';
  to = '';
  private readonly cursor = new ByteCursor();
  private readonly accounts = new RecentString('utf8');
  private readonly subjects = new RecentString('utf8');
  private readonly origins = new RecentString('utf8');
  private readonly senders = new RecentString('utf8');
  private readonly receivers = new RecentString('utf8');

  /**
   * Decodes the BusFrame in buf[start, end) whose first byte is MESSAGE_FRAME_TAG. Throws on
   * malformed bytes.
   */
  decode(buf: Buffer, start: number, end: number): BusMessage {
    const c = this.cursor;
    c.pos = start + 1;
    const bodyLength = c.readVarint(buf, end);
    if (bodyLength < 0 || c.pos + bodyLength !== end) throw new Error('bus frame: malformed message');
    let account = '';
    let subject = '';
    let reply: string | undefined;
    let data = EMPTY;
    let headerSize = 0;
    let traceparent: string | undefined;
    let origin = '';
    let queues: string[] | undefined;
    let from = '';
    let to = '';
    while (c.pos < end) {
      const tag = c.readVarint(buf, end);
      if (tag < 0) throw new Error('bus frame: malformed message');
      if (tag === HEADER_SIZE) {
        headerSize = c.readVarint(buf, end);
        if (headerSize < 0) throw new Error('bus frame: malformed message');
        continue;
      }
      if ((tag & 7) !== 2) {
        skipField(c, buf, end, tag);
        continue;
      }
      const length = c.readVarint(buf, end);
      const fieldStart = c.pos;
      const fieldEnd = fieldStart + length;
      if (length < 0 || fieldEnd > end) throw new Error('bus frame: malformed message');
      c.pos = fieldEnd;
      switch (tag) {
        case ACCOUNT:
          account = this.accounts.read(buf, fieldStart, fieldEnd);
          break;
        case SUBJECT:
          subject = this.subjects.read(buf, fieldStart, fieldEnd);
          break;
        case REPLY:
          if (length > 0) reply = buf.toString('utf8', fieldStart, fieldEnd);
          break;
        case DATA:
          data = buf.subarray(fieldStart, fieldEnd);
          break;
        case TRACEPARENT:
          if (length > 0) traceparent = buf.toString('utf8', fieldStart, fieldEnd);
          break;
        case ORIGIN:
          origin = this.origins.read(buf, fieldStart, fieldEnd);
          break;
        case QUEUES:
          (queues ??= []).push(buf.toString('utf8', fieldStart, fieldEnd));
          break;
        case FROM:
          from = this.senders.read(buf, fieldStart, fieldEnd);
          break;
        case TO:
          to = this.receivers.read(buf, fieldStart, fieldEnd);
          break;
      }
    }
    if (headerSize > data.length) throw new Error('bus frame: malformed message');
    this.from = from === '' ? origin : from;
    this.to = to;
    const message: BusMessage = { account, subject, data, headerSize, originMemberId: origin };
    if (reply !== undefined) message.reply = reply;
    if (traceparent !== undefined) message.traceparent = traceparent;
    if (queues !== undefined) message.queues = queues;
    return message;
  }
}

// Fields of other wire types, from a newer schema: skipped.
function skipField(c: ByteCursor, buf: Uint8Array, end: number, tag: number): void {
  switch (tag & 7) {
    case 0: {
      // Up to 10 bytes for 64-bit values.
      let n = 0;
      while (c.pos < end && buf[c.pos++]! >= 0x80) {
        if (++n === 10) throw new Error('bus frame: malformed message');
      }
      return;
    }
    case 1:
      c.pos += 8;
      break;
    case 5:
      c.pos += 4;
      break;
    default:
      throw new Error(`bus frame: unexpected wire type ${tag & 7}`);
  }
  if (c.pos > end) throw new Error('bus frame: malformed message');
}
