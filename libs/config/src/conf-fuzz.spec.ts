import { describe, expect, it } from 'vitest';
import { parseConfigText } from './conf-parser.js';
import { ConfigError } from './errors.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLE = `# sample
listen: 127.0.0.1:4222
http = 8222
max_payload: 1MB
ping_interval: "2m"
authorization {
  PASS: $2a$11$ooo
  users = [
    {user: alice, password: $PASS, permissions: {publish: {allow: ["a.>"], deny: "b"}}}
    {user: 'bob', password: "x\\ty"}
  ]
}
block (
text
)
cluster { routes = [nats://a:6222, nats://b:6222] }
now = 2016-05-04T18:53:41Z
`;

const PIECES = ['{', '}', '[', ']', '(', ')', '\n)\n', '"', "'", '\\', '\\x', '=', ':', ',', ';', '#', '//', '/', '$', '$a', '-', '.', '1', '22', '1k', '2MB', '1.5', 'include ', 'include x', 'true', 'a', 'key', ' ', '\t', '\n', '\r\n', '2016-', 'é', '\u0000', '\ufeff'];

/** Parses without hanging or crashing: a map, or a ConfigError naming a position. */
function parsesSafely(text: string): void {
  try {
    parseConfigText(text, 'fuzz.conf', { env: { a: '1' } });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`non-ConfigError for ${JSON.stringify(text)}: ${String(err)}`);
    expect(err.errors[0]).toMatch(/^fuzz\.conf:\d+:\d+: |^\$a:/);
  }
}

describe('conf parser: fuzz', () => {
  it('survives random sequences of syntax pieces', () => {
    const next = random(1);
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const length = Math.floor(next() * 30);
      for (let j = 0; j < length; j++) text += PIECES[Math.floor(next() * PIECES.length)];
      parsesSafely(text);
    }
  });

  it('survives mutations of a valid file', () => {
    const next = random(2);
    for (let i = 0; i < 3000; i++) {
      const chars = [...SAMPLE];
      const edits = 1 + Math.floor(next() * 4);
      for (let j = 0; j < edits; j++) {
        const at = Math.floor(next() * chars.length);
        const roll = next();
        if (roll < 0.4) chars.splice(at, 1);
        else if (roll < 0.8) chars.splice(at, 0, PIECES[Math.floor(next() * PIECES.length)]!);
        else chars.splice(at, chars.length);
      }
      parsesSafely(chars.join(''));
    }
  });

  it('survives random characters', () => {
    const next = random(3);
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const length = Math.floor(next() * 40);
      for (let j = 0; j < length; j++) text += String.fromCharCode(Math.floor(next() * 128));
      parsesSafely(text);
    }
  });

  it('parses large inputs in linear time', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `key${i} = "value ${i}"`).join('\n');
    const started = performance.now();
    parsesSafely(big);
    parsesSafely(`a = "${'x'.repeat(1_000_000)}`);
    parsesSafely(`a = ${'['.repeat(100)}${']'.repeat(100)}`);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('ends on inputs that once looped forever in nats-server', () => {
    parsesSafely('A@@Føøøø?˛ø:{øøøø˙˙');
    parsesSafely('include "9/\ufffd');
  });
});
