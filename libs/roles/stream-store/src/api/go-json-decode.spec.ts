import { describe, expect, it } from 'vitest';
import {
  GoJsonError,
  GoJsonNumber,
  goArray,
  goBool,
  goField,
  goInt,
  goObject,
  goString,
  goUint64,
  parseGoJson,
  type GoJsonObject,
} from './go-json-decode.js';

function object(text: string): GoJsonObject {
  const value = goObject(parseGoJson(text));
  if (value === undefined) throw new Error('not an object');
  return value;
}

describe('parseGoJson', () => {
  it('reads objects, arrays, strings, literals and numbers as written', () => {
    const value = object(' {"a":[1,-2.5e3,true,false,null],"b":"x\\u0041\\n","c":{}} ');
    expect(goArray(value.get('a'))).toEqual([new GoJsonNumber('1'), new GoJsonNumber('-2.5e3'), true, false, null]);
    expect(value.get('b')).toBe('xA\n');
    expect(value.get('c')).toEqual(new Map());
  });

  it.each(['', '{not json', '{"a":1,}', '[1 2]', '{"a":01}', '{"a":"\u0001"}', '"\\x"', '{} {}', '\ufeff{}', 'nul', '{"a":1', '.5', '+1'])(
    'refuses %j',
    (text) => {
      expect(() => parseGoJson(text)).toThrow(GoJsonError);
    },
  );

  it('joins surrogate pairs and turns a lone surrogate into U+FFFD, as Go does', () => {
    expect(parseGoJson('"\\ud83d\\ude00"')).toBe('😀');
    expect(parseGoJson('"\\ud83dx"')).toBe('\ufffdx');
    expect(parseGoJson('"\\ude00"')).toBe('\ufffd');
  });

  it('refuses nesting deeper than the stack allows', () => {
    expect(() => parseGoJson('['.repeat(1_000_000) + ']'.repeat(1_000_000))).toThrow(GoJsonError);
    expect(() => parseGoJson('['.repeat(1000) + ']'.repeat(1000))).not.toThrow();
  });

  it('moves a repeated key to its last place with its last value', () => {
    expect([...object('{"a":1,"b":2,"a":3}').keys()]).toEqual(['b', 'a']);
    expect(goInt(object('{"a":1,"b":2,"a":3}').get('a'), 64)).toBe(3);
  });
});

describe('goField', () => {
  it('matches keys case-insensitively, the last matching key winning', () => {
    expect(goField(object('{"NAME":"a"}'), 'name')).toBe('a');
    expect(goField(object('{"name":"a","Name":"b"}'), 'name')).toBe('b');
    expect(goField(object('{"Name":"b","name":"a"}'), 'name')).toBe('a');
    expect(goField(object('{"name":"a","Name":"b","name":"c"}'), 'name')).toBe('c');
  });

  it("folds the long s and the Kelvin sign as Go's field matching does", () => {
    expect(goField(object('{"\u017fubjects":["a"]}'), 'subjects')).toEqual(['a']);
    expect(goField(object('{"\u212aey":1}'), 'key')).toEqual(new GoJsonNumber('1'));
  });

  it('is undefined for an absent field', () => {
    expect(goField(object('{"names":1}'), 'name')).toBeUndefined();
  });
});

describe('field readers', () => {
  it('take null and absent as the zero value', () => {
    expect(goString(null)).toBe('');
    expect(goString(undefined)).toBe('');
    expect(goBool(null)).toBe(false);
    expect(goInt(null, 64)).toBe(0);
    expect(goUint64(undefined)).toBe(0);
    expect(goObject(null)).toBeUndefined();
    expect(goArray(null)).toBeUndefined();
  });

  it('refuse other JSON types', () => {
    expect(() => goString(new GoJsonNumber('1'))).toThrow(GoJsonError);
    expect(() => goBool('true')).toThrow(GoJsonError);
    expect(() => goInt('1', 64)).toThrow(GoJsonError);
    expect(() => goObject([])).toThrow(GoJsonError);
    expect(() => goArray(new Map())).toThrow(GoJsonError);
  });

  it('take integers only as integer literals within the field size', () => {
    expect(goInt(new GoJsonNumber('-9223372036854775808'), 64)).toBe(-9223372036854775808);
    expect(goInt(new GoJsonNumber('2147483647'), 32)).toBe(2147483647);
    for (const literal of ['1.0', '1e3', '9223372036854775808']) expect(() => goInt(new GoJsonNumber(literal), 64)).toThrow(GoJsonError);
    expect(() => goInt(new GoJsonNumber('2147483648'), 32)).toThrow(GoJsonError);
    expect(() => goInt(new GoJsonNumber('-2147483649'), 32)).toThrow(GoJsonError);
    expect(goUint64(new GoJsonNumber('18446744073709551615'))).toBe(18446744073709551615);
    expect(() => goUint64(new GoJsonNumber('-1'))).toThrow(GoJsonError);
    expect(() => goUint64(new GoJsonNumber('18446744073709551616'))).toThrow(GoJsonError);
  });
});
