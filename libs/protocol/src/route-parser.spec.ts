import { describe, expect, it } from 'vitest';
import { ProtocolErrorKind } from './protocol-error.js';
import { RouteProtocolParser } from './route-parser.js';
import { seededRandom, splitAt } from './recording-dispatcher.test-support.js';
import { RouteRecordingDispatcher, parseRouteChunks } from './route-recording.test-support.js';

// Frames as nats-server 2.9.10 sends them (see /work/shared/protocols/ROUTES_GATEWAYS.md, T1-T6).
const PEER_STREAM = Buffer.from(
  'CONNECT {"echo":true,"verbose":false,"pedantic":false,"tls_required":false,"headers":true,"name":"NA","cluster":"A","lnoc":true}\r\n' +
    'INFO {"server_id":"NB","cluster":"A"} \r\n' +
    'RS+ $SYS $SYS.ACCOUNT.*.CLAIMS.UPDATE\r\n' +
    'RS+ $G foo q1 2\r\n' +
    'PING\r\nPONG\r\n' +
    'RMSG $G foo | q1 5\r\nhello\r\n' +
    'RMSG $G foo + rep.1 q1 q2 5\r\nhello\r\n' +
    'RMSG $G foo rep.2 0\r\n\r\n' +
    'RMSG $G foo 3\r\nabc\r\n' +
    'HMSG $G foo + rep.2 q1 20 25\r\nNATS/1.0\r\nX-K: v\r\n\r\nhello\r\n' +
    'HMSG $G foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n' +
    'LS+ L $G lq grp 1\r\n' +
    'LMSG L $G fromleaf | qg 0 2\r\nhi\r\n' +
    'LMSG L $G fromleaf + rr qg 12 14\r\nNATS/1.0\r\n\r\nhi\r\n' +
    'LS-  $G lfoo\r\n' +
    'RS- $G foo q1\r\nRS- $G foo\r\n' +
    'A+ $G\r\nA- $G\r\n+OK\r\n' +
    "-ERR 'Stale Connection'\r\n",
  'latin1',
);

const EXPECTED = [
  ['connect', '{"echo":true,"verbose":false,"pedantic":false,"tls_required":false,"headers":true,"name":"NA","cluster":"A","lnoc":true}'],
  ['info', '{"server_id":"NB","cluster":"A"} '],
  ['sub', undefined, '$SYS', '$SYS.ACCOUNT.*.CLAIMS.UPDATE', undefined, 0],
  ['sub', undefined, '$G', 'foo', 'q1', 2],
  ['ping'],
  ['pong'],
  ['msg', undefined, '$G', 'foo', undefined, ['q1'], 0, 'hello'],
  ['msg', undefined, '$G', 'foo', 'rep.1', ['q1', 'q2'], 0, 'hello'],
  ['msg', undefined, '$G', 'foo', 'rep.2', [], 0, ''],
  ['msg', undefined, '$G', 'foo', undefined, [], 0, 'abc'],
  ['msg', undefined, '$G', 'foo', 'rep.2', ['q1'], 20, 'NATS/1.0\r\nX-K: v\r\n\r\nhello'],
  ['msg', undefined, '$G', 'foo', undefined, [], 12, 'NATS/1.0\r\n\r\nhi'],
  ['sub', 'L', '$G', 'lq', 'grp', 1],
  ['msg', 'L', '$G', 'fromleaf', undefined, ['qg'], 0, 'hi'],
  ['msg', 'L', '$G', 'fromleaf', 'rr', ['qg'], 12, 'NATS/1.0\r\n\r\nhi'],
  ['unsub', '$G', 'lfoo', undefined],
  ['unsub', '$G', 'foo', 'q1'],
  ['unsub', '$G', 'foo', undefined],
  ['account', '$G', true],
  ['account', '$G', false],
  ['err', "'Stale Connection'"],
];

/** Lifts the CONNECT requirement once CONNECT arrives, as the route role does. */
class ConnectLiftingRecorder extends RouteRecordingDispatcher {
  parser: RouteProtocolParser | undefined;

  override onConnect(json: Buffer): void {
    super.onConnect(json);
    this.parser?.setConnectRequired(false);
  }
}

