import { describe, expect, it } from 'vitest';
import { ClientProtocolParser } from './client-parser.js';
import type { ClientDispatcher } from './client-parser.js';
import { ProtocolErrorKind, protocolErrorText } from './protocol-error.js';
import { RecordingDispatcher, parseChunks } from './recording-dispatcher.test-support.js';

const parse = (stream: string, limits?: { maxControlLine: number; maxPayload: number }) => parseChunks([stream], limits);
const errorKind = (stream: string, limits?: { maxControlLine: number; maxPayload: number }) => {
  const events = parse(stream, limits);
  const last = events[events.length - 1];
  return last[0] === 'error' ? last[1] : undefined;
};

describe('ClientProtocolParser: operations', () => {
  it('parses every client operation', () => {
    const stream =
      'CONNECT {"verbose":false}\r\n' +
      'PUB foo 5\r\nhello\r\n' +
      'PUB foo reply.1 2\r\nhi\r\n' +
      'HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n' +
      'HPUB foo reply 12 12\r\nNATS/1.0\r\n\r\n\r\n' +
      'SUB foo 1\r\n' +
      'SUB foo workers 2\r\n' +
      'UNSUB 1\r\n' +
      'UNSUB 2 5\r\n' +
      'PING\r\n' +
      'PONG\r\n';
    expect(parse(stream)).toEqual([
      ['connect', '{"verbose":false}'],
      ['pub', 'foo', undefined, 'hello'],
      ['pub', 'foo', 'reply.1', 'hi'],
      ['hpub', 'foo', undefined, 12, 'NATS/1.0\r\n\r\nhi'],
      ['hpub', 'foo', 'reply', 12, 'NATS/1.0\r\n\r\n'],
      ['sub', 'foo', undefined, '1'],
      ['sub', 'foo', 'workers', '2'],
      ['unsub', '1', undefined],
      ['unsub', '2', 5],
      ['ping'],
      ['pong'],
    ]);
  });

  it('matches verbs case-insensitively', () => {
    expect(parse('connect {}\r\npub a 1\r\nx\r\nPuB a 0\r\n\r\nhPuB a 0 0\r\n\r\nsUb a 1\r\nUnSuB 1\r\nping\r\nPoNg\r\n')).toEqual([
      ['connect', '{}'],
      ['pub', 'a', undefined, 'x'],
      ['pub', 'a', undefined, ''],
      ['hpub', 'a', undefined, 0, ''],
      ['sub', 'a', undefined, '1'],
      ['unsub', '1', undefined],
      ['ping'],
      ['pong'],
    ]);
  });

  it('accepts runs of spaces and tabs between and around arguments', () => {
    expect(parse('PUB \t foo\t\treply  \t3  \r\nabc\r\nSUB\tfoo \t q\t 9 \r\nUNSUB \t9\t 3\t\r\n')).toEqual([
      ['pub', 'foo', 'reply', 'abc'],
      ['sub', 'foo', 'q', '9'],
      ['unsub', '9', 3],
    ]);
  });

  it('accepts a bare LF at the end of control lines but requires CRLF after a payload', () => {
    expect(parse('PUB foo 2\nhi\r\nPING\nSUB foo 1\n')).toEqual([['pub', 'foo', undefined, 'hi'], ['ping'], ['sub', 'foo', undefined, '1']]);
    expect(errorKind('PUB foo 2\r\nhi\nPING\r\n')).toBe(ProtocolErrorKind.UnknownOperation);
  });

  it('ignores anything between PING, PONG or +OK and the LF', () => {
    expect(parse('PINGxyz\r\nPING  \r\nPONG whatever\nping\r\n+OK\r\n+okjunk\r\n')).toEqual([['ping'], ['ping'], ['pong'], ['ping']]);
  });

  it('takes CONNECT and INFO arguments with or without a space', () => {
    expect(parse('CONNECT{"a":1}\r\nCONNECT \t {}\r\n')).toEqual([
      ['connect', '{"a":1}'],
      ['connect', '{}'],
    ]);
    expect(parse('CONNECT\r\n')).toEqual([['connect', '']]);
  });

  it('ignores INFO from a client when it is a JSON object or null, and stops otherwise', () => {
    expect(parse('INFO {"server_id":"x"}\r\nINFO{}\r\nINFO null\r\nPING\r\n')).toEqual([['ping']]);
    for (const bad of ['INFO x\r\n', 'INFO\r\n', 'INFO 1\r\n', 'INFO []\r\n', 'INFO {} x\r\n']) {
      expect(errorKind(bad), bad).toBe(ProtocolErrorKind.InvalidInfo);
    }
  });

  it('stops on -ERR from a client and reports its text', () => {
    expect(parse("-ERR 'oops'\r\nPING\r\n")).toEqual([['error', ProtocolErrorKind.ClientReportedError, "'oops'"]]);
    expect(errorKind('-ERR\r\n')).toBe(ProtocolErrorKind.UnknownOperation);
  });

  it('dispatches zero-length payloads', () => {
    expect(parse('PUB foo 0\r\n\r\nHPUB foo 0 0\r\n\r\n')).toEqual([
      ['pub', 'foo', undefined, ''],
      ['hpub', 'foo', undefined, 0, ''],
    ]);
  });

  it('passes HPUB with a zero header size through (nats-server then delivers it as MSG)', () => {
    expect(parse('HPUB foo 0 2\r\nhi\r\n')).toEqual([['hpub', 'foo', undefined, 0, 'hi']]);
  });

  it('keeps payload bytes exactly, CR and LF included', () => {
    expect(parse('PUB foo 4\r\n\r\n\r\n\r\n')).toEqual([['pub', 'foo', undefined, '\r\n\r\n']]);
  });

  it('reports UNSUB max only when it is a positive count', () => {
    expect(parse('UNSUB 1 0\r\nUNSUB 1 x\r\nUNSUB 1 1234567890\r\nUNSUB 1 999999999\r\n')).toEqual([
      ['unsub', '1', undefined],
      ['unsub', '1', undefined],
      ['unsub', '1', undefined],
      ['unsub', '1', 999999999],
    ]);
  });

  it('splits SUB and UNSUB arguments on CR too, as nats-server does', () => {
    expect(parse('SUB foo\rq 1\r\n')).toEqual([['sub', 'foo', 'q', '1']]);
    // The first argument byte is taken as is, even LF, so the line ends at the next LF.
    expect(parse('SUB \nfoo 1\r\n')).toEqual([['sub', 'foo', undefined, '1']]);
  });

  it('decodes subjects, replies, queues and sids as latin1 so bytes round-trip', () => {
    const stream = Buffer.concat([
      Buffer.from('SUB caf'),
      Buffer.from([0xc3, 0xa9]),
      Buffer.from(' q\xff 1\r\nPUB \xe9 r\x80 1\r\nx\r\n', 'latin1'),
    ]);
    expect(parseChunks([stream])).toEqual([
      ['sub', 'caf\xc3\xa9', 'q\xff', '1'],
      ['pub', '\xe9', 'r\x80', 'x'],
    ]);
    expect(Buffer.from('caf\xc3\xa9', 'latin1')).toEqual(Buffer.from('café', 'utf8'));
  });

  it('frames HMSG from a client as nats-server does: no arguments read, empty payload, no event', () => {
    expect(parse('HMSG foo 1 0 0\r\n\r\nPING\r\n')).toEqual([['ping']]);
    expect(errorKind('HMSG foo 1 2 2\r\nhi\r\n')).toBe(ProtocolErrorKind.UnknownOperation);
  });

  it('hands out whole-frame payloads as views of the chunk, without copying', () => {
    const chunk = Buffer.from('PUB foo 5\r\nhello\r\n');
    let payload: Buffer | undefined;
    const dispatcher = new (class extends RecordingDispatcher {
      override onPub(subject: string, reply: string | undefined, data: Buffer, start: number, end: number): void {
        payload = data.subarray(start, end);
      }
    })();
    new ClientProtocolParser(dispatcher, { maxControlLine: 4096, maxPayload: 1024 }).parse(chunk);
    expect(payload?.buffer).toBe(chunk.buffer);
    expect(payload?.byteOffset).toBe(chunk.byteOffset + 11);
  });
});

