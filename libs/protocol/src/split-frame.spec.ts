import { describe, expect, it } from 'vitest';
import { SplitFrame } from './split-frame.js';

describe('SplitFrame', () => {
  it('joins a control line from its parts', () => {
    const split = new SplitFrame();
    split.appendLine(Buffer.from('xxPUB foo'), 2, 9);
    split.appendLine(Buffer.from(' 5\r\n'), 0, 2);
    const length = split.lineLength;
    expect(split.takeLine().toString('latin1', 0, length)).toBe('PUB foo 5');
    expect(split.lineLength).toBe(0);
  });

  it('assembles a payload from several chunks, reusing its scratch for small ones only', () => {
    const split = new SplitFrame();
    split.beginPayload(5);
    expect(split.fillPayload(Buffer.from('..he'), 2)).toBe(4);
    expect(split.payloadComplete).toBe(false);
    expect(split.fillPayload(Buffer.from('llo\r\n'), 0)).toBe(3);
    expect(split.payloadComplete).toBe(true);
    const small = split.takePayload();
    expect(small.toString('latin1', 0, 5)).toBe('hello');

    split.beginPayload(3);
    split.fillPayload(Buffer.from('abc'), 0);
    expect(split.takePayload()).toBe(small);

    const size = 100 * 1024;
    split.beginPayload(size);
    split.fillPayload(Buffer.alloc(size, 1), 0);
    const large = split.takePayload();
    expect(large.length).toBe(size);
    split.beginPayload(3);
    split.fillPayload(Buffer.from('abc'), 0);
    expect(split.takePayload()).toBe(small);
  });
});