describe('RouteProtocolParser', () => {
  it('parses every route verb as nats-server 2.9 sends it', () => {
    expect(parseRouteChunks([PEER_STREAM])).toEqual(EXPECTED);
  });

  it('matches verbs case-insensitively and accepts tabs and extra spaces', () => {
    expect(parseRouteChunks(['rs+\t$G  foo\r\nrmsg $G\tfoo  2\r\nhi\r\nping\r\n'])).toEqual([
      ['sub', undefined, '$G', 'foo', undefined, 0],
      ['msg', undefined, '$G', 'foo', undefined, [], 0, 'hi'],
      ['ping'],
    ]);
  });

  it('gives the same events fed one byte at a time', () => {
    const bytes = Array.from({ length: PEER_STREAM.length }, (_, i) => PEER_STREAM.subarray(i, i + 1));
    expect(parseRouteChunks(bytes)).toEqual(EXPECTED);
  });

  it('gives the same events for a split at every offset', () => {
    for (let offset = 0; offset <= PEER_STREAM.length; offset++) {
      expect(parseRouteChunks(splitAt(PEER_STREAM, [offset])), `split at ${offset}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events for random multi-way splits', () => {
    const random = seededRandom(4);
    for (let round = 0; round < 200; round++) {
      const offsets = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * PEER_STREAM.length)).sort(
        (a, b) => a - b,
      );
      expect(parseRouteChunks(splitAt(PEER_STREAM, offsets)), `splits ${offsets.join(',')}`).toEqual(EXPECTED);
    }
  });

  it('reads a message naming more queue groups than its preallocated slots', () => {
    const queues = Array.from({ length: 40 }, (_, i) => `q${i}`);
    expect(parseRouteChunks([`RMSG $G s | ${queues.join(' ')} 1\r\nx\r\n`])).toEqual([
      ['msg', undefined, '$G', 's', undefined, queues, 0, 'x'],
    ]);
  });

  it('delivers large payloads split across chunks', () => {
    const payload = 'p'.repeat(100_000);
    const stream = Buffer.from(`RMSG $G big ${payload.length}\r\n${payload}\r\nPING\r\n`, 'latin1');
    expect(parseRouteChunks(splitAt(stream, [10, 5000, 70_000]))).toEqual([
      ['msg', undefined, '$G', 'big', undefined, [], 0, payload],
      ['ping'],
    ]);
  });

  it('stops on malformed arguments as nats-server closes the route', () => {
    const cases: [string, string][] = [
      ['RS+ $G\r\n', 'RS+'],
      ['RS+ $G foo q\r\n', 'RS+'],
      ['RS+ $G foo q 1 extra\r\n', 'RS+'],
      ['LS+ $G foo\r\n', 'LS+'],
      ['RS- $G\r\n', 'RS-'],
      ['RMSG $G 5\r\n', 'RMSG'],
      ['RMSG $G foo x q 5\r\n', 'RMSG'],
      ['RMSG $G foo ++ r q 5\r\n', 'RMSG'],
      ['RMSG $G foo bar\r\n', 'RMSG'],
      ['HMSG $G foo 5\r\n', 'HMSG'],
      ['HMSG $G foo 6 5\r\n', 'HMSG'],
      ['LMSG L $G foo 5\r\n', 'LMSG'],
      ['A+ $G extra\r\n', 'A+'],
      ['A- \r\n', 'A-'],
    ];
    for (const [text, verb] of cases) {
      const events = parseRouteChunks(['PING\r\n', text, 'PING\r\n']);
      expect(events[0]).toEqual(['ping']);
      expect(events, text).toHaveLength(2);
      expect(events[1]![0]).toBe('error');
      expect(events[1]![1]).toBe(ProtocolErrorKind.MalformedArguments);
      expect(String(events[1]![2])).toContain(verb);
    }
  });

  it('stops on unknown operations and on a payload without CRLF', () => {
    expect(parseRouteChunks(['PUB foo 1\r\n'])).toEqual([['error', ProtocolErrorKind.UnknownOperation, 'unexpected byte 0x55']]);
    expect(parseRouteChunks(['RX\r\n'])).toEqual([['error', ProtocolErrorKind.UnknownOperation, 'unexpected byte 0x58']]);
    expect(parseRouteChunks(['RS* $G foo\r\n'])[0]![1]).toBe(ProtocolErrorKind.UnknownOperation);
    expect(parseRouteChunks(['RSx'])[0]![1]).toBe(ProtocolErrorKind.UnknownOperation);
    expect(parseRouteChunks(['RMSG $G a 2\r\nhix\r\n'])).toEqual([
      ['error', ProtocolErrorKind.UnknownOperation, 'payload not followed by CRLF'],
    ]);
    // A verb that needs arguments must be followed by a space.
    expect(parseRouteChunks(['RS+\r\n'])[0]![1]).toBe(ProtocolErrorKind.UnknownOperation);
  });

  it('requires CONNECT first when told to, and not after it is lifted', () => {
    expect(parseRouteChunks(['INFO {}\r\n'], true)).toEqual([['error', ProtocolErrorKind.AuthorizationViolation, 'operation before CONNECT']]);
    const recorder = new ConnectLiftingRecorder();
    const parser = new RouteProtocolParser(recorder);
    recorder.parser = parser;
    parser.setConnectRequired(true);
    parser.parse(Buffer.from('CONNECT {}\r\nINFO {}\r\n'));
    expect(recorder.events).toEqual([
      ['connect', '{}'],
      ['info', '{}'],
    ]);
  });

  it('ignores input after stop()', () => {
    const recorder = new RouteRecordingDispatcher();
    const parser = new RouteProtocolParser(recorder);
    parser.parse(Buffer.from('PING\r\n'));
    parser.stop();
    parser.parse(Buffer.from('PING\r\n'));
    expect(recorder.events).toEqual([['ping']]);
    expect(parser.stopped).toBe(true);
  });
});
