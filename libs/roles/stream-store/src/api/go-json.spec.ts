import { describe, expect, it } from 'vitest';
import { goJson, goJsonBytes } from './go-json.js';

describe('goJson', () => {
  it('escapes what Go escapes and keeps insertion order', () => {
    expect(goJson({ subjects: ['orders.>'], b: 1, a: '<&>' })).toBe('{"subjects":["orders.\\u003e"],"b":1,"a":"\\u003c\\u0026\\u003e"}');
    expect(goJson('\u2028\u2029')).toBe('"\\u2028\\u2029"');
  });

  it('writes \\b and \\f as Go does and leaves \\n, \\r, \\t and other escapes alone', () => {
    expect(goJson('\b\f\n\r\t\u0001"\\')).toBe('"\\u0008\\u000c\\n\\r\\t\\u0001\\"\\\\"');
  });

  it('does not touch an escaped backslash followed by a letter', () => {
    expect(goJson('\\b\\f')).toBe('"\\\\b\\\\f"');
  });

  it('leaves non-ASCII text as UTF-8 and drops undefined members', () => {
    expect(goJson({ name: 'grüße', gone: undefined })).toBe('{"name":"grüße"}');
  });

  it('refuses a value without a JSON form', () => {
    expect(() => goJson(undefined)).toThrow(TypeError);
  });

  it('gives the same text as bytes', () => {
    expect(Buffer.from(goJsonBytes({ a: '>' })).toString()).toBe('{"a":"\\u003e"}');
  });
});
