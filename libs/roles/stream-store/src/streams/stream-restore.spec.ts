import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { UNLIMITED } from '../store/stream-store.js';
import { MAX_RESTORED_GAPS, StreamRestore } from './stream-restore.js';
import { parseStreamConfig } from './stream-config.js';

const encoder = new TextEncoder();
const NONE = new Uint8Array(0);

function restoreOf(name: string): StreamRestore {
  const parsed = parseStreamConfig(encoder.encode(JSON.stringify({ name })), name);
  if ('error' in parsed) throw new Error(parsed.error.description);
  return new StreamRestore(parsed.config, new MemoryStore(UNLIMITED), undefined);
}

describe('StreamRestore', () => {
  it('takes the archive of its own stream only, and its creation time', () => {
    const restore = restoreOf('S');
    expect(restore.meta('{"config":{"name":"T"},"created":"2024-01-01T00:00:00Z"}')).toBe('stream names do not match');
    expect(restore.meta('{"config":{}}')).toBe('unexpected content');
    expect(restore.meta('not json')).toBe('unexpected content');
    expect(restore.meta('{"config":{"name":"S"},"created":"2024-01-01T00:00:01.5Z"}')).toBeUndefined();
    expect(restore.createdNs).toBe(1_704_067_201_500_000_000n);
  });

  it('refuses messages with a subject or header no publish could have made', () => {
    const restore = restoreOf('S');
    expect(restore.message(1, '', NONE, NONE, 1n)).toBe('message 1 has an invalid subject');
    expect(restore.message(1, 'a.*', NONE, NONE, 1n)).toBe('message 1 has an invalid subject');
    expect(restore.message(1, 'a', encoder.encode('HTTP/1.1\r\n\r\n'), NONE, 1n)).toBe('message 1 has an invalid header');
    expect(restore.message(1, 'a', encoder.encode('NATS/1.0\r\nA: b\r\n'), NONE, 1n)).toBe('message 1 has an invalid header');
    expect(restore.message(1, 'a', encoder.encode('NATS/1.0\r\nA: b\r\n\r\n'), NONE, 1n)).toBeUndefined();
  });

  it('bounds the deleted sequences between and after the messages, which the index holds a slot for', () => {
    const restore = restoreOf('S');
    // The first message may be anywhere: nothing is kept below it.
    expect(restore.message(2 ** 40, 'a', NONE, NONE, 1n)).toBeUndefined();
    expect(restore.message(2 ** 40 + MAX_RESTORED_GAPS + 2, 'a', NONE, NONE, 2n)).toBe('too many deleted sequences');
    const tail = restoreOf('S');
    expect(tail.message(1, 'a', NONE, NONE, 1n)).toBeUndefined();
    expect(tail.end({ firstSeq: 1, lastSeq: MAX_RESTORED_GAPS + 2, lastTimeNs: 2n })).toBe('too many deleted sequences');
    expect(tail.end({ firstSeq: 1, lastSeq: 10, lastTimeNs: 2n })).toBeUndefined();
    expect(tail.store.state()).toMatchObject({ messages: 1, lastSeq: 10, numDeleted: 9 });
    // An emptied stream holds no slots, whatever its last sequence.
    const empty = restoreOf('S');
    expect(empty.end({ firstSeq: 2 ** 50, lastSeq: 2 ** 50 - 1, lastTimeNs: 2n })).toBeUndefined();
    expect(empty.store.state()).toMatchObject({ messages: 0, firstSeq: 2 ** 50 });
  });
});
