import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfLexer, type Token, type ValueKind } from './conf-lexer.js';
import type { ConfigEntry, ConfigNode, MapNode } from './conf-nodes.js';
import { ConfigError, type SourcePos } from './errors.js';

export interface ParseOptions {
  /** Where `$NAME` references not defined in the file are looked up; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
}

/** Maps and arrays nested deeper than this are refused rather than risking the stack. */
const MAX_NESTING = 100;
const MAX_INCLUDE_DEPTH = 32;
const TRUE_WORDS = new Set(['true', 'yes', 'on']);
/** An unquoted `$2a$...` is a bcrypt hash, not a variable (nats-server's special case). */
const BCRYPT_VARIABLE_PREFIX = '2a$';
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const LEADING_INTEGER = /^-?\d+/;
const SIZE_MULTIPLIERS = sizeMultipliers();

function sizeMultipliers(): ReadonlyMap<string, bigint> {
  const table = new Map<string, bigint>([['', 1n]]);
  ['k', 'm', 'g', 't', 'p', 'e'].forEach((unit, i) => {
    const power = BigInt(i + 1);
    table.set(unit, 1000n ** power);
    for (const binary of [`${unit}b`, `${unit}i`, `${unit}ib`]) table.set(binary, 1024n ** power);
  });
  return table;
}

interface ParseContext {
  readonly env: NodeJS.ProcessEnv;
  /** Absolute paths of the files being parsed, outermost first, to refuse include cycles. */
  readonly includeStack: readonly string[];
  /** Environment variables whose values are being parsed, to refuse self references. */
  readonly resolving: ReadonlySet<string>;
}

/** Reads and parses a configuration file, following includes and resolving variables. */
export function parseConfigFile(path: string, options: ParseOptions = {}): MapNode {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read configuration file "${path}": ${(err as Error).message}`]);
  }
  return parseConfigText(text, path, options);
}

/** Parses configuration text; `file` names it in positions and anchors relative includes. */
export function parseConfigText(text: string, file: string, options: ParseOptions = {}): MapNode {
  const context: ParseContext = { env: options.env ?? process.env, includeStack: [resolve(file)], resolving: new Set() };
  return new ConfParser(text, file, context).document();
}

class ConfParser {
  private readonly lexer: ConfLexer;
  /** Maps being built, outermost first: where `$name` is looked up, innermost first. */
  private readonly scopes: Map<string, ConfigEntry>[] = [];

  constructor(
    text: string,
    private readonly file: string,
    private readonly context: ParseContext,
  ) {
    this.lexer = new ConfLexer(text, file);
  }

  document(): MapNode {
    const entries = new Map<string, ConfigEntry>();
    this.scopes.push(entries);
    for (let key = this.lexer.topKey(); key.kind !== 'eof'; key = this.lexer.topKey()) {
      if (key.kind === 'include') {
        this.include(key, entries);
      } else {
        this.lexer.keySeparator(key, false);
        set(entries, key, this.value(this.lexer.value(), 0));
      }
      this.lexer.topValueEnd();
    }
    this.scopes.pop();
    return { kind: 'map', entries, pos: { file: this.file, line: 1, col: 1 } };
  }

  private value(token: Token<ValueKind>, depth: number): ConfigNode {
    const pos = token.pos;
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.text, pos };
      case 'bool':
        return { kind: 'bool', value: TRUE_WORDS.has(token.text.toLowerCase()), pos };
      case 'integer':
        return integerNode(token);
      case 'float':
        return { kind: 'float', value: Number(token.text), pos };
      case 'datetime':
        return datetimeNode(token);
      case 'variable':
        return this.variable(token);
      case 'arrayStart':
        return this.array(pos, depth + 1);
      case 'mapStart':
        return this.map(pos, depth + 1);
    }
  }

  private array(pos: SourcePos, depth: number): ConfigNode {
    checkNesting(pos, depth);
    const items: ConfigNode[] = [];
    for (;;) {
      const token = this.lexer.arrayItem();
      if (token.kind === 'arrayEnd') break;
      items.push(this.value(token, depth));
      if (this.lexer.arrayItemEnd()) break;
    }
    return { kind: 'array', items, pos };
  }

  private map(pos: SourcePos, depth: number): ConfigNode {
    checkNesting(pos, depth);
    const entries = new Map<string, ConfigEntry>();
    this.scopes.push(entries);
    for (;;) {
      const key = this.lexer.mapKey();
      if (key.kind === 'mapEnd') break;
      if (key.kind === 'include') {
        this.include(key, entries);
      } else {
        this.lexer.keySeparator(key, true);
        set(entries, key, this.value(this.lexer.value(), depth));
      }
      if (this.lexer.mapValueEnd()) break;
    }
    this.scopes.pop();
    return { kind: 'map', entries, pos };
  }

  /** The included file is parsed on its own (its own variables) and its keys merged here. */
  private include(token: Token<'include'>, into: Map<string, ConfigEntry>): void {
    const path = isAbsolute(token.text) ? token.text : join(dirname(this.file), token.text);
    const absolute = resolve(path);
    const stack = this.context.includeStack;
    if (stack.includes(absolute)) throw ConfigError.at(token.pos, `include cycle: "${token.text}" is already being read`);
    if (stack.length > MAX_INCLUDE_DEPTH) throw ConfigError.at(token.pos, `includes nest deeper than ${MAX_INCLUDE_DEPTH} files`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw ConfigError.at(token.pos, `cannot read include file "${token.text}": ${(err as Error).message}`);
    }
    const included = new ConfParser(text, path, { ...this.context, includeStack: [...stack, absolute] }).document();
    for (const entry of included.entries.values()) {
      into.delete(entry.key);
      into.set(entry.key, entry);
    }
  }

  /** `$name`: the nearest enclosing map that already defined `name`, else the environment. */
  private variable(token: Token<'variable'>): ConfigNode {
    const name = token.text;
    if (name.startsWith(BCRYPT_VARIABLE_PREFIX)) return { kind: 'string', value: `$${name}`, pos: token.pos };
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const entry = this.scopes[i]!.get(name);
      if (entry !== undefined) {
        entry.usedAsVariable = true;
        return { ...entry.node, pos: token.pos };
      }
    }
    const env = this.context.env;
    const fromEnv = Object.hasOwn(env, name) ? env[name] : undefined;
    if (typeof fromEnv === 'string') return this.environmentValue(token, fromEnv);
    throw ConfigError.at(token.pos, `variable reference for "$${name}" can not be found`);
  }

  /** Environment values are read as configuration values: `22` is a number, `{a: 1}` a map. */
  private environmentValue(token: Token<'variable'>, raw: string): ConfigNode {
    const name = token.text;
    if (raw.trim() === '') return { kind: 'string', value: '', pos: token.pos };
    if (this.context.resolving.has(name)) {
      throw ConfigError.at(token.pos, `variable reference for "$${name}" refers to itself`);
    }
    const resolving = new Set(this.context.resolving).add(name);
    const source = `$${name}`;
    let parsed: ConfigNode | undefined;
    try {
      const document = new ConfParser(`pk=${raw}`, source, { ...this.context, resolving }).document();
      parsed = document.entries.get('pk')?.node;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw ConfigError.at(token.pos, `variable reference for "$${name}" could not be parsed: ${err.errors.join('; ')}`);
    }
    if (parsed === undefined) throw ConfigError.at(token.pos, `variable reference for "$${name}" has no value`);
    return { ...parsed, pos: token.pos };
  }
}

function set(entries: Map<string, ConfigEntry>, key: Token<'key'>, node: ConfigNode): void {
  // Deleting first keeps entries in the order they were last written.
  entries.delete(key.text);
  entries.set(key.text, { key: key.text, keyPos: key.pos, node, usedAsVariable: false });
}

function checkNesting(pos: SourcePos, depth: number): void {
  if (depth > MAX_NESTING) throw ConfigError.at(pos, `maps and arrays nest deeper than ${MAX_NESTING} levels`);
}

function integerNode(token: Token<'integer'>): ConfigNode {
  const digits = LEADING_INTEGER.exec(token.text)?.[0] ?? '';
  const multiplier = SIZE_MULTIPLIERS.get(token.text.slice(digits.length).toLowerCase());
  if (digits === '' || multiplier === undefined) throw ConfigError.at(token.pos, `invalid size suffix in "${token.text}"`);
  const value = BigInt(digits) * multiplier;
  if (value > INT64_MAX || value < INT64_MIN) throw ConfigError.at(token.pos, `integer "${token.text}" is out of range`);
  return { kind: 'integer', value: Number(value), raw: token.text, pos: token.pos };
}

function datetimeNode(token: Token<'datetime'>): ConfigNode {
  const [year, month, day, hour, minute, second] = token.text.split(/[-T:Z]/).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  const roundTrips =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!roundTrips) throw ConfigError.at(token.pos, `invalid date "${token.text}"`);
  return { kind: 'datetime', value: date, pos: token.pos };
}
