import { describe, expect, it } from 'vitest';
import { FrameBuffer } from './frame-buffer.js';
import { FrameReader, MAX_FRAME_BYTES } from './frame-reader.js';
import { decodeFrame, encodeFrame, type BusFrame } from './schema.js';
import { writeVarint } from './varint.js';

class Collector {
  readonly frames: BusFrame[] = [];
  frame(buf: Buffer, start: number, end: number): void {
    this.frames.push(decodeFrame(Buffer.from(buf.subarray(start, end))));
  }
}

const FRAMES: BusFrame[] = [
  { kind: 'peer', peerId: 'p1', url: '127.0.0.1:7000', protocol: 1 },
  { kind: 'hello', member: { memberId: 'p1.1', nodeId: 'n', role: 'client-gateway', version: '0.1.0' } },
  { kind: 'heartbeat', memberId: 'p1', seq: 1 },
  { kind: 'gone', memberId: 'p1.1' },
  { kind: 'message', message: { account: '$G', subject: 'big', headerSize: 0, data: Buffer.alloc(200, 9), originMemberId: 'p1.1' }, from: 'p1.1', to: 'p2.1' },
];

function stream(frames: BusFrame[]): Buffer {
  const out = new FrameBuffer();
  for (const frame of frames) out.writeFrame(encodeFrame(frame));
  return Buffer.from(out.take());
}

describe('FrameReader', () => {
  it('reads many frames from one chunk', () => {
    const sink = new Collector();
    new FrameReader(sink).push(stream(FRAMES));
    expect(sink.frames.map((f) => f.kind)).toEqual(['peer', 'hello', 'heartbeat', 'gone', 'message']);
  });

  it('reads the same frames whatever the chunk boundaries', () => {
    const bytes = stream(FRAMES);
    const expected = new Collector();
    new FrameReader(expected).push(bytes);
    for (let cut = 1; cut < bytes.length; cut++) {
      const sink = new Collector();
      const reader = new FrameReader(sink);
      reader.push(bytes.subarray(0, cut));
      reader.push(bytes.subarray(cut));
      expect(sink.frames).toEqual(expected.frames);
    }
    const sink = new Collector();
    const reader = new FrameReader(sink);
    for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
    expect(sink.frames).toEqual(expected.frames);
  });

  it('refuses a frame longer than the limit', () => {
    const prefix = Buffer.alloc(8);
    const end = writeVarint(prefix, 0, MAX_FRAME_BYTES + 1);
    expect(() => new FrameReader(new Collector()).push(prefix.subarray(0, end))).toThrow(/refused/);
  });
});