describe('ClientProtocolParser: errors', () => {
  it('reports unknown operations', () => {
    for (const stream of ['XYZ\r\n', 'MSG foo 1 2\r\nhi\r\n', ' PING\r\n', '\r\n', 'PUBfoo 2\r\n', 'P\r\n', 'PI\r\n', 'SUB\r\n', 'UNSUB\r\n', 'RS+ foo\r\n', 'A+ foo\r\n', 'LMSG x\r\n']) {
      expect(errorKind(stream), JSON.stringify(stream)).toBe(ProtocolErrorKind.UnknownOperation);
    }
    expect(protocolErrorText(ProtocolErrorKind.UnknownOperation)).toBe('Unknown Protocol Operation');
  });

  it('reports a payload not followed by CRLF', () => {
    expect(parse('PUB foo 2\r\nhix\r\n')).toEqual([['error', ProtocolErrorKind.UnknownOperation, 'payload not followed by CRLF']]);
    for (const stream of ['PUB foo 2\r\nhi\r\r\n', 'PUB foo 0\r\nx', 'HPUB foo 0 1\r\nxy']) {
      expect(errorKind(stream), JSON.stringify(stream)).toBe(ProtocolErrorKind.UnknownOperation);
    }
  });

  it('reports malformed PUB, HPUB, SUB and UNSUB arguments, which nats-server closes on without -ERR', () => {
    const malformed = [
      'PUB foo bar baz qux\r\n',
      'PUB foo x\r\n',
      'PUB foo -1\r\n',
      'PUB foo\r\n',
      'PUB foo 0000000002\r\n',
      'HPUB foo 5 3\r\n',
      'HPUB foo x 3\r\n',
      'HPUB foo 3\r\n',
      'HPUB a b c d e\r\n',
      'SUB foo\r\n',
      'SUB foo a b c\r\n',
      'SUB \r\n',
      'UNSUB 1 2 3\r\n',
      'UNSUB \r\n',
    ];
    for (const stream of malformed) expect(errorKind(stream), JSON.stringify(stream)).toBe(ProtocolErrorKind.MalformedArguments);
    expect(parse('PUB foo bar baz qux\r\n')).toEqual([['error', ProtocolErrorKind.MalformedArguments, 'PUB arguments "foo bar baz qux"']]);
    expect(protocolErrorText(ProtocolErrorKind.MalformedArguments)).toBeUndefined();
  });

  it('accepts 9-digit sizes with leading zeros', () => {
    expect(parse('PUB foo 000000002\r\nhi\r\n')).toEqual([['pub', 'foo', undefined, 'hi']]);
  });

  it('enforces max_payload on the PUB size and the HPUB total size', () => {
    const limits = { maxControlLine: 4096, maxPayload: 1024 };
    expect(parse('PUB foo 1025\r\n', limits)).toEqual([['error', ProtocolErrorKind.MaxPayloadViolation, '1025 vs 1024']]);
    expect(errorKind('HPUB foo 10 1025\r\n', limits)).toBe(ProtocolErrorKind.MaxPayloadViolation);
    expect(parse(`PUB foo 1024\r\n${'x'.repeat(1024)}\r\n`, limits)).toHaveLength(1);
    expect(parse('PUB foo 5000\r\n', { maxControlLine: 4096, maxPayload: -1 })).toEqual([]);
    expect(protocolErrorText(ProtocolErrorKind.MaxPayloadViolation)).toBe('Maximum Payload Violation');
  });

  it('checks argument-count errors before max_payload, as nats-server does', () => {
    expect(errorKind('HPUB foo 2000 1000\r\n', { maxControlLine: 4096, maxPayload: 1024 })).toBe(ProtocolErrorKind.MalformedArguments);
  });

  it('measures max_control_line on the arguments: after the verb and its spaces, before CRLF', () => {
    const limits = { maxControlLine: 64, maxPayload: 1024 };
    const a = (n: number) => 'a'.repeat(n);
    expect(parse(`SUB ${a(62)} 1\r\n`, limits)).toEqual([['sub', a(62), undefined, '1']]);
    expect(parse(`SUB    ${a(62)} 1\n`, limits)).toHaveLength(1);
    expect(parse(`SUB ${a(63)} 1\r\n`, limits)).toEqual([['error', ProtocolErrorKind.MaxControlLineExceeded, 'max_control_line 64']]);
    expect(errorKind(`SUB ${a(62)} 1  \r\n`, limits)).toBe(ProtocolErrorKind.MaxControlLineExceeded);
    expect(errorKind(`CONNECT {"x":"${a(60)}"}\r\n`, limits)).toBe(ProtocolErrorKind.MaxControlLineExceeded);
    expect(parse(`PING ${a(500)}\r\n+OK ${a(500)}\r\n`, limits)).toEqual([['ping']]);
    expect(protocolErrorText(ProtocolErrorKind.MaxControlLineExceeded)).toBe('maximum control line exceeded');
  });

  it('refuses an over-long control line before its end arrives', () => {
    const limits = { maxControlLine: 64, maxPayload: 1024 };
    expect(parseChunks([`SUB ${'a'.repeat(40)}`, 'a'.repeat(30)], limits)).toEqual([['error', ProtocolErrorKind.MaxControlLineExceeded, 'max_control_line 64']]);
    expect(parseChunks([`PUB ${'a'.repeat(64)}`], limits)).toEqual([]);
    expect(parseChunks([`PUB ${'a'.repeat(64)}\r`], limits)).toEqual([]);
    expect(parseChunks([`PUB ${'a'.repeat(65)}`], limits)).toHaveLength(1);
  });

  it('applies new limits from setLimits', () => {
    const recorder = new RecordingDispatcher();
    const parser = new ClientProtocolParser(recorder, { maxControlLine: 4096, maxPayload: 10 });
    parser.parse(Buffer.from('PUB foo 20\r\n01234567890123456789\r\n'));
    expect(recorder.events[0][0]).toBe('error');
    const second = new RecordingDispatcher();
    const raised = new ClientProtocolParser(second, { maxControlLine: 4096, maxPayload: 10 });
    raised.setLimits({ maxControlLine: 4096, maxPayload: 20 });
    raised.parse(Buffer.from('PUB foo 20\r\n01234567890123456789\r\n'));
    expect(second.events).toEqual([['pub', 'foo', undefined, '01234567890123456789']]);
  });

  it('ignores everything after an error', () => {
    const recorder = new RecordingDispatcher();
    const parser = new ClientProtocolParser(recorder, { maxControlLine: 4096, maxPayload: 1024 });
    parser.parse(Buffer.from('PING\r\nXPING\r\n'));
    parser.parse(Buffer.from('PING\r\n'));
    expect(recorder.events).toEqual([['ping'], ['error', ProtocolErrorKind.UnknownOperation, 'unexpected byte 0x58']]);
    expect(parser.stopped).toBe(true);
  });
});

