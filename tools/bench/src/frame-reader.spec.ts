import { describe, expect, it } from 'vitest';
import { FrameReader, headerBytesOf, type FrameListener } from './frame-reader.js';

class RecordingListener implements FrameListener {
  headers: string[] = [];
  ends = 0;
  pings = 0;
  pongs = 0;
  errors: string[] = [];
  onMessageHeader(line: Buffer, start: number, end: number): void {
    this.headers.push(line.toString('latin1', start, end));
  }
  onMessageEnd(): void {
    this.ends++;
  }
  onPing(): void {
    this.pings++;
  }
  onPong(): void {
    this.pongs++;
  }
  onServerError(text: string): void {
    this.errors.push(text);
  }
}

const STREAM = Buffer.from(
  'INFO {"server_id":"x","max_payload":1048576}\r\n' +
    'MSG bench.a 1 5\r\nhello\r\n' +
    'PING\r\n' +
    'MSG bench.a 1 _INBOX.r 12\r\nline\r\nbreaks\r\n' +
    'HMSG bench.h 2 12 14\r\nNATS/1.0\r\n\r\nhi\r\n' +
    'MSG bench.empty 3 0\r\n\r\n' +
    'PONG\r\n' +
    '+OK\r\n',
  'latin1',
);

function readInPieces(pieceLength: number): { reader: FrameReader; listener: RecordingListener } {
  const listener = new RecordingListener();
  const reader = new FrameReader(listener);
  for (let offset = 0; offset < STREAM.length; offset += pieceLength) {
    reader.push(STREAM.subarray(offset, Math.min(STREAM.length, offset + pieceLength)));
  }
  return { reader, listener };
}

describe('FrameReader', () => {
  it('counts messages and control frames in one chunk', () => {
    const { reader, listener } = readInPieces(STREAM.length);
    expect(reader.messages).toBe(4);
    expect(listener.ends).toBe(4);
    expect(listener.headers).toEqual(['MSG bench.a 1 5', 'MSG bench.a 1 _INBOX.r 12', 'HMSG bench.h 2 12 14', 'MSG bench.empty 3 0']);
    expect(listener.pings).toBe(1);
    expect(listener.pongs).toBe(1);
    expect(listener.errors).toEqual([]);
  });

  it('gives the same result for every way of splitting the stream', () => {
    for (let pieceLength = 1; pieceLength < STREAM.length; pieceLength++) {
      const { reader, listener } = readInPieces(pieceLength);
      expect(reader.messages, `pieces of ${pieceLength}`).toBe(4);
      expect(listener.headers.length).toBe(4);
      expect(listener.pings + listener.pongs).toBe(2);
    }
  });

  it('hands over each payload without its CRLF, however the reads split it', () => {
    class PayloadListener extends RecordingListener {
      payloads: string[] = [];
      private current = '';
      onPayload(chunk: Buffer, start: number, end: number): void {
        this.current += chunk.toString('latin1', start, end);
      }
      override onMessageEnd(): void {
        super.onMessageEnd();
        this.payloads.push(this.current);
        this.current = '';
      }
    }
    for (let pieceLength = 1; pieceLength <= STREAM.length; pieceLength++) {
      const listener = new PayloadListener();
      const reader = new FrameReader(listener);
      for (let offset = 0; offset < STREAM.length; offset += pieceLength) {
        reader.push(STREAM.subarray(offset, Math.min(STREAM.length, offset + pieceLength)));
      }
      expect(listener.payloads, `pieces of ${pieceLength}`).toEqual(['hello', 'line\r\nbreaks', 'NATS/1.0\r\n\r\nhi', '']);
    }
  });

  it('skips payload bytes that look like control lines', () => {
    const listener = new RecordingListener();
    const reader = new FrameReader(listener);
    reader.push(Buffer.from('MSG s 1 6\r\nPING\r\n\r\n', 'latin1'));
    expect(reader.messages).toBe(1);
    expect(listener.pings).toBe(0);
  });

  it('ignores stale bytes past the given length of a reused buffer', () => {
    const listener = new RecordingListener();
    const reader = new FrameReader(listener);
    const buffer = Buffer.alloc(64, 0);
    const first = Buffer.from('MSG s 1 2\r\nok\r\nMSG s', 'latin1');
    first.copy(buffer);
    buffer.write('\r\nPING\r\n', first.length, 'latin1');
    reader.push(buffer, first.length);
    expect(reader.messages).toBe(1);
    expect(listener.pings).toBe(0);
    const second = Buffer.from(' 1 2\r\nok\r\n', 'latin1');
    second.copy(buffer);
    reader.push(buffer, second.length);
    expect(reader.messages).toBe(2);
    expect(listener.headers).toEqual(['MSG s 1 2', 'MSG s 1 2']);
  });

  it('reports server errors', () => {
    const listener = new RecordingListener();
    new FrameReader(listener).push(Buffer.from("-ERR 'Slow Consumer'\r\n", 'latin1'));
    expect(listener.errors).toEqual(["-ERR 'Slow Consumer'"]);
  });

  it('rejects a message line without a size', () => {
    const reader = new FrameReader(new RecordingListener());
    expect(() => reader.push(Buffer.from('MSG subject\r\n', 'latin1'))).toThrow(/malformed/);
  });
});

describe('headerBytesOf', () => {
  const header = (text: string): number => headerBytesOf(Buffer.from(`x${text}y`, 'latin1'), 1, text.length + 1);

  it('reads the header size of HMSG lines, with or without a reply subject', () => {
    expect(header('HMSG bench.h 2 12 14')).toBe(12);
    expect(header('HMSG _INBOX.x.3 1  118 123')).toBe(118);
    expect(header('HMSG a 1 _INBOX.r 34 34')).toBe(34);
  });

  it('is -1 for MSG lines and rejects an HMSG line without sizes', () => {
    expect(header('MSG bench.a 1 5')).toBe(-1);
    expect(() => header('HMSG a 14')).toThrow(/malformed/);
  });
});
