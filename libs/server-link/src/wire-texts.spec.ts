import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WireError } from '@nats-ts/protocol';
import { ClosedState } from './closed-state.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Every non-test TypeScript source of the server, with its path. */
function serverSources(): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
        found.push({ path: path.slice(ROOT.length), text: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(join(ROOT, 'libs'));
  walk(join(ROOT, 'apps'));
  return found;
}

const sources = serverSources();
const TABLE_FILES = new Set(['libs/protocol/src/wire-errors.ts', 'libs/server-link/src/closed-state.ts']);

function unusedKeys(table: object, name: string): string[] {
  return Object.keys(table).filter((key) => !sources.some((s) => !TABLE_FILES.has(s.path) && new RegExp(`\\b${name}\\.${key}\\b`).test(s.text)));
}

function literalCalls(pattern: RegExp): string[] {
  const hits: string[] = [];
  for (const s of sources) {
    s.text.split('\n').forEach((line, i) => {
      if (pattern.test(line)) hits.push(`${s.path}:${i + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

describe('wire texts', () => {
  it('finds the sources it checks', () => {
    expect(sources.some((s) => s.path === 'libs/server-link/src/server-link.ts')).toBe(true);
    expect(sources.length).toBeGreaterThan(100);
  });

  it('uses every -ERR text in the table, and writes none as a literal elsewhere', () => {
    expect(unusedKeys(WireError, 'WireError')).toEqual([]);
    expect(literalCalls(/\b(sendErr|encodeErr)\(\s*['"`]/)).toEqual([]);
  });

  it('uses every close reason in the table, and writes none as a literal elsewhere', () => {
    expect(unusedKeys(ClosedState, 'ClosedState')).toEqual([]);
    expect(literalCalls(/\b(close|markClosed|slowConsumer)\(\s*['"`][A-Z]/)).toEqual([]);
    expect(literalCalls(/closeReason\s*[!=]==\s*['"`]/)).toEqual([]);
  });

  it('has nats-server 2.9 spellings for the texts clients match on', () => {
    expect(WireError.authorizationViolation).toBe('Authorization Violation');
    expect(WireError.subscribeViolation('a"b', 'q')).toBe('Permissions Violation for Subscription to "a\\"b" using queue "q"');
    expect(ClosedState.WrongPort).toBe('Incorrect Port');
    expect(ClosedState.MaxPayloadExceeded).toBe('Maximum Message Payload Exceeded');
  });
});
