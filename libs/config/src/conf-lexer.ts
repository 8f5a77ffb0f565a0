import { ConfigError, type SourcePos } from './errors.js';

/**
 * Scanner for nats-server's configuration format. The format is context sensitive (a bare
 * word is a key in one place and a value in another), so instead of a token stream the
 * lexer offers one method per grammatical position and the parser calls the one it is at.
 * Each method reads exactly one token or separator and throws a `ConfigError` naming
 * `file:line:col` when the input does not fit.
 */

export type TokenKind =
  | 'key'
  | 'include'
  | 'string'
  | 'integer'
  | 'float'
  | 'bool'
  | 'datetime'
  | 'variable'
  | 'arrayStart'
  | 'arrayEnd'
  | 'mapStart'
  | 'mapEnd'
  | 'eof';

/** Token kinds that start a value. */
export type ValueKind = 'string' | 'integer' | 'float' | 'bool' | 'datetime' | 'variable' | 'arrayStart' | 'mapStart';

interface TokenOf<K extends TokenKind> {
  readonly kind: K;
  /**
   * Key name, decoded string contents, a number or date as written (`64KB`, `-1`, `1.5`),
   * a variable name without its `$`, or an include path.
   */
  readonly text: string;
  readonly pos: SourcePos;
}

/** A token of one of the kinds `K` (distributes, so `Token<'a' | 'b'>` narrows on `kind`). */
export type Token<K extends TokenKind = TokenKind> = K extends TokenKind ? TokenOf<K> : never;

const EOF = '';
const BOOL_WORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off']);
const HEX_PAIR = /^[0-9a-fA-F]{2}$/;
const UNICODE_SPACE = /\s/;
/** After `YYYY`, a date must continue exactly like this; `0` stands for any digit. */
const DATE_TAIL = '-00-00T00:00:00Z';

const isHSpace = (c: string): boolean => c === ' ' || c === '\t';
const isNewline = (c: string): boolean => c === '\n' || c === '\r';
const isSpace = (c: string): boolean => c !== EOF && UNICODE_SPACE.test(c);
const isDigit = (c: string): boolean => c.length === 1 && c >= '0' && c <= '9';
const isSizeSuffix = (c: string): boolean => c.length === 1 && 'kKmMgGtTpPeE'.includes(c);
const isSizeSuffixTail = (c: string): boolean => c.length === 1 && 'bBiI'.includes(c);
/**
 * Characters that end an unquoted value. A number followed by anything else is a bare
 * string instead (`3xyz`, `1h30m`).
 */
const isValueEnd = (c: string): boolean =>
  c === EOF || isNewline(c) || isHSpace(c) || c === '}' || c === ']' || c === ';' || c === ',';

/** Collects string contents when escapes are present; `\xHH` escapes are raw bytes. */
class EscapedText {
  private readonly chunks: Buffer[] = [];

  text(s: string): void {
    if (s.length > 0) this.chunks.push(Buffer.from(s, 'utf8'));
  }

  byte(b: number): void {
    this.chunks.push(Buffer.of(b));
  }

  toString(): string {
    const bytes = Buffer.concat(this.chunks);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Bytes that are not UTF-8 (`\xe9` alone) are kept one char per byte rather than lost.
      return bytes.toString('latin1');
    }
  }
}

