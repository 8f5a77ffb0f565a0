import { describe, expect, it } from 'vitest';
import { RecentString } from './recent-string.js';

describe('RecentString', () => {
  it('returns the same string for repeated bytes and a new one when they change', () => {
    const recent = new RecentString();
    const line = Buffer.from('foo.bar foo.bar foo.baz foo', 'latin1');
    const first = recent.read(line, 0, 7);
    expect(first).toBe('foo.bar');
    expect(recent.read(line, 8, 15)).toBe(first);
    expect(recent.read(line, 16, 23)).toBe('foo.baz');
    expect(recent.read(line, 24, 27)).toBe('foo');
    expect(recent.read(Buffer.from('foo'), 0, 3)).toBe('foo');
  });

  it('reads long tokens without remembering them', () => {
    const recent = new RecentString();
    const long = 'x'.repeat(300);
    expect(recent.read(Buffer.from(long), 0, 300)).toBe(long);
    expect(recent.read(Buffer.from(`${long}y`), 0, 301)).toBe(`${long}y`);
    expect(recent.read(Buffer.from('ab'), 0, 2)).toBe('ab');
    expect(recent.read(Buffer.from('ab'), 0, 2)).toBe('ab');
  });

  it('reads UTF-8 when asked to', () => {
    const recent = new RecentString('utf8');
    const bytes = Buffer.from('añb', 'utf8');
    expect(recent.read(bytes, 0, bytes.length)).toBe('añb');
    expect(recent.read(Buffer.from('añb', 'utf8'), 0, bytes.length)).toBe('añb');
    expect(new RecentString().read(bytes, 0, bytes.length)).toBe(bytes.toString('latin1'));
  });
});
