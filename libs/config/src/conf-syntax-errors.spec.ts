import { describe, expect, it } from 'vitest';
import { parseConfigText } from './conf-parser.js';
import { ConfigError } from './errors.js';

/** The one error a syntax problem produces. */
function syntaxError(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfigText(text, 'bad.conf', { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).errors).toHaveLength(1);
    return (err as ConfigError).errors[0]!;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
}

describe('conf parser: syntax errors name file:line:col and what was expected', () => {
  it.each([
    ['a key without a value', 'port: 4222\nfoo', "bad.conf:2:4: expected a value for \"foo\", found end of file"],
    ['a separator without a value at the end', 'foo =', 'bad.conf:1:6: expected a value for "foo", found end of file'],
    ['a value on the next line after a separator', 'foo =\n1', 'bad.conf:1:6: expected a value, found a new line'],
    ['an empty value', 'foo = ;', "bad.conf:1:7: expected a value, found ';'"],
    ['a leading separator', '= 1', "bad.conf:1:1: unexpected '=', expected a key"],
    ['garbage after a value', 'a = 1 b', "bad.conf:1:7: expected a new line, ';', ',' or a comment after the value, found 'b'"],
    ['an unterminated double-quoted string', 'listen: "localhost:4242\n\nhttp: 8222\n', 'bad.conf:1:9: unterminated string, expected \'"\''],
    ['an unterminated single-quoted string', "a = 1\nlisten: 'x", 'bad.conf:2:9: unterminated string, expected "\'"'],
    ['an unterminated quoted key', 'a = 1\n  "key = 1', 'bad.conf:2:3: unterminated quoted key, expected "'],
    ['an unterminated map', 'listen = 4222\n\ncluster = {\n\n  foo = bar\n\n', "bad.conf:7:1: unexpected end of file in a map, expected '}'"],
    ['an unterminated array', 'a = [1, 2', "bad.conf:1:10: unexpected end of file in an array, expected ']'"],
    ['an unterminated block', 'listen = 4222\n\nquote = (\n\n  foo = bar\n\n', "bad.conf:3:9: unterminated block, expected ')' alone on a line"],
    ['a double comma in an array', 'a = [1,,2]', "bad.conf:1:8: unexpected ',' in an array, expected a value or ']'"],
    ['a missing comma between array items', 'a = [1 2]', "bad.conf:1:8: expected ',' or ']' after an array value, found '2'"],
    ['a bad map terminator', 'm { a = 1 ] }', "bad.conf:1:11: expected ',' or '}' after a map value, found ']'"],
    ['a ] in place of a map key', 'm {\n ]\n}', "bad.conf:2:2: unexpected ']' in a map, expected a key or '}'"],
    ['a map key at the end of the file', 'm { abc', 'bad.conf:1:8: unexpected end of file after key "abc", expected a value'],
    ['a bad escape', 'a = "x\\qy"', "bad.conf:1:7: invalid escape '\\q', only \\xXX, \\t, \\n, \\r, \\\" and \\\\ are allowed"],
    ['a short hex escape', 'a = "\\x4"', "bad.conf:1:8: expected two hexadecimal digits after '\\x', found '4\"'"],
    ['a hex escape cut by the line end', 'a = "\\x\n"', "bad.conf:1:8: expected two hexadecimal digits after '\\x', found the end of the line"],
    ['a float without leading digit', 'a = .5', 'bad.conf:1:5: floats must start with a digit'],
    ['a float without trailing digit', 'a = 1.x', "bad.conf:1:7: floats must have a digit after the '.', found 'x'"],
    ['a lone minus', 'a = -x', "bad.conf:1:6: expected a digit after '-', found 'x'"],
    ['a partial date', 'a = 2016-05-04', "bad.conf:1:15: expected 'T' in ISO8601 datetime, found end of file"],
    ['a dash in a number', 'a = 12-3', 'bad.conf:1:5: dates must be in full ISO8601 Zulu form, YYYY-MM-DDTHH:MM:SSZ'],
    ['an impossible date', 'a = 2016-13-04T18:53:41Z', 'bad.conf:1:5: invalid date "2016-13-04T18:53:41Z"'],
    ['an integer out of range', 'a = 9223372036854775808', 'bad.conf:1:5: integer "9223372036854775808" is out of range'],
    ['a size out of range', 'a = 8EiB', 'bad.conf:1:5: integer "8EiB" is out of range'],
    ['an unknown size suffix', 'a = 1kbb', 'bad.conf:1:5: invalid size suffix in "1kbb"'],
    ['an include without a file', 'include \nx = 1', 'bad.conf:1:9: expected a file name after include, found a new line'],
    ['an include of a number', 'include 5.conf', "bad.conf:1:9: expected a file name after include, found '5'"],
    ['an unknown variable', 'a = 1\nb = $nope', 'bad.conf:2:5: variable reference for "$nope" can not be found'],
    ['a variable named like an object property', 'a = $toString', 'bad.conf:1:5: variable reference for "$toString" can not be found'],
  ])('%s', (_what, text, expected) => {
    expect(syntaxError(text)).toBe(expected);
  });

  it('reports an environment value that does not parse at the reference', () => {
    expect(syntaxError('a = 1\nb = $BAD', { BAD: 'two words' })).toBe(
      `bad.conf:2:5: variable reference for "$BAD" could not be parsed: $BAD:1:8: expected a new line, ';', ',' or a comment after the value, found 'w'`,
    );
  });

  it('refuses an environment variable that refers to itself', () => {
    expect(syntaxError('a = $LOOP', { LOOP: '$LOOP' })).toMatch(/^bad\.conf:1:5: variable reference for "\$LOOP" could not be parsed: \$LOOP:1:4: variable reference for "\$LOOP" refers to itself$/);
  });

  it('refuses nesting deeper than 100 levels instead of exhausting the stack', () => {
    expect(syntaxError(`a = ${'['.repeat(5000)}`)).toBe('bad.conf:1:105: maps and arrays nest deeper than 100 levels');
    expect(syntaxError(`a = ${'{b = '.repeat(200)}`)).toMatch(/^bad\.conf:1:\d+: maps and arrays nest deeper than 100 levels$/);
  });
});
