import { describe, expect, it } from 'vitest';
import { OutboundBuffer } from './outbound.js';
import { encodeRouteConnect, encodeRouteInfo, writeRoutedMsg, writeRouteSub, writeRouteUnsub } from './route-encode.js';
import { parseRouteChunks } from './route-recording.test-support.js';

const latin1 = (buffer: Buffer) => buffer.toString('latin1');

describe('route encoders', () => {
  it('writes RS+ and RS- as nats-server 2.9 does', () => {
    const out = new OutboundBuffer();
    writeRouteSub(out, '$G', 'foo', undefined, 0);
    writeRouteSub(out, '$G', 'foo', 'q1', 2);
    writeRouteUnsub(out, '$G', 'foo', 'q1');
    writeRouteUnsub(out, 'ACC', 'bar.*', undefined);
    expect(latin1(out.take())).toBe('RS+ $G foo\r\nRS+ $G foo q1 2\r\nRS- $G foo q1\r\nRS- ACC bar.*\r\n');
  });

  it('writes RMSG in every form: plain, reply, queue groups with and without reply', () => {
    const out = new OutboundBuffer();
    const hello = Buffer.from('hello');
    writeRoutedMsg(out, '$G', 'foo', undefined, undefined, undefined, hello);
    writeRoutedMsg(out, '$G', 'foo', 'rep.1', [], undefined, hello);
    writeRoutedMsg(out, '$G', 'foo', undefined, ['q1'], undefined, hello);
    writeRoutedMsg(out, '$G', 'foo', 'rep.1', ['q1', 'q2'], undefined, hello);
    writeRoutedMsg(out, '$G', 'foo', '', undefined, undefined, new Uint8Array(0));
    expect(latin1(out.take())).toBe(
      'RMSG $G foo 5\r\nhello\r\n' +
        'RMSG $G foo rep.1 5\r\nhello\r\n' +
        'RMSG $G foo | q1 5\r\nhello\r\n' +
        'RMSG $G foo + rep.1 q1 q2 5\r\nhello\r\n' +
        'RMSG $G foo 0\r\n\r\n',
    );
  });

  it('writes HMSG with header and total sizes (T4: HMSG $G foo + rep.2 q1 20 25)', () => {
    const out = new OutboundBuffer();
    const header = Buffer.from('NATS/1.0\r\nX-K: v\r\n\r\n');
    writeRoutedMsg(out, '$G', 'foo', 'rep.2', ['q1'], header, Buffer.from('hello'));
    writeRoutedMsg(out, '$G', 'svc', undefined, undefined, Buffer.from('NATS/1.0\r\n\r\n'), Buffer.from('ping'));
    expect(latin1(out.take())).toBe(
      'HMSG $G foo + rep.2 q1 20 25\r\nNATS/1.0\r\nX-K: v\r\n\r\nhello\r\n' + 'HMSG $G svc 12 16\r\nNATS/1.0\r\n\r\nping\r\n',
    );
  });

  it('round-trips through the route parser', () => {
    const out = new OutboundBuffer();
    writeRouteSub(out, '$G', 'a.>', 'workers', 7);
    writeRoutedMsg(out, '$G', 'a.b', 'r', ['workers'], Buffer.from('NATS/1.0\r\n\r\n'), Buffer.from('x'));
    writeRouteUnsub(out, '$G', 'a.>', 'workers');
    expect(parseRouteChunks([out.take()])).toEqual([
      ['sub', undefined, '$G', 'a.>', 'workers', 7],
      ['msg', undefined, '$G', 'a.b', 'r', ['workers'], 12, 'NATS/1.0\r\n\r\nx'],
      ['unsub', '$G', 'a.>', 'workers'],
    ]);
  });

  it('ends only the first INFO of a route with a space before CRLF', () => {
    expect(latin1(encodeRouteInfo({ server_id: 'N1' }, true))).toBe('INFO {"server_id":"N1"} \r\n');
    expect(latin1(encodeRouteInfo({ server_id: 'N1' }, false))).toBe('INFO {"server_id":"N1"}\r\n');
    expect(latin1(encodeRouteConnect({ echo: true, name: 'N1' }))).toBe('CONNECT {"echo":true,"name":"N1"}\r\n');
  });
});
