import { describe, expect, it } from 'vitest';
import { goJsonSyntaxError } from './go-json-syntax.js';

const check = (text: string): string | undefined => goJsonSyntaxError(Buffer.from(text, 'latin1'));

describe('goJsonSyntaxError', () => {
  it('accepts what Go accepts', () => {
    expect(check('{"batch":1,"x":[1,2.5e-3,-0,true,false,null,{},[]],"s":"\\u00e9\\n\\"\\\\"}')).toBeUndefined();
    expect(check(' {} ')).toBeUndefined();
    expect(check('12')).toBeUndefined();
  });

  it('names the character and where it was met, in Go\'s words', () => {
    expect(check('{bad')).toBe("invalid character 'b' looking for beginning of object key string");
    expect(check('{"a" 1}')).toBe("invalid character '1' after object key");
    expect(check('{"a":1 "b":2}')).toBe(`invalid character '"' after object key:value pair`);
    expect(check('{"a":[1 2]}')).toBe("invalid character '2' after array element");
    expect(check('{"a":01}')).toBe("invalid character '1' after object key:value pair");
    expect(check('{"a":x}')).toBe("invalid character 'x' looking for beginning of value");
    expect(check('{} x')).toBe("invalid character 'x' after top-level value");
    expect(check("{'a':1}")).toBe("invalid character '\\'' looking for beginning of object key string");
  });

  it('reports literals, numbers, strings and escapes as Go does', () => {
    expect(check('{"a":tru}')).toBe("invalid character '}' in literal true (expecting 'e')");
    expect(check('{"a":nul')).toBe("invalid character ' ' in literal null (expecting 'l')");
    expect(check('{"a":1.}')).toBe("invalid character '}' after decimal point in numeric literal");
    expect(check('{"a":-}')).toBe("invalid character '}' in numeric literal");
    expect(check('{"a":1e}')).toBe("invalid character '}' in exponent of numeric literal");
    expect(check('{"a":"\\x"}')).toBe("invalid character 'x' in string escape code");
    expect(check('{"a":"\\u12"}')).toBe(`invalid character '"' in \\u hexadecimal character escape`);
    expect(check('{"a":"\n"}')).toBe("invalid character '\\n' in string literal");
    expect(check('{"a":\u0001}')).toBe("invalid character '\\x01' looking for beginning of value");
    expect(check('{"a":\u00e9}')).toBe("invalid character 'é' looking for beginning of value");
  });

  it('says the input ended early', () => {
    expect(check('{"a":1')).toBe('unexpected end of JSON input');
    expect(check('')).toBe('unexpected end of JSON input');
    expect(check('{"a":"x')).toBe('unexpected end of JSON input');
  });

  it('refuses nesting deeper than Go\'s limit', () => {
    expect(check('['.repeat(10_001))).toBe("invalid character '[' exceeded max depth");
    expect(check(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)).toBeUndefined();
  });
});
