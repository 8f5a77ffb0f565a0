/**
 * Reading an API request body the way nats-server's `json.Unmarshal` into a Go struct does:
 * numbers keep their literal so an integer field can refuse `1.5`, `1e3` or an out-of-range
 * value; `null` leaves a field at its zero value; keys match field names case-insensitively
 * and a repeated key's last value wins. Every failure is a {@link GoJsonError}; the API
 * answers all of them alike (10025 invalid JSON).
 */

export class GoJsonError extends Error {}

/** A JSON number as written in the request. */
export class GoJsonNumber {
  constructor(readonly literal: string) {}
}

/**
 * An object's members. A repeated key is moved to its last position, so iterating gives
 * every key at its last occurrence in order (which decides between `name` and `NAME`).
 */
export type GoJsonObject = Map<string, GoJsonValue>;

export type GoJsonValue = null | boolean | string | GoJsonNumber | GoJsonValue[] | GoJsonObject;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * Parses a whole JSON text (whitespace around it allowed, nothing else). Nesting deeper than
 * the stack allows is refused, as Go refuses nesting deeper than 10000.
 */
export function parseGoJson(text: string): GoJsonValue {
  const parser = new Parser(text);
  parser.skipWhitespace();
  let value: GoJsonValue;
  try {
    value = parser.value();
  } catch (error) {
    if (error instanceof RangeError) throw new GoJsonError('JSON nested too deeply');
    throw error;
  }
  parser.skipWhitespace();
  if (parser.pos !== text.length) throw parser.fail();
  return value;
}

class Parser {
  pos = 0;

  constructor(private readonly text: string) {}

  fail(): GoJsonError {
    return new GoJsonError(`invalid JSON at offset ${this.pos}`);
  }

  skipWhitespace(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const code = text.charCodeAt(this.pos);
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return;
      this.pos++;
    }
  }

  value(): GoJsonValue {
    const text = this.text;
    switch (text[this.pos]) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default: {
        NUMBER.lastIndex = this.pos;
        const match = NUMBER.exec(text);
        if (match === null) throw this.fail();
        this.pos += match[0].length;
        return new GoJsonNumber(match[0]);
      }
    }
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) throw this.fail();
    this.pos += word.length;
    return value;
  }

  private object(): GoJsonObject {
    const members: GoJsonObject = new Map();
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return members;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') throw this.fail();
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') throw this.fail();
      this.pos++;
      this.skipWhitespace();
      const value = this.value();
      members.delete(key);
      members.set(key, value);
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return members;
      if (next !== ',') throw this.fail();
      this.skipWhitespace();
    }
  }

  private array(): GoJsonValue[] {
    const items: GoJsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === ']') return items;
      if (next !== ',') throw this.fail();
      this.skipWhitespace();
    }
  }

  private string(): string {
    const text = this.text;
    let out = '';
    let runStart = ++this.pos;
    for (;;) {
      if (this.pos >= text.length) throw this.fail();
      const code = text.charCodeAt(this.pos);
      if (code === 0x22) {
        out += text.slice(runStart, this.pos++);
        return out;
      }
      if (code < 0x20) throw this.fail();
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      out += text.slice(runStart, this.pos);
      out += this.escape();
      runStart = this.pos;
    }
  }

  /** One escape sequence at `pos` (the backslash); a lone surrogate becomes U+FFFD, as in Go. */
  private escape(): string {
    const text = this.text;
    const letter = text[this.pos + 1];
    this.pos += 2;
    switch (letter) {
      case '"':
      case '\\':
      case '/':
        return letter;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const unit = this.hex4(this.pos);
        this.pos += 4;
        if (unit < 0xd800 || unit > 0xdfff) return String.fromCharCode(unit);
        if (unit < 0xdc00 && text.startsWith('\\u', this.pos)) {
          const low = this.hex4(this.pos + 2);
          if (low >= 0xdc00 && low <= 0xdfff) {
            this.pos += 6;
            return String.fromCharCode(unit, low);
          }
        }
        return '\ufffd';
      }
      default:
        this.pos -= 2;
        throw this.fail();
    }
  }

  private hex4(at: number): number {
    const digits = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw this.fail();
    return parseInt(digits, 16);
  }
}

/** Go's case folding for field names: ASCII letters, plus ſ (U+017F) as s and K (U+212A) as k. */
function foldCode(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code + 0x20;
  if (code === 0x17f) return 0x73;
  if (code === 0x212a) return 0x6b;
  return code;
}

function keyMatchesField(key: string, field: string): boolean {
  if (key.length !== field.length) return false;
  for (let i = 0; i < key.length; i++) {
    if (foldCode(key.charCodeAt(i)) !== field.charCodeAt(i)) return false;
  }
  return true;
}

/** The value for struct field `field` (a lower-case JSON name); undefined when absent. */
export function goField(object: GoJsonObject, field: string): GoJsonValue | undefined {
  let found: GoJsonValue | undefined;
  for (const [key, value] of object) {
    if (keyMatchesField(key, field)) found = value;
  }
  return found;
}

function typeError(what: string): GoJsonError {
  return new GoJsonError(`cannot unmarshal into ${what}`);
}

/** An object for a struct (pointer) field; undefined for absent or null. */
export function goObject(value: GoJsonValue | undefined): GoJsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Map)) throw typeError('struct');
  return value;
}

/** An array for a slice field; undefined for absent or null. */
export function goArray(value: GoJsonValue | undefined): GoJsonValue[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw typeError('slice');
  return value;
}

export function goString(value: GoJsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw typeError('string');
  return value;
}

export function goBool(value: GoJsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw typeError('bool');
  return value;
}

/** A signed integer field of `bits` bits (Go's int and time.Duration are 64). */
export function goInt(value: GoJsonValue | undefined, bits: 32 | 64): number {
  if (value === undefined || value === null) return 0;
  if (!(value instanceof GoJsonNumber) || !/^-?[0-9]+$/.test(value.literal)) throw typeError(`int${bits}`);
  const n = BigInt(value.literal);
  const limit = 1n << BigInt(bits - 1);
  if (n < -limit || n >= limit) throw typeError(`int${bits}`);
  return Number(n);
}

export function goUint64(value: GoJsonValue | undefined): number {
  if (value === undefined || value === null) return 0;
  if (!(value instanceof GoJsonNumber) || !/^[0-9]+$/.test(value.literal)) throw typeError('uint64');
  const n = BigInt(value.literal);
  if (n >= 1n << 64n) throw typeError('uint64');
  return Number(n);
}
