import { describe, expect, it } from 'vitest';
import { ClientProtocolParser } from './client-parser.js';
import { ProtocolErrorKind } from './protocol-error.js';
import { RecordingDispatcher, parseChunks, seededRandom, splitAt } from './recording-dispatcher.test-support.js';

// Every operation and argument form, so each state sees a chunk boundary somewhere.
const MIXED_STREAM = Buffer.from(
  'CONNECT {"verbose":false,"headers":true}\r\n' +
    'PING\r\n' +
    'pub foo 5\r\nhello\r\n' +
    'PUB \tfoo  reply.x 0\r\n\r\n' +
    'HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n' +
    'hpub foo r 0 3\r\n\r\n\r\r\n' +
    'SUB foo q 1\nSUB\tbar\t2\r\n' +
    'UNSUB 1 10\r\nunsub 2\r\n' +
    'INFO {}\r\n+OK\r\nPONGx\r\n' +
    'HMSG x 1 0 0\r\n\r\n' +
    'PUB big 40\r\n' +
    '0123456789012345678901234567890123456789\r\n',
  'latin1',
);

const ERROR_STREAMS = [
  'PING\r\nPUB foo 2\r\nhix\r\n',
  'SUB foo 1\r\nPUB foo bar baz qux\r\n',
  'PING\r\n-ERR \'boom\'\r\n',
  'PONG\r\nINFO [1]\r\n',
  'SUB foo 1\r\nPUB foo 2000\r\n',
  `SUB foo 1\r\nSUB ${'s'.repeat(100)} 2\r\n`,
  'PING\r\nHPUB foo 3 2\r\n',
  'PING\r\nPUX\r\n',
];
const LIMITS = { maxControlLine: 64, maxPayload: 1024 };

function allTwoWaySplitsMatch(stream: Buffer, limits = LIMITS): void {
  const whole = parseChunks([stream], limits);
  for (let offset = 0; offset <= stream.length; offset++) {
    expect(parseChunks(splitAt(stream, [offset]), limits), `split at ${offset}`).toEqual(whole);
  }
}

