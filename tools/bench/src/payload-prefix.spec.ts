import { describe, expect, it } from 'vitest';
import { isPublishAck } from './jetstream-publisher.js';
import { PayloadPrefix } from './payload-prefix.js';
import { directGetSequence } from './stream-reader.js';

function prefixOf(text: string, capacity = 256): PayloadPrefix {
  const prefix = new PayloadPrefix(capacity);
  const bytes = Buffer.from(text, 'latin1');
  // In pieces, as FrameReader hands payloads over.
  for (let offset = 0; offset < bytes.length; offset += 7) prefix.capture(bytes, offset, Math.min(bytes.length, offset + 7));
  return prefix;
}

describe('PayloadPrefix', () => {
  it('keeps the first bytes of a payload given in pieces, up to its capacity', () => {
    const prefix = prefixOf('0123456789abcdef', 10);
    expect(prefix.toString()).toBe('0123456789');
    expect(prefix.truncated).toBe(true);
    expect(prefixOf('short').truncated).toBe(false);
  });

  it('finds bytes only among those kept since the last reset', () => {
    const prefix = prefixOf('{"stream":"BENCH","seq":12}');
    prefix.reset();
    prefix.capture(Buffer.from('{"s'), 0, 3);
    expect(prefix.includes(Buffer.from('"seq"'))).toBe(false);
    expect(prefix.indexOf(Buffer.from('"s'))).toBe(1);
    expect(prefix.startsWith(Buffer.from('{"'))).toBe(true);
    expect(prefix.startsWith(Buffer.from('{"stream'))).toBe(false);
  });

  it('reads the number after a key', () => {
    const prefix = prefixOf('a: 1\r\nNats-Sequence: 16384\r\n\r\n');
    expect(prefix.numberAfter(Buffer.from('Nats-Sequence: '))).toBe(16384);
    expect(prefix.numberAfter(Buffer.from('a: x'))).toBeUndefined();
    expect(prefix.numberAfter(Buffer.from('missing'))).toBeUndefined();
  });
});

describe('JetStream replies', () => {
  it('tells a publish ack from an error', () => {
    expect(isPublishAck(prefixOf('{"stream":"BENCH", "seq":1}'))).toBe(true);
    expect(isPublishAck(prefixOf('{"stream":"BENCH","seq":7,"duplicate":true}'))).toBe(true);
    expect(isPublishAck(prefixOf('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"BENCH","seq":0}'))).toBe(false);
    expect(isPublishAck(prefixOf(''))).toBe(false);
  });

  it('reads the sequence of a DIRECT.GET reply and rejects statuses', () => {
    const headers = 'NATS/1.0\r\nNats-Stream: BENCH\r\nNats-Subject: foo\r\nNats-Sequence: 42\r\nNats-Time-Stamp: 2026-12-02T17:13:50Z\r\n\r\n';
    expect(directGetSequence(prefixOf(headers))).toBe(42);
    expect(() => directGetSequence(prefixOf('NATS/1.0 404 Message Not Found\r\n\r\n'))).toThrow('DIRECT.GET failed: NATS/1.0 404 Message Not Found');
    expect(() => directGetSequence(prefixOf('NATS/1.0\r\nNats-Stream: BENCH\r\n\r\n'))).toThrow(/without Nats-Sequence/);
  });
});