describe('ClientProtocolParser: connect required and stop', () => {
  it('stops with an authorization violation on any operation before CONNECT while required', () => {
    for (const stream of ['PING\r\n', 'XYZ\r\n', '+OK\r\n', ' CONNECT {}\r\n', 'pub foo 0\r\n\r\n']) {
      const recorder = new RecordingDispatcher();
      const parser = new ClientProtocolParser(recorder, { maxControlLine: 4096, maxPayload: 1024 });
      parser.setConnectRequired(true);
      parser.parse(Buffer.from(stream));
      expect(recorder.events, JSON.stringify(stream)).toEqual([['error', ProtocolErrorKind.AuthorizationViolation, 'operation before CONNECT']]);
    }
    expect(protocolErrorText(ProtocolErrorKind.AuthorizationViolation)).toBe('Authorization Violation');
  });

  it('lets the server lift the requirement from onConnect', () => {
    const events: string[] = [];
    const dispatcher = new (class extends RecordingDispatcher {
      parser: ClientProtocolParser | undefined;
      override onConnect(): void {
        events.push('connect');
        this.parser?.setConnectRequired(false);
      }
      override onPing(): void {
        events.push('ping');
      }
    })();
    const parser = new ClientProtocolParser(dispatcher, { maxControlLine: 4096, maxPayload: 1024 });
    dispatcher.parser = parser;
    parser.setConnectRequired(true);
    parser.parse(Buffer.from('connect {}\r\nPING\r\n'));
    expect(events).toEqual(['connect', 'ping']);
  });

  it('reports nothing after stop() is called from a handler', () => {
    const seen: string[] = [];
    const holder: { parser?: ClientProtocolParser } = {};
    const dispatcher: ClientDispatcher = {
      onConnect: () => seen.push('connect'),
      onPub: (subject) => {
        seen.push(subject);
        holder.parser?.stop();
      },
      onHPub: () => seen.push('hpub'),
      onSub: () => seen.push('sub'),
      onUnsub: () => seen.push('unsub'),
      onPing: () => seen.push('ping'),
      onPong: () => seen.push('pong'),
      onParseError: () => seen.push('error'),
    };
    const parser = new ClientProtocolParser(dispatcher, { maxControlLine: 4096, maxPayload: 1024 });
    holder.parser = parser;
    parser.parse(Buffer.from('PING\r\nPUB a 1\r\nx\r\nPUB b 1\r\ny\r\nPING\r\n'));
    parser.parse(Buffer.from('PING\r\n'));
    expect(seen).toEqual(['ping', 'a']);
  });
});
