import { describe, expect, it } from 'vitest';
import { FrameBuffer } from './frame-buffer.js';
import { MESSAGE_DELIVERY_TAGS, MESSAGE_FRAME_TAG, MessageFrameDecoder, MessageFrameEncoder } from './message-codec.js';
import { busSchema, decodeFrame, encodeFrame } from './schema.js';
import { ROLES } from './types.js';
import type { BusMessage } from './types.js';
import { ByteCursor } from './varint.js';

const FULL: BusMessage = {
  account: '$G',
  subject: 'orders.ünïcode.new',
  reply: '_INBOX.abc',
  data: Buffer.concat([Buffer.from('NATS/1.0\r\nX: 1\r\n\r\n'), Buffer.alloc(300, 7)]),
  headerSize: 'NATS/1.0\r\nX: 1\r\n\r\n'.length,
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  originMemberId: 'peer1.1',
  queues: ['q1', 'workers'],
};
const MINIMAL: BusMessage = { account: 'A', subject: 's', headerSize: 0, data: new Uint8Array(0), originMemberId: 'm' };

/** Encodes with the hand-written encoder; returns the frame without its length prefix. */
function handEncode(msg: BusMessage, from: string, to: string): Buffer {
  const encoder = new MessageFrameEncoder();
  const buf = Buffer.alloc(encoder.size(msg, from, to));
  const end = encoder.write(buf, 0);
  expect(end).toBe(buf.length);
  const cursor = new ByteCursor();
  const length = cursor.readVarint(buf, buf.length);
  expect(cursor.pos + length).toBe(buf.length);
  return buf.subarray(cursor.pos);
}

function plain(msg: BusMessage): Record<string, unknown> {
  return { ...msg, data: Buffer.from(msg.data).toString('hex') };
}

describe('bus.proto and the hand codec', () => {
  it('uses the field tags of MessageDelivery in bus.proto, and its BusFrame field for messages', () => {
    const delivery = busSchema().lookupType('natsts.bus.MessageDelivery');
    const fromFile = Object.fromEntries(delivery.fieldsArray.map((field) => [field.name, (field.id << 3) | (field.type === 'uint32' ? 0 : 2)]));
    expect(MESSAGE_DELIVERY_TAGS).toEqual(fromFile);
    expect(MESSAGE_FRAME_TAG).toBe((busSchema().lookupType('natsts.bus.BusFrame').fields.message!.id << 3) | 2);
  });

  it('numbers every role in the file', () => {
    const roles = busSchema().lookupEnum('natsts.bus.Role').values;
    for (const role of ROLES) expect(roles[`ROLE_${role.toUpperCase().replace(/-/g, '_')}`]).toBeGreaterThan(0);
  });
});