describe('ClientProtocolParser: chunk boundaries', () => {
  it('parses the mixed stream whole as expected', () => {
    expect(parseChunks([MIXED_STREAM], LIMITS)).toEqual([
      ['connect', '{"verbose":false,"headers":true}'],
      ['ping'],
      ['pub', 'foo', undefined, 'hello'],
      ['pub', 'foo', 'reply.x', ''],
      ['hpub', 'foo', undefined, 12, 'NATS/1.0\r\n\r\nhi'],
      ['hpub', 'foo', 'r', 0, '\r\n\r'],
      ['sub', 'foo', 'q', '1'],
      ['sub', 'bar', undefined, '2'],
      ['unsub', '1', 10],
      ['unsub', '2', undefined],
      ['pong'],
      ['pub', 'big', undefined, '0123456789012345678901234567890123456789'],
    ]);
  });

  it('gives the same events when fed one byte at a time', () => {
    const bytes = Array.from({ length: MIXED_STREAM.length }, (_, i) => MIXED_STREAM.subarray(i, i + 1));
    expect(parseChunks(bytes, LIMITS)).toEqual(parseChunks([MIXED_STREAM], LIMITS));
  });

  it('gives the same events for a split at every offset', () => {
    allTwoWaySplitsMatch(MIXED_STREAM);
  });

  it('gives the same events for every pair of split points in a short stream', () => {
    const stream = Buffer.from('SUB a 1\r\nPUB a r 3\r\nxyz\r\nHPUB a 2 3\r\nh\r\nx\r\nPING\r\n');
    const whole = parseChunks([stream], LIMITS);
    for (let first = 0; first <= stream.length; first++) {
      for (let second = first; second <= stream.length; second++) {
        expect(parseChunks(splitAt(stream, [first, second]), LIMITS)).toEqual(whole);
      }
    }
  });

  it('gives the same error events for a split at every offset', () => {
    for (const text of ERROR_STREAMS) {
      const stream = Buffer.from(text, 'latin1');
      const whole = parseChunks([stream], LIMITS);
      expect(whole[whole.length - 1][0], text).toBe('error');
      allTwoWaySplitsMatch(stream);
    }
  });

  it('gives the same events under seeded random chunking of random streams', () => {
    const random = seededRandom(0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const token = () => pick(['foo', 'bar.baz', '_INBOX.x1', 'a.*.>', 'q', '\xe9t\xe9']);
    const spaces = () => pick([' ', '\t', '  ', ' \t ']);
    const eol = () => pick(['\r\n', '\n']);
    const payload = () => {
      const size = Math.floor(random() * 300);
      return Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
    };
    const frame = (): Buffer => {
      switch (Math.floor(random() * 7)) {
        case 0: {
          const data = payload();
          const reply = random() < 0.5 ? `${spaces()}${token()}` : '';
          return Buffer.concat([Buffer.from(`${pick(['PUB', 'pub'])}${spaces()}${token()}${reply}${spaces()}${data.length}${eol()}`, 'latin1'), data, Buffer.from('\r\n')]);
        }
        case 1: {
          const data = payload();
          const headerSize = Math.floor(random() * (data.length + 1));
          return Buffer.concat([Buffer.from(`HPUB ${token()}${spaces()}${headerSize} ${data.length}${eol()}`, 'latin1'), data, Buffer.from('\r\n')]);
        }
        case 2:
          return Buffer.from(`SUB${spaces()}${token()}${random() < 0.5 ? ` ${token()}` : ''} ${Math.floor(random() * 100)}${eol()}`, 'latin1');
        case 3:
          return Buffer.from(`UNSUB ${Math.floor(random() * 100)}${random() < 0.5 ? ` ${Math.floor(random() * 10)}` : ''}${eol()}`, 'latin1');
        case 4:
          return Buffer.from(`${pick(['PING', 'PONG', 'ping', '+OK'])}${eol()}`, 'latin1');
        case 5:
          return Buffer.from(`CONNECT {"name":"${token()}"}${eol()}`, 'latin1');
        default:
          return Buffer.from(`INFO {}${eol()}`, 'latin1');
      }
    };
    const limits = { maxControlLine: 4096, maxPayload: 1024 };
    for (let round = 0; round < 200; round++) {
      const frames = Array.from({ length: 1 + Math.floor(random() * 20) }, frame);
      if (random() < 0.3) frames.push(Buffer.from(pick(ERROR_STREAMS), 'latin1'));
      const stream = Buffer.concat(frames);
      const whole = parseChunks([stream], limits);
      for (let split = 0; split < 10; split++) {
        const offsets: number[] = [];
        for (let offset = Math.floor(random() * 40); offset < stream.length; offset += 1 + Math.floor(random() * 80)) offsets.push(offset);
        expect(parseChunks(splitAt(stream, offsets), limits), `round ${round} split ${split}`).toEqual(whole);
      }
    }
  });

  it('assembles a very large payload split across many chunks', () => {
    const size = 4 * 1024 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
    const stream = Buffer.concat([Buffer.from(`PUB big.one ${size}\r\n`), payload, Buffer.from('\r\nPING\r\n')]);
    const random = seededRandom(7);
    const received: Buffer[] = [];
    let pings = 0;
    const dispatcher = new (class extends RecordingDispatcher {
      override onPub(subject: string, reply: string | undefined, data: Buffer, start: number, end: number): void {
        received.push(Buffer.from(data.subarray(start, end)));
      }
      override onPing(): void {
        pings++;
      }
    })();
    const parser = new ClientProtocolParser(dispatcher, { maxControlLine: 4096, maxPayload: 8 * 1024 * 1024 });
    for (let offset = 0; offset < stream.length; ) {
      const length = 1 + Math.floor(random() * 65536);
      parser.parse(stream.subarray(offset, offset + length));
      offset += length;
    }
    expect(received).toHaveLength(1);
    expect(received[0].equals(payload)).toBe(true);
    expect(pings).toBe(1);
    expect(dispatcher.events).toEqual([]);
  });

  it('dispatches a payload that starts a chunk as a view of that chunk', () => {
    const chunks = [Buffer.from('PUB foo 5\r\n'), Buffer.from('hello\r\n')];
    let payload: Buffer | undefined;
    const dispatcher = new (class extends RecordingDispatcher {
      override onPub(subject: string, reply: string | undefined, data: Buffer, start: number, end: number): void {
        payload = data.subarray(start, end);
      }
    })();
    const parser = new ClientProtocolParser(dispatcher, LIMITS);
    for (const chunk of chunks) parser.parse(chunk);
    expect(payload?.buffer).toBe(chunks[1].buffer);
    expect(payload?.toString()).toBe('hello');
  });

  it('reuses no chunk after parse returns: a split frame is copied before the chunk is overwritten', () => {
    const recorder = new RecordingDispatcher();
    const parser = new ClientProtocolParser(recorder, LIMITS);
    const readBuffer = Buffer.alloc(8);
    for (const part of ['PUB foo ', '3\r\nabc', '\r\nSUB x ', '1\r\n']) {
      readBuffer.fill(0x21);
      const length = readBuffer.write(part, 'latin1');
      parser.parse(readBuffer.subarray(0, length));
    }
    expect(recorder.events).toEqual([
      ['pub', 'foo', undefined, 'abc'],
      ['sub', 'x', undefined, '1'],
    ]);
  });

  it('reports max_control_line the same way for any split of an over-long line', () => {
    const stream = Buffer.from(`PING\r\nSUB ${'x'.repeat(70)} 1\r\nPING\r\n`);
    const whole = parseChunks([stream], LIMITS);
    expect(whole).toEqual([['ping'], ['error', ProtocolErrorKind.MaxControlLineExceeded, 'max_control_line 64']]);
    allTwoWaySplitsMatch(stream);
  });
});