export class ConfLexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly input: string,
    private readonly file: string,
  ) {}

  /** A top-level key or include, or `eof`. Stray `{` and `}` are skipped so JSON files parse. */
  topKey(): Token<'key' | 'include' | 'eof'> {
    for (;;) {
      const c = this.peek();
      if (c === EOF) return { kind: 'eof', text: '', pos: this.here() };
      if (isSpace(c) || c === '{' || c === '}') {
        this.advance();
      } else if (this.atComment()) {
        this.skipComment();
      } else {
        return this.key(false);
      }
    }
  }

  /** A key or include inside a map, or `mapEnd`. */
  mapKey(): Token<'key' | 'include' | 'mapEnd'> {
    for (;;) {
      const c = this.peek();
      if (isSpace(c)) {
        this.advance();
      } else if (this.atComment()) {
        this.skipComment();
      } else if (c === '}') {
        const pos = this.here();
        this.advance();
        return { kind: 'mapEnd', text: '', pos };
      } else if (c === EOF) {
        this.fail("unexpected end of file in a map, expected '}'");
      } else if (c === ']') {
        this.fail("unexpected ']' in a map, expected a key or '}'");
      } else {
        return this.key(true);
      }
    }
  }

  /**
   * Consumes what separates a key from its value: `=`, `:` or just blanks. At the top level
   * the value must then be on the same line; inside a map it may follow on the next lines.
   */
  keySeparator(key: Token, inMap: boolean): void {
    while (isSpace(this.peek())) this.advance();
    const c = this.peek();
    if (c === '=' || c === ':') {
      this.advance();
      if (inMap) while (isSpace(this.peek())) this.advance();
    }
    if (this.peek() === EOF) this.fail(`expected a value for "${key.text}", found end of file`);
  }

  /** A value: scalar, `variable`, `arrayStart` or `mapStart`. */
  value(): Token<ValueKind> {
    while (isHSpace(this.peek())) this.advance();
    const pos = this.here();
    const c = this.peek();
    switch (c) {
      case EOF:
        return this.fail('expected a value, found end of file');
      case '[':
        this.advance();
        return { kind: 'arrayStart', text: '', pos };
      case '{':
        this.advance();
        return { kind: 'mapStart', text: '', pos };
      case '"':
        return this.doubleQuoted(pos);
      case "'":
        return this.singleQuoted(pos);
      case '(':
        return this.block(pos);
      case '-':
        return this.negativeNumber(pos);
      case '.':
        return this.fail('floats must start with a digit');
      case ',':
      case ';':
      case '}':
      case ']':
        return this.fail(`expected a value, found '${c}'`);
    }
    if (isNewline(c)) this.fail('expected a value, found a new line');
    if (isDigit(c)) return this.number(pos);
    return this.bare(pos, this.pos);
  }

  /** Ends a top-level value: a new line, `;`, `,`, `}`, a comment or the end of the file. */
  topValueEnd(): void {
    for (;;) {
      const c = this.peek();
      if (isHSpace(c)) {
        this.advance();
      } else if (this.atComment()) {
        this.skipComment();
      } else if (c === EOF) {
        return;
      } else if (isNewline(c) || c === ';' || c === ',' || c === '}') {
        this.advance();
        return;
      } else {
        this.fail(`expected a new line, ';', ',' or a comment after the value, found ${this.describe(c)}`);
      }
    }
  }

  /** Ends a value inside a map; true when the map closed. */
  mapValueEnd(): boolean {
    for (;;) {
      const c = this.peek();
      if (isHSpace(c)) {
        this.advance();
      } else if (this.atComment()) {
        this.skipComment();
      } else if (isNewline(c) || c === ';' || c === ',') {
        this.advance();
        return false;
      } else if (c === '}') {
        this.advance();
        return true;
      } else if (c === EOF) {
        this.fail("unexpected end of file in a map, expected '}'");
      } else {
        this.fail(`expected ',' or '}' after a map value, found ${this.describe(c)}`);
      }
    }
  }

  /** An array element (a value token) or `arrayEnd`. */
  arrayItem(): Token<ValueKind | 'arrayEnd'> {
    for (;;) {
      const c = this.peek();
      if (isSpace(c)) {
        this.advance();
      } else if (this.atComment()) {
        this.skipComment();
      } else if (c === ']') {
        const pos = this.here();
        this.advance();
        return { kind: 'arrayEnd', text: '', pos };
      } else if (c === ',') {
        this.fail("unexpected ',' in an array, expected a value or ']'");
      } else if (c === EOF) {
        this.fail("unexpected end of file in an array, expected ']'");
      } else {
        return this.value();
      }
    }
  }

  /** Ends an array element; true when the array closed. */
  arrayItemEnd(): boolean {
    for (;;) {
      const c = this.peek();
      if (isHSpace(c)) {
        this.advance();
      } else if (this.atComment()) {
        this.skipComment();
      } else if (isNewline(c) || c === ',') {
        this.advance();
        return false;
      } else if (c === ']') {
        this.advance();
        return true;
      } else if (c === EOF) {
        this.fail("unexpected end of file in an array, expected ']'");
      } else {
        this.fail(`expected ',' or ']' after an array value, found ${this.describe(c)}`);
      }
    }
  }

  private key(inMap: boolean): Token<'key' | 'include'> {
    const pos = this.here();
    const c = this.peek();
    if (c === '=' || c === ':') this.fail(`unexpected '${c}', expected a key`);
    if (c === '"' || c === "'") {
      this.advance();
      const start = this.pos;
      while (this.peek() !== c) {
        if (this.peek() === EOF) this.fail(`unterminated quoted key, expected ${c}`, pos);
        this.advance();
      }
      const text = this.input.slice(start, this.pos);
      this.advance();
      return { kind: 'key', text, pos };
    }
    const start = this.pos;
    for (let d = this.peek(); d !== EOF && !isSpace(d) && d !== '=' && d !== ':'; d = this.peek()) this.advance();
    const text = this.input.slice(start, this.pos);
    if (inMap && this.peek() === EOF) this.fail(`unexpected end of file after key "${text}", expected a value`);
    // `include` is a keyword only when blanks follow it; `include: x` is an ordinary key.
    if (isSpace(this.peek()) && text.toLowerCase() === 'include') return this.includePath(pos);
    return { kind: 'key', text, pos };
  }

  private includePath(pos: SourcePos): Token<'include'> {
    while (isHSpace(this.peek())) this.advance();
    const c = this.peek();
    if (c === '"' || c === "'") {
      const quotePos = this.here();
      this.advance();
      const start = this.pos;
      while (this.peek() !== c) {
        if (this.peek() === EOF) this.fail(`unterminated include file name, expected ${c}`, quotePos);
        this.advance();
      }
      const text = this.input.slice(start, this.pos);
      this.advance();
      return { kind: 'include', text, pos };
    }
    if (c === EOF || isNewline(c) || c === '[' || c === '{' || c === '(' || c === '\\' || c === '-' || isDigit(c)) {
      this.fail(`expected a file name after include, found ${this.describe(c)}`);
    }
    const start = this.pos;
    for (let d = this.peek(); !isValueEnd(d) && d !== "'"; d = this.peek()) this.advance();
    const text = this.input.slice(start, this.pos);
    if (this.peek() === "'") this.advance();
    return { kind: 'include', text, pos };
  }

  /** An unquoted value; `start` is where it began (a number may have been read already). */
  private bare(pos: SourcePos, start: number): Token<'string' | 'bool' | 'variable'> {
    let escaped: EscapedText | undefined;
    let runStart = start;
    let end: number;
    for (;;) {
      const c = this.peek();
      if (c === '\\') {
        escaped ??= new EscapedText();
        escaped.text(this.input.slice(runStart, this.pos));
        this.escape(escaped);
        runStart = this.pos;
      } else if (isValueEnd(c)) {
        end = this.pos;
        break;
      } else if (c === "'") {
        // nats-server ends a bare word at a single quote and drops the quote.
        end = this.pos;
        this.advance();
        break;
      } else {
        this.advance();
      }
    }
    if (escaped !== undefined) {
      escaped.text(this.input.slice(runStart, end));
      return { kind: 'string', text: escaped.toString(), pos };
    }
    const text = this.input.slice(start, end);
    if (BOOL_WORDS.has(text.toLowerCase())) return { kind: 'bool', text, pos };
    if (text.startsWith('$')) return { kind: 'variable', text: text.slice(1), pos };
    return { kind: 'string', text, pos };
  }

  private doubleQuoted(pos: SourcePos): Token<'string'> {
    this.advance();
    let escaped: EscapedText | undefined;
    let runStart = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === EOF) this.fail(`unterminated string, expected '"'`, pos);
      if (c === '"') break;
      if (c === '\\') {
        escaped ??= new EscapedText();
        escaped.text(this.input.slice(runStart, this.pos));
        this.escape(escaped);
        runStart = this.pos;
      } else {
        this.advance();
      }
    }
    const tail = this.input.slice(runStart, this.pos);
    this.advance();
    if (escaped === undefined) return { kind: 'string', text: tail, pos };
    escaped.text(tail);
    return { kind: 'string', text: escaped.toString(), pos };
  }

  private singleQuoted(pos: SourcePos): Token<'string'> {
    this.advance();
    const start = this.pos;
    while (this.peek() !== "'") {
      if (this.peek() === EOF) this.fail(`unterminated string, expected "'"`, pos);
      this.advance();
    }
    const text = this.input.slice(start, this.pos);
    this.advance();
    return { kind: 'string', text, pos };
  }

  /** `(` ... `)`: raw text up to a line holding only `)`. The text keeps its last new line. */
  private block(pos: SourcePos): Token<'string'> {
    this.advance();
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === EOF) this.fail("unterminated block, expected ')' alone on a line", pos);
      if (c === ')' && this.input[this.pos - 1] === '\n') {
        const next = this.peek(1);
        if (next === EOF || next === '\n' || (next === '\r' && this.peek(2) === '\n')) {
          const text = this.input.slice(start, this.pos);
          this.advance();
          return { kind: 'string', text, pos };
        }
      }
      this.advance();
    }
  }

  private escape(out: EscapedText): void {
    const pos = this.here();
    this.advance();
    const c = this.advance();
    if (c === EOF) this.fail('unterminated escape at end of file', pos);
    switch (c) {
      case 't':
        return out.text('\t');
      case 'n':
        return out.text('\n');
      case 'r':
        return out.text('\r');
      case '"':
        return out.text('"');
      case '\\':
        return out.text('\\');
      case 'x': {
        const hex = this.peek() + this.peek(1);
        if (!HEX_PAIR.test(hex)) {
          const found = hex.length < 2 || /[\r\n]/.test(hex) ? 'the end of the line' : `'${hex}'`;
          this.fail(`expected two hexadecimal digits after '\\x', found ${found}`);
        }
        this.advance();
        this.advance();
        return out.byte(Number.parseInt(hex, 16));
      }
    }
    this.fail(`invalid escape '\\${c}', only \\xXX, \\t, \\n, \\r, \\" and \\\\ are allowed`, pos);
  }

  private number(pos: SourcePos): Token<ValueKind> {
    const start = this.pos;
    this.digits();
    if (this.peek() === '-') {
      if (this.pos - start !== 4) this.fail('dates must be in full ISO8601 Zulu form, YYYY-MM-DDTHH:MM:SSZ', pos);
      return this.datetime(pos, start);
    }
    return this.numberTail(pos, start, true);
  }

  private negativeNumber(pos: SourcePos): Token<ValueKind> {
    const start = this.pos;
    this.advance();
    const c = this.peek();
    if (c === '.') this.fail('floats must start with a digit');
    if (!isDigit(c)) this.fail(`expected a digit after '-', found ${this.describe(c)}`);
    this.digits();
    // Like nats-server, a negative integer ends wherever its digits end.
    return this.numberTail(pos, start, false);
  }

  private numberTail(pos: SourcePos, start: number, mustEndCleanly: boolean): Token<ValueKind> {
    const c = this.peek();
    if (c === '.') return this.fraction(pos, start);
    if (isSizeSuffix(c)) {
      this.advance();
      while (isSizeSuffixTail(this.peek())) this.advance();
      const next = this.peek();
      if (isValueEnd(next) || isDigit(next)) return { kind: 'integer', text: this.input.slice(start, this.pos), pos };
      return this.bare(pos, start);
    }
    if (!mustEndCleanly || isValueEnd(c)) return { kind: 'integer', text: this.input.slice(start, this.pos), pos };
    return this.bare(pos, start);
  }

  private fraction(pos: SourcePos, start: number): Token<'float' | 'string'> {
    this.advance();
    const c = this.peek();
    if (!isDigit(c)) this.fail(`floats must have a digit after the '.', found ${this.describe(c)}`);
    this.digits();
    if (this.peek() !== '.') return { kind: 'float', text: this.input.slice(start, this.pos), pos };
    // A second dot: an address such as 127.0.0.1:4222, read as a string.
    for (let d = this.peek(); isDigit(d) || d === '.' || d === ':' || d === '-'; d = this.peek()) this.advance();
    return { kind: 'string', text: this.input.slice(start, this.pos), pos };
  }

  private datetime(pos: SourcePos, start: number): Token<'datetime'> {
    for (const expected of DATE_TAIL) {
      const c = this.peek();
      const ok = expected === '0' ? isDigit(c) : c === expected;
      if (!ok) {
        const wanted = expected === '0' ? 'a digit' : `'${expected}'`;
        this.fail(`expected ${wanted} in ISO8601 datetime, found ${this.describe(c)}`);
      }
      this.advance();
    }
    return { kind: 'datetime', text: this.input.slice(start, this.pos), pos };
  }

  private digits(): void {
    while (isDigit(this.peek())) this.advance();
  }

  private atComment(): boolean {
    const c = this.peek();
    return c === '#' || (c === '/' && this.peek(1) === '/');
  }

  private skipComment(): void {
    for (let c = this.peek(); c !== EOF && !isNewline(c); c = this.peek()) this.advance();
  }

  private peek(ahead = 0): string {
    const i = this.pos + ahead;
    return i < this.input.length ? this.input.charAt(i) : EOF;
  }

  private advance(): string {
    if (this.pos >= this.input.length) return EOF;
    const c = this.input.charAt(this.pos++);
    if (c === '\n') {
      this.line++;
      this.lineStart = this.pos;
    }
    return c;
  }

  private here(): SourcePos {
    return { file: this.file, line: this.line, col: this.pos - this.lineStart + 1 };
  }

  private describe(c: string): string {
    if (c === EOF) return 'end of file';
    if (c === '\n') return 'a new line';
    if (c === '\r') return 'a carriage return';
    return `'${c}'`;
  }

  private fail(message: string, pos: SourcePos = this.here()): never {
    throw ConfigError.at(pos, message);
  }
}
