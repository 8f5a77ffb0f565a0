import { clearArray } from '@nats-ts/protocol';
import type { BusMessage } from './types.js';
import { ByteCursor, varintSize, writeVarint } from './varint.js';

// The MessageDelivery frame is the bus's hot path, so it is encoded and decoded here by hand,
// byte-compatible with the schema in bus-proto.ts (the tests check both ways against protobufjs):
// no intermediate objects, strings written straight into the output, byte fields decoded as views.

/** BusFrame field 5 (message), length-delimited. */
export const MESSAGE_FRAME_TAG = (5 << 3) | 2;

// MessageDelivery field tags (all length-delimited).
const ACCOUNT = (1 << 3) | 2;
const SUBJECT = (2 << 3) | 2;
const REPLY = (3 << 3) | 2;
const HEADER = (4 << 3) | 2;
const PAYLOAD = (5 << 3) | 2;
const TRACEPARENT = (6 << 3) | 2;
const ORIGIN = (7 << 3) | 2;
const QUEUES = (8 << 3) | 2;
const FROM = (9 << 3) | 2;
const TO = (10 << 3) | 2;

const EMPTY: Buffer = Buffer.alloc(0);

function fieldSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/**
 * Encodes message frames: size() measures one (keeping the string lengths it computed), write()
 * then writes that same frame, length prefix included.
 */
export class MessageFrameEncoder {
  private msg: BusMessage | undefined;
  private from: string | undefined;
  private to = '';
  private accountLength = 0;
  private subjectLength = 0;
  private replyLength = 0;
  private traceLength = 0;
  private originLength = 0;
  private fromLength = 0;
  private toLength = 0;
  private queueLengths: number[] = [];
  private bodyLength = 0;
  private frameLength = 0;

  /** The delimited frame's size. `from` is left out when it is the message's origin. */
  size(msg: BusMessage, from: string, to: string): number {
    this.msg = msg;
    this.from = from === msg.originMemberId ? undefined : from;
    this.to = to;
    let body = 0;
    body += fieldSize((this.accountLength = Buffer.byteLength(msg.account)));
    body += fieldSize((this.subjectLength = Buffer.byteLength(msg.subject)));
    this.replyLength = msg.reply ? Buffer.byteLength(msg.reply) : 0;
    if (this.replyLength > 0) body += fieldSize(this.replyLength);
    if (msg.header !== undefined && msg.header.length > 0) body += fieldSize(msg.header.length);
    if (msg.payload.length > 0) body += fieldSize(msg.payload.length);
    this.traceLength = msg.traceparent ? Buffer.byteLength(msg.traceparent) : 0;
    if (this.traceLength > 0) body += fieldSize(this.traceLength);
    body += fieldSize((this.originLength = Buffer.byteLength(msg.originMemberId)));
    const queues = msg.queues;
    clearArray(this.queueLengths);
    if (queues !== undefined) {
      for (let i = 0; i < queues.length; i++) {
        const n = Buffer.byteLength(queues[i]!);
        this.queueLengths.push(n);
        body += fieldSize(n);
      }
    }
    this.fromLength = this.from === undefined ? 0 : Buffer.byteLength(this.from);
    if (this.fromLength > 0) body += fieldSize(this.fromLength);
    body += fieldSize((this.toLength = Buffer.byteLength(to)));
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
    pos = writeString(buf, pos, ACCOUNT, msg.account, this.accountLength);
    pos = writeString(buf, pos, SUBJECT, msg.subject, this.subjectLength);
    if (this.replyLength > 0) pos = writeString(buf, pos, REPLY, msg.reply!, this.replyLength);
    if (msg.header !== undefined && msg.header.length > 0) pos = writeBytes(buf, pos, HEADER, msg.header);
    if (msg.payload.length > 0) pos = writeBytes(buf, pos, PAYLOAD, msg.payload);
    if (this.traceLength > 0) pos = writeString(buf, pos, TRACEPARENT, msg.traceparent!, this.traceLength);
    pos = writeString(buf, pos, ORIGIN, msg.originMemberId, this.originLength);
    const queues = msg.queues;
    if (queues !== undefined) {
      for (let i = 0; i < queues.length; i++) pos = writeString(buf, pos, QUEUES, queues[i]!, this.queueLengths[i]!);
    }
    if (this.fromLength > 0) pos = writeString(buf, pos, FROM, this.from!, this.fromLength);
    pos = writeString(buf, pos, TO, this.to, this.toLength);
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
  buf.set(bytes, pos);
  return pos + bytes.length;
}

/**
 * The string of a field that usually repeats from frame to frame (account, member ids, often
 * the subject): decoded again only when its bytes differ from last time.
 */
class RepeatedString {
  private bytes = Buffer.alloc(64);
  private length = -1;
  private text = '';

  read(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length === this.length) {
      const bytes = this.bytes;
      let i = 0;
      while (i < length && bytes[i] === buf[start + i]) i++;
      if (i === length) return this.text;
    }
    this.text = buf.toString('utf8', start, end);
    if (length > this.bytes.length) this.bytes = Buffer.alloc(length);
    buf.copy(this.bytes, 0, start, end);
    this.length = length;
    return this.text;
  }
}

// Longer subjects are decoded each time rather than compared byte by byte.
const MAX_REPEATED_SUBJECT = 64;

/**
 * Decodes message frames in place: byte fields are views into the frame's buffer. `from` and
 * `to` hold the sending and receiving members of the frame last decoded.
 */
export class MessageFrameDecoder {
  from = '';
  to = '';
  private readonly cursor = new ByteCursor();
  private readonly accounts = new RepeatedString();
  private readonly subjects = new RepeatedString();
  private readonly origins = new RepeatedString();
  private readonly senders = new RepeatedString();
  private readonly receivers = new RepeatedString();

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
    let header: Buffer | undefined;
    let payload = EMPTY;
    let traceparent: string | undefined;
    let origin = '';
    let queues: string[] | undefined;
    let from = '';
    let to = '';
    while (c.pos < end) {
      const tag = c.readVarint(buf, end);
      if (tag < 0) throw new Error('bus frame: malformed message');
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
          subject = length <= MAX_REPEATED_SUBJECT ? this.subjects.read(buf, fieldStart, fieldEnd) : buf.toString('utf8', fieldStart, fieldEnd);
          break;
        case REPLY:
          if (length > 0) reply = buf.toString('utf8', fieldStart, fieldEnd);
          break;
        case HEADER:
          if (length > 0) header = buf.subarray(fieldStart, fieldEnd);
          break;
        case PAYLOAD:
          payload = buf.subarray(fieldStart, fieldEnd);
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
    this.from = from === '' ? origin : from;
    this.to = to;
    const message: BusMessage = { account, subject, payload, originMemberId: origin };
    if (reply !== undefined) message.reply = reply;
    if (header !== undefined) message.header = header;
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
