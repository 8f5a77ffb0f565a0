import { describe, expect, it } from 'vitest';
import { encodePublishBatch } from './publisher.js';

describe('encodePublishBatch', () => {
  it('repeats one complete PUB frame to fill the batch', () => {
    const { batch, messagesPerBatch } = encodePublishBatch('foo', 16);
    const frame = `PUB foo 16\r\n${'x'.repeat(16)}\r\n`;
    expect(messagesPerBatch).toBeGreaterThan(1000);
    expect(batch.length).toBe(frame.length * messagesPerBatch);
    expect(batch.toString('latin1', 0, frame.length * 2)).toBe(frame + frame);
    expect(batch.toString('latin1', batch.length - frame.length)).toBe(frame);
  });

  it('still holds one message when a payload is larger than the batch target', () => {
    const { batch, messagesPerBatch } = encodePublishBatch('foo', 1 << 20);
    expect(messagesPerBatch).toBe(1);
    expect(batch.toString('latin1', 0, 16)).toBe('PUB foo 1048576\r');
  });
});
