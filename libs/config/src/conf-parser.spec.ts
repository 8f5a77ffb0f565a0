import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainValue, type MapNode } from './conf-nodes.js';
import { parseConfigFile, parseConfigText } from './conf-parser.js';

const parse = (text: string, env: NodeJS.ProcessEnv = {}): unknown => plainValue(parseConfigText(text, 't.conf', { env }));

describe('conf parser: key/value forms', () => {
  it('accepts =, : and blanks as separators, and ; or , as terminators', () => {
    expect(parse("foo='1'; bar=2.2; baz=true; boo=22")).toEqual({ foo: '1', bar: 2.2, baz: true, boo: 22 });
    expect(parse('a: 1\nb = 2\nc 3\n')).toEqual({ a: 1, b: 2, c: 3 });
    expect(parse('a=1, b=2')).toEqual({ a: 1, b: 2 });
  });

  it('accepts quoted keys, with spaces and special characters', () => {
    expect(parse('"a key" = 1\n\'b.c-1\': 2')).toEqual({ 'a key': 1, 'b.c-1': 2 });
    expect(parse("foo = {'bar-1.2.3' = { port:4242 }}")).toEqual({ foo: { 'bar-1.2.3': { port: 4242 } } });
  });

  it('keeps the last value of a key written twice', () => {
    expect(parse('a = 1\na = 2')).toEqual({ a: 2 });
  });

  it('skips # and // comments everywhere a key or separator may be', () => {
    const text = `# top
// also top
a = 1 # after a value
m { # after a brace
  b = 2 // after a map value
  # inside a map
}
arr [ # after a bracket
  1 # after an item
  // between items
  2
]`;
    expect(parse(text)).toEqual({ a: 1, m: { b: 2 }, arr: [1, 2] });
  });

  it('keeps # inside bare words and quoted strings', () => {
    expect(parse('a: bar#baz\nb: "x # y"')).toEqual({ a: 'bar#baz', b: 'x # y' });
  });

  it('reads JSON, with or without the outer braces and newlines', () => {
    expect(parse('{"http_port": 8224,"port": 4224}\n')).toEqual({ http_port: 8224, port: 4224 });
    expect(
      parse(`{
        "write_deadline": "1h",
        "cluster": {"port": 6222, "routes": ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]}
      }`),
    ).toEqual({ write_deadline: '1h', cluster: { port: 6222, routes: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'] } });
  });

  it('lets a top-level key take its value on the next line when there is no separator', () => {
    expect(parse('port\n4222')).toEqual({ port: 4222 });
  });
});

describe('conf parser: maps and arrays', () => {
  it('nests maps, with or without a separator before the brace', () => {
    const text = `foo {
  host {
    ip   = '127.0.0.1'
    port = 4242
  }
  servers = [ "a.com", "b.com", "c.com"]
}
bar: { x: 1 }
baz = {y: 2}`;
    expect(parse(text)).toEqual({
      foo: { host: { ip: '127.0.0.1', port: 4242 }, servers: ['a.com', 'b.com', 'c.com'] },
      bar: { x: 1 },
      baz: { y: 2 },
    });
  });

  it('separates array items with commas or new lines, allows a trailing comma', () => {
    expect(parse('a = [1, 2, 3,]')).toEqual({ a: [1, 2, 3] });
    expect(parse('a = [\n  1\n  2\n]')).toEqual({ a: [1, 2] });
    expect(parse('a = [ {abc: 123}\n {xyz: "word"} ]')).toEqual({ a: [{ abc: 123 }, { xyz: 'word' }] });
    expect(parse('a = [[1, 2], []]')).toEqual({ a: [[1, 2], []] });
  });

  it('separates map entries with commas, semicolons or new lines', () => {
    expect(parse('m { a: 1, b: 2; c: 3\n d: 4 }')).toEqual({ m: { a: 1, b: 2, c: 3, d: 4 } });
    expect(parse('m {a: 1,}')).toEqual({ m: { a: 1 } });
  });

  it('lets a map value start on a later line', () => {
    expect(parse('m {\n  a:\n    1\n}')).toEqual({ m: { a: 1 } });
  });

  it('reads a number at the end of an array as a number', () => {
    expect(parse('a = [1,2]')).toEqual({ a: [1, 2] });
  });
});

describe('conf parser: strings', () => {
  it('reads bare words up to blanks, new lines and separators', () => {
    expect(parse('listen: 127.0.0.1:4222')).toEqual({ listen: '127.0.0.1:4222' });
    expect(parse('url: nats://user:pass@host:4222')).toEqual({ url: 'nats://user:pass@host:4222' });
    expect(parse('a = foo\nb = [x, y]\nc {d: e}')).toEqual({ a: 'foo', b: ['x', 'y'], c: { d: 'e' } });
    expect(parse('path: /var/run/nats.pid')).toEqual({ path: '/var/run/nats.pid' });
  });

  it('reads words starting with a digit as strings unless they are numbers', () => {
    expect(parse('a = 3xyz\nb = 1h30m\nc = 10ms\nd = 3Gyz')).toEqual({ a: '3xyz', b: '1h30m', c: '10ms', d: '3Gyz' });
  });

  it('decodes escapes in double quotes, not in single quotes', () => {
    expect(parse(String.raw`a = "t\tn\nr\rq\"b\\x\x41"`)).toEqual({ a: 't\tn\nr\rq"b\\xA' });
    expect(parse(String.raw`a = 'raw\t\x41'`)).toEqual({ a: String.raw`raw\t\x41` });
    expect(parse(String.raw`a = "\xc3\xa9t\xc3\xa9"`)).toEqual({ a: 'été' });
  });

  it('decodes escapes in bare words too', () => {
    expect(parse(String.raw`a = foo\tbar`)).toEqual({ a: 'foo\tbar' });
  });

  it('lets quoted strings span lines and be empty', () => {
    expect(parse("a = 'multi\nline'\nb = \"\"\nc = ''")).toEqual({ a: 'multi\nline', b: '', c: '' });
  });

  it('reads ( ... ) blocks up to a line holding only )', () => {
    expect(parse('numbers (\n1234567890\n)\n')).toEqual({ numbers: '\n1234567890\n' });
    expect(parse('numbers (\n1234567890\n)')).toEqual({ numbers: '\n1234567890\n' });
    expect(parse('n (\n  12(34)56\n  (\n    7890\n  )\n)\nnext = 1')).toEqual({
      n: '\n  12(34)56\n  (\n    7890\n  )\n',
      next: 1,
    });
  });
});

describe('conf parser: numbers, booleans, dates', () => {
  it('reads integers, negatives and floats', () => {
    expect(parse('a = 22\nb = -17\nc = 2.5\nd = -0.5\ne = 0')).toEqual({ a: 22, b: -17, c: 2.5, d: -0.5, e: 0 });
  });

  it('applies size suffixes as nats-server does: k/m/g decimal, kb/ki/kib binary', () => {
    const text = `k = 8k
kb = 4kb
ki = 3ki
kib = 4KiB
m = 1m
mb = 2MB
mi = 2Mi
mib = 64MiB
g = 2g
gb = 22GB
t = 1t
tb = 1TB
p = 1p
pb = 1PB
e = 1e
eb = 1EB
neg = -1K`;
    expect(parse(text)).toEqual({
      k: 8000,
      kb: 4096,
      ki: 3072,
      kib: 4096,
      m: 1_000_000,
      mb: 2 * 1024 ** 2,
      mi: 2 * 1024 ** 2,
      mib: 64 * 1024 ** 2,
      g: 2e9,
      gb: 22 * 1024 ** 3,
      t: 1e12,
      tb: 1024 ** 4,
      p: 1e15,
      pb: 1024 ** 5,
      e: 1e18,
      eb: 1024 ** 6,
      neg: -1000,
    });
  });

  it('keeps the integer as written next to its value', () => {
    const root = parseConfigText('max_payload: 64KB', 't.conf', { env: {} });
    expect(root.entries.get('max_payload')?.node).toMatchObject({ kind: 'integer', value: 65536, raw: '64KB' });
  });

  it('reads true/false/yes/no/on/off in any case as booleans', () => {
    expect(parse('a = true\nb = FALSE\nc = yes\nd = No\ne = on\nf = OFF')).toEqual({
      a: true,
      b: false,
      c: true,
      d: false,
      e: true,
      f: false,
    });
    expect(parse('a = "true"\nb = trueish')).toEqual({ a: 'true', b: 'trueish' });
  });

  it('reads ISO8601 Zulu dates', () => {
    expect(parse('now = 2016-05-04T18:53:41Z')).toEqual({ now: new Date(Date.UTC(2016, 4, 4, 18, 53, 41)) });
  });

  it('reads dotted quads and address:port as strings', () => {
    expect(parse('a = 127.0.0.1\nb = 0.0.0.0:4222')).toEqual({ a: '127.0.0.1', b: '0.0.0.0:4222' });
  });
});

describe('conf parser: variables', () => {
  it('resolves $name from earlier keys, innermost map first', () => {
    const text = `index = 22
nest {
  index = 11
  foo = $index
  deeper { bar = $index }
}
bar = $index`;
    expect(parse(text)).toEqual({ index: 22, nest: { index: 11, foo: 11, deeper: { bar: 11 } }, bar: 22 });
  });

  it('finds variables through arrays into the enclosing map', () => {
    expect(parse('pw = secret\nusers = [ {user: a, password: $pw} ]')).toEqual({
      pw: 'secret',
      users: [{ user: 'a', password: 'secret' }],
    });
  });

  it('copies maps and arrays', () => {
    expect(parse('perms = {publish: "a.>"}\nu { p = $perms }')).toEqual({ perms: { publish: 'a.>' }, u: { p: { publish: 'a.>' } } });
  });

  it('falls back to the environment, parsing the value like a config value', () => {
    expect(parse('a = $N\nb = $S\nc = $B\nd = $Q\ne = $M\nf = $SZ', { N: '22', S: 'xyz', B: 'true', Q: "'3xyz'", M: '{x: 1}', SZ: '1MB' })).toEqual({
      a: 22,
      b: 'xyz',
      c: true,
      d: '3xyz',
      e: { x: 1 },
      f: 1024 * 1024,
    });
  });

  it('prefers a key in the file over the environment', () => {
    expect(parse('N = 1\na = $N', { N: '2' })).toEqual({ N: 1, a: 1 });
  });

  it('reads an empty environment value as an empty string', () => {
    expect(parse('a = $E', { E: '' })).toEqual({ a: '' });
  });

  it('treats an unquoted $2a$ bcrypt hash as a string', () => {
    expect(parse('password: $2a$11$ooo')).toEqual({ password: '$2a$11$ooo' });
  });

  it('marks entries used as variables and positions the copy at the reference', () => {
    const root = parseConfigText('x = 1\ny = 2\nz = $x', 't.conf', { env: {} });
    expect(root.entries.get('x')?.usedAsVariable).toBe(true);
    expect(root.entries.get('y')?.usedAsVariable).toBe(false);
    expect(root.entries.get('z')?.node.pos).toEqual({ file: 't.conf', line: 3, col: 5 });
  });

  it('does not see keys defined later or in sibling maps', () => {
    expect(() => parse('a = $b\nb = 1')).toThrow(/t\.conf:1:5: variable reference for "\$b" can not be found/);
    expect(() => parse('m { x = 1 }\nn { y = $x }')).toThrow(/t\.conf:2:9: variable reference for "\$x" can not be found/);
  });
});

describe('conf parser: positions', () => {
  it('gives 1-based lines and columns for keys and values', () => {
    const root = parseConfigText('\n  port: 4222\nm {\n\tk = "v"\n}', 'f.conf', { env: {} });
    const port = root.entries.get('port')!;
    expect(port.keyPos).toEqual({ file: 'f.conf', line: 2, col: 3 });
    expect(port.node.pos).toEqual({ file: 'f.conf', line: 2, col: 9 });
    const m = root.entries.get('m')!.node as MapNode;
    expect(m.entries.get('k')!.keyPos).toEqual({ file: 'f.conf', line: 4, col: 2 });
    expect(m.entries.get('k')!.node.pos).toEqual({ file: 'f.conf', line: 4, col: 6 });
  });

  it('counts lines inside multi-line strings and blocks', () => {
    const root = parseConfigText('a = "x\ny"\nb = (\nz\n)\nc = 1', 'f.conf', { env: {} });
    expect(root.entries.get('c')!.keyPos).toEqual({ file: 'f.conf', line: 6, col: 1 });
  });

  it('handles CRLF line ends', () => {
    const root = parseConfigText('a = 1\r\nb = foo\r\nm {\r\n  c: 2\r\n}\r\n', 'f.conf', { env: {} });
    expect(plainValue(root)).toEqual({ a: 1, b: 'foo', m: { c: 2 } });
    expect(root.entries.get('b')!.keyPos.line).toBe(2);
  });
});

describe('conf parser: includes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nats-ts-conf-'));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };

  it('merges an included file at the top level and inside maps, relative to the including file', () => {
    write('passwords.conf', 'ALICE_PASS: "$2a$10$abc"\nBOB_PASS: bob\n');
    write('sub/listen.conf', 'listen: 127.0.0.1:4222\n');
    const main = write(
      'main.conf',
      `include ./sub/listen.conf
authorization {
  include "passwords.conf"
  users = [
    {user: alice, password: $ALICE_PASS}
    {user: bob, password: $BOB_PASS}
  ]
}`,
    );
    expect(plainValue(parseConfigFile(main, { env: {} }))).toEqual({
      listen: '127.0.0.1:4222',
      authorization: {
        ALICE_PASS: '$2a$10$abc',
        BOB_PASS: 'bob',
        users: [
          { user: 'alice', password: '$2a$10$abc' },
          { user: 'bob', password: 'bob' },
        ],
      },
    });
  });

  it('resolves nested includes relative to each file, and names the included file in positions', () => {
    write('nested/inner.conf', 'deep = 1\nport: 5\n');
    write('nested/outer.conf', 'include inner.conf\n');
    const main = write('nested-main.conf', "include 'nested/outer.conf'\n");
    const root = parseConfigFile(main, { env: {} });
    expect(plainValue(root)).toEqual({ deep: 1, port: 5 });
    expect(root.entries.get('port')!.keyPos).toEqual({ file: join(dir, 'nested/inner.conf'), line: 2, col: 1 });
  });

  it('lets later keys override included ones and the other way round', () => {
    write('base.conf', 'port = 1\nhost = a\n');
    const main = write('override.conf', 'host = z\ninclude base.conf\nport = 2\n');
    expect(plainValue(parseConfigFile(main, { env: {} }))).toEqual({ host: 'a', port: 2 });
  });

  it('treats "include" with a separator as an ordinary key', () => {
    expect(parse('include: 5')).toEqual({ include: 5 });
  });

  it('refuses include cycles and missing files, naming the include line', () => {
    const a = write('cycle-a.conf', 'x = 1\ninclude cycle-b.conf\n');
    write('cycle-b.conf', 'include cycle-a.conf\n');
    expect(() => parseConfigFile(a, { env: {} })).toThrow(
      `${join(dir, 'cycle-b.conf')}:1:1: include cycle: "cycle-a.conf" is already being read`,
    );
    const missing = write('missing.conf', 'a = 1\n  include nope.conf\n');
    expect(() => parseConfigFile(missing, { env: {} })).toThrow(new RegExp(`^${missing}:2:3: cannot read include file "nope.conf"`));
  });

  it('reports syntax errors inside an included file at their own position', () => {
    write('broken.conf', 'ok = 1\nbad = [1,,2]\n');
    const main = write('includes-broken.conf', 'include broken.conf\n');
    expect(() => parseConfigFile(main, { env: {} })).toThrow(`${join(dir, 'broken.conf')}:2:10: unexpected ',' in an array`);
  });
});