describe('message frame codec', () => {
  it('encodes what protobufjs decodes, with from and to', () => {
    for (const msg of [FULL, MINIMAL]) {
      const decoded = decodeFrame(handEncode(msg, 'peer1.2', 'peer2.1'));
      if (decoded.kind !== 'message') throw new Error('expected a message frame');
      expect(plain(decoded.message)).toEqual(plain(msg));
      expect(decoded.from).toBe('peer1.2');
      expect(decoded.to).toBe('peer2.1');
    }
  });

  it('leaves out the sender when it is the origin', () => {
    const withOrigin = handEncode(FULL, FULL.originMemberId, 'x');
    const withOther = handEncode(FULL, 'someone.else', 'x');
    expect(withOther.length - withOrigin.length).toBe(2 + 'someone.else'.length);
    const decoded = decodeFrame(withOrigin);
    if (decoded.kind !== 'message') throw new Error('expected a message frame');
    expect(decoded.from).toBe(FULL.originMemberId);
  });

  it('decodes what protobufjs encodes, byte fields as views', () => {
    for (const msg of [FULL, MINIMAL]) {
      const bytes = Buffer.from(encodeFrame({ kind: 'message', message: msg, from: 'f.1', to: 't.1' }));
      expect(bytes[0]).toBe(MESSAGE_FRAME_TAG);
      const decoder = new MessageFrameDecoder();
      const decoded = decoder.decode(bytes, 0, bytes.length);
      expect(plain(decoded)).toEqual(plain(msg));
      expect(decoder.from).toBe('f.1');
      expect(decoder.to).toBe('t.1');
      if (msg.data.length > 0) expect(decoded.data.buffer).toBe(bytes.buffer);
    }
  });

  it('decodes a frame in the middle of a larger buffer', () => {
    const frame = handEncode(FULL, 'a', 'b');
    const buf = Buffer.concat([Buffer.from('junk'), frame, Buffer.from('more')]);
    const decoded = new MessageFrameDecoder().decode(buf, 4, 4 + frame.length);
    expect(plain(decoded)).toEqual(plain(FULL));
  });

  it('decodes repeated and changing strings alike', () => {
    const decoder = new MessageFrameDecoder();
    const subjects = ['a.b', 'a.b', 'a.c', 'x'.repeat(100), 'x'.repeat(100), 'ü.ö', 'a.b'];
    for (const subject of subjects) {
      const frame = handEncode({ ...MINIMAL, subject, account: subject.length > 10 ? 'ACC' : '$G' }, 'm', `to.${subject.length}`);
      const decoded = decoder.decode(frame, 0, frame.length);
      expect(decoded.subject).toBe(subject);
      expect(decoded.account).toBe(subject.length > 10 ? 'ACC' : '$G');
      expect(decoder.to).toBe(`to.${subject.length}`);
    }
  });

  it('encodes with one encoder what protobufjs decodes, whether strings repeat or change', () => {
    const encoder = new MessageFrameEncoder();
    const steps: Array<[BusMessage, string, string]> = [
      [MINIMAL, 'm', 'to.1'],
      [MINIMAL, 'm', 'to.1'],
      [{ ...MINIMAL, subject: 'ü.ö', account: 'ACC' }, 'other', 'to.1'],
      [{ ...MINIMAL, subject: 'ü.ö', account: 'ACC' }, 'm', 'to.2'],
      [{ ...MINIMAL, subject: 'x'.repeat(200) }, 'm', 'to.2'],
      [{ ...MINIMAL, subject: 'x'.repeat(200) }, 'm', 'to.2'],
      [FULL, 'peer1.1', 'to.2'],
      [MINIMAL, 'm', 'to.1'],
    ];
    for (const [msg, from, to] of steps) {
      const buf = Buffer.alloc(encoder.size(msg, from, to));
      expect(encoder.write(buf, 0)).toBe(buf.length);
      const cursor = new ByteCursor();
      const length = cursor.readVarint(buf, buf.length);
      const decoded = decodeFrame(buf.subarray(cursor.pos, cursor.pos + length));
      if (decoded.kind !== 'message') throw new Error('expected a message frame');
      expect(plain(decoded.message)).toEqual(plain(msg));
      expect(decoded.to).toBe(to);
      expect(decoded.from).toBe(from);
    }
  });

  it('refuses truncated frames', () => {
    const frame = handEncode(FULL, 'a', 'b');
    expect(() => new MessageFrameDecoder().decode(frame, 0, frame.length - 1)).toThrow(/malformed/);
  });
});

describe('FrameBuffer', () => {
  it('appends frames after the bytes already taken, never overwriting them', () => {
    const out = new FrameBuffer();
    out.writeMessage(MINIMAL, 'm', 'x');
    const first = Buffer.from(out.take());
    const taken = out.take();
    expect(taken.length).toBe(0);
    out.writeMessage(MINIMAL, 'm', 'x');
    const view = out.take();
    out.writeFrame(encodeFrame({ kind: 'gone', memberId: 'z' }));
    expect(Buffer.from(view).equals(first)).toBe(true);
  });

  it('grows for large frames and keeps pending bytes', () => {
    const out = new FrameBuffer();
    out.writeFrame(encodeFrame({ kind: 'gone', memberId: 'before' }));
    const big: BusMessage = { ...MINIMAL, headerSize: 0, data: Buffer.alloc(1024 * 1024, 1) };
    out.writeMessage(big, 'm', 'x');
    expect(out.length).toBeGreaterThan(1024 * 1024);
    const bytes = out.take();
    const cursor = new ByteCursor();
    const firstLength = cursor.readVarint(bytes, bytes.length);
    expect(decodeFrame(bytes.subarray(cursor.pos, cursor.pos + firstLength))).toEqual({ kind: 'gone', memberId: 'before' });
  });

  it('writes from the start of its store again once the taken frames are released, keeping pending ones', () => {
    const out = new FrameBuffer();
    out.writeFrame(encodeFrame({ kind: 'gone', memberId: 'a' }));
    const first = out.take();
    out.reuseStore();
    out.writeFrame(encodeFrame({ kind: 'heartbeat', memberId: 'b', seq: 1 }));
    const second = out.take();
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
    out.writeFrame(encodeFrame({ kind: 'gone', memberId: 'c' }));
    out.reuseStore(); // a frame is pending: nothing moves
    const bytes = Buffer.concat([second, out.take()]);
    const cursor = new ByteCursor();
    const kinds: string[] = [];
    while (cursor.pos < bytes.length) {
      const length = cursor.readVarint(bytes, bytes.length);
      kinds.push(decodeFrame(bytes.subarray(cursor.pos, cursor.pos + length)).kind);
      cursor.pos += length;
    }
    expect(kinds).toEqual(['heartbeat', 'gone']);
  });
});
