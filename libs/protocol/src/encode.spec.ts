import { describe, expect, it } from 'vitest';
import { NO_RESPONDERS_HEADER, OK_FRAME, PING_FRAME, PONG_FRAME, encodeErr, encodeInfo, writeHMsg, writeMsg } from './encode.js';
import { OutboundBuffer } from './outbound.js';
import { ProtocolErrorKind, protocolErrorText } from './protocol-error.js';

const latin1 = (buffer: Buffer) => buffer.toString('latin1');

describe('encoders', () => {
  it('writes MSG with and without a reply subject', () => {
    const out = new OutboundBuffer();
    writeMsg(out, 'foo.bar', '1', undefined, Buffer.from('hello'));
    writeMsg(out, 'foo', '22', '_INBOX.abc', Buffer.from('hi'));
    writeMsg(out, 'empty', '3', '', new Uint8Array(0));
    expect(latin1(out.take())).toBe('MSG foo.bar 1 5\r\nhello\r\nMSG foo 22 _INBOX.abc 2\r\nhi\r\nMSG empty 3 0\r\n\r\n');
  });

  it('writes HMSG with header and total sizes', () => {
    const out = new OutboundBuffer();
    const message = Buffer.from('NATS/1.0\r\nA: b\r\n\r\npayload');
    writeHMsg(out, 'foo', '7', 'reply.to', 18, message);
    writeHMsg(out, 'foo', '7', undefined, 18, message);
    expect(latin1(out.take())).toBe(
      'HMSG foo 7 reply.to 18 25\r\nNATS/1.0\r\nA: b\r\n\r\npayload\r\n' + 'HMSG foo 7 18 25\r\nNATS/1.0\r\nA: b\r\n\r\npayload\r\n',
    );
  });

  it('keeps latin1 subjects byte for byte', () => {
    const out = new OutboundBuffer();
    const subject = Buffer.from('caf\xe9.\xff', 'latin1').toString('latin1');
    writeMsg(out, subject, '1', undefined, new Uint8Array(0));
    expect(out.take()).toEqual(Buffer.from('MSG caf\xe9.\xff 1 0\r\n\r\n', 'latin1'));
  });

  it('writes the no-responders status as nats-server does', () => {
    expect(latin1(NO_RESPONDERS_HEADER)).toBe('NATS/1.0 503\r\n\r\n');
    expect(NO_RESPONDERS_HEADER).toHaveLength(16);
    const out = new OutboundBuffer();
    writeHMsg(out, '_INBOX.r', '4', undefined, NO_RESPONDERS_HEADER.length, NO_RESPONDERS_HEADER);
    expect(latin1(out.take())).toBe('HMSG _INBOX.r 4 16 16\r\nNATS/1.0 503\r\n\r\n\r\n');
  });

  it('encodes INFO with the trailing space nats-server sends', () => {
    expect(latin1(encodeInfo({ server_id: 'x', max_payload: 1048576, headers: true }))).toBe(
      'INFO {"server_id":"x","max_payload":1048576,"headers":true} \r\n',
    );
  });

  it('encodes -ERR and the constant frames', () => {
    expect(latin1(encodeErr('Unknown Protocol Operation'))).toBe("-ERR 'Unknown Protocol Operation'\r\n");
    expect(latin1(PING_FRAME)).toBe('PING\r\n');
    expect(latin1(PONG_FRAME)).toBe('PONG\r\n');
    expect(latin1(OK_FRAME)).toBe('+OK\r\n');
  });

  it('gives the exact -ERR text for each parse error, or none where nats-server closes silently', () => {
    const texts = Object.values(ProtocolErrorKind).map((kind) => [kind, protocolErrorText(kind)]);
    expect(Object.fromEntries(texts)).toEqual({
      [ProtocolErrorKind.UnknownOperation]: 'Unknown Protocol Operation',
      [ProtocolErrorKind.MaxControlLineExceeded]: 'maximum control line exceeded',
      [ProtocolErrorKind.MaxPayloadViolation]: 'Maximum Payload Violation',
      [ProtocolErrorKind.AuthorizationViolation]: 'Authorization Violation',
      [ProtocolErrorKind.MalformedArguments]: undefined,
      [ProtocolErrorKind.InvalidInfo]: undefined,
      [ProtocolErrorKind.ClientReportedError]: undefined,
    });
  });
});
