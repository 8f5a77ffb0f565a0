/**
 * The syntax error Go's encoding/json reports for a text, in its words (`invalid character 'b'
 * looking for beginning of object key string`, `unexpected end of JSON input`): nats-server puts
 * that text into some answers, such as a pull request's `400 Bad Request - …`. Go checks the
 * bytes with a state machine before decoding; this is that machine.
 */

const enum Context {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

/** Go's limit on nesting. */
const MAX_DEPTH = 10_000;

type Step = (c: number) => string | undefined;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Go's quoteChar: the byte as a quoted rune (U+0000 to U+00FF), escaped as strconv.Quote does. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const escapes: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 0x5c: '\\\\' };
  const escaped = escapes[c];
  if (escaped !== undefined) return `'${escaped}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  // C1 controls, the no-break space and the soft hyphen are not printable to Go.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u00${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

class Scanner {
  private readonly stack: Context[] = [];
  step: Step = (c) => this.beginValue(c);
  endTop = false;

  private fail(c: number, context: string): string {
    return `invalid character ${quoteChar(c)} ${context}`;
  }

  private push(c: number, context: Context): string | undefined {
    this.stack.push(context);
    return this.stack.length > MAX_DEPTH ? this.fail(c, 'exceeded max depth') : undefined;
  }

  private literal(expect: string, word: string, then: () => void): Step {
    let at = 0;
    const next: Step = (c) => {
      if (c !== expect.charCodeAt(at)) return this.fail(c, `in literal ${word} (expecting '${expect[at]}')`);
      at++;
      if (at === expect.length) then();
      else this.step = next;
      return undefined;
    };
    return next;
  }

  private toEndValue(): void {
    this.step = (c) => this.endValue(c);
  }

  beginValue(c: number): string | undefined {
    if (isSpace(c)) return undefined;
    switch (c) {
      case 0x7b: // {
        this.step = (d) => this.beginStringOrEmpty(d);
        return this.push(c, Context.ObjectKey);
      case 0x5b: // [
        this.step = (d) => this.beginValueOrEmpty(d);
        return this.push(c, Context.ArrayValue);
      case 0x22:
        this.step = (d) => this.inString(d);
        return undefined;
      case 0x2d: // -
        this.step = (d) => this.negative(d);
        return undefined;
      case 0x30:
        this.step = (d) => this.zero(d);
        return undefined;
      case 0x74:
        this.step = this.literal('rue', 'true', () => this.toEndValue());
        return undefined;
      case 0x66:
        this.step = this.literal('alse', 'false', () => this.toEndValue());
        return undefined;
      case 0x6e:
        this.step = this.literal('ull', 'null', () => this.toEndValue());
        return undefined;
    }
    if (c >= 0x31 && c <= 0x39) {
      this.step = (d) => this.digits(d);
      return undefined;
    }
    return this.fail(c, 'looking for beginning of value');
  }

  private beginValueOrEmpty(c: number): string | undefined {
    if (isSpace(c)) return undefined;
    if (c === 0x5d) return this.endValue(c);
    return this.beginValue(c);
  }

  private beginStringOrEmpty(c: number): string | undefined {
    if (isSpace(c)) return undefined;
    if (c === 0x7d) {
      this.stack[this.stack.length - 1] = Context.ObjectValue;
      return this.endValue(c);
    }
    return this.beginString(c);
  }

  private beginString(c: number): string | undefined {
    if (isSpace(c)) return undefined;
    if (c === 0x22) {
      this.step = (d) => this.inString(d);
      return undefined;
    }
    return this.fail(c, 'looking for beginning of object key string');
  }

  endValue(c: number): string | undefined {
    const n = this.stack.length;
    if (n === 0) {
      this.endTop = true;
      this.step = (d) => this.endOfTop(d);
      return this.endOfTop(c);
    }
    if (isSpace(c)) {
      this.toEndValue();
      return undefined;
    }
    switch (this.stack[n - 1]) {
      case Context.ObjectKey:
        if (c === 0x3a) {
          this.stack[n - 1] = Context.ObjectValue;
          this.step = (d) => this.beginValue(d);
          return undefined;
        }
        return this.fail(c, 'after object key');
      case Context.ObjectValue:
        if (c === 0x2c) {
          this.stack[n - 1] = Context.ObjectKey;
          this.step = (d) => this.beginString(d);
          return undefined;
        }
        if (c === 0x7d) return this.pop();
        return this.fail(c, 'after object key:value pair');
      default:
        if (c === 0x2c) {
          this.step = (d) => this.beginValue(d);
          return undefined;
        }
        if (c === 0x5d) return this.pop();
        return this.fail(c, 'after array element');
    }
  }

  private pop(): undefined {
    this.stack.pop();
    if (this.stack.length === 0) {
      this.endTop = true;
      this.step = (d) => this.endOfTop(d);
    } else {
      this.toEndValue();
    }
    return undefined;
  }

  private endOfTop(c: number): string | undefined {
    return isSpace(c) ? undefined : this.fail(c, 'after top-level value');
  }

  private inString(c: number): string | undefined {
    if (c === 0x22) {
      this.toEndValue();
      return undefined;
    }
    if (c === 0x5c) {
      this.step = (d) => this.inEscape(d);
      return undefined;
    }
    return c < 0x20 ? this.fail(c, 'in string literal') : undefined;
  }

  private inEscape(c: number): string | undefined {
    if ('bfnrt\\/"'.includes(String.fromCharCode(c))) {
      this.step = (d) => this.inString(d);
      return undefined;
    }
    if (c === 0x75) {
      let left = 4;
      const hex: Step = (d) => {
        if (!isHex(d)) return this.fail(d, 'in \\u hexadecimal character escape');
        if (--left === 0) this.step = (e) => this.inString(e);
        return undefined;
      };
      this.step = hex;
      return undefined;
    }
    return this.fail(c, 'in string escape code');
  }

  private negative(c: number): string | undefined {
    if (c === 0x30) {
      this.step = (d) => this.zero(d);
      return undefined;
    }
    if (c >= 0x31 && c <= 0x39) {
      this.step = (d) => this.digits(d);
      return undefined;
    }
    return this.fail(c, 'in numeric literal');
  }

  private digits(c: number): string | undefined {
    if (isDigit(c)) return undefined;
    return this.zero(c);
  }

  private zero(c: number): string | undefined {
    if (c === 0x2e) {
      this.step = (d) => (isDigit(d) ? ((this.step = (e) => this.fraction(e)), undefined) : this.fail(d, 'after decimal point in numeric literal'));
      return undefined;
    }
    if (c === 0x65 || c === 0x45) {
      this.step = (d) => this.exponent(d);
      return undefined;
    }
    return this.endValue(c);
  }

  private fraction(c: number): string | undefined {
    if (isDigit(c)) return undefined;
    if (c === 0x65 || c === 0x45) {
      this.step = (d) => this.exponent(d);
      return undefined;
    }
    return this.endValue(c);
  }

  private exponent(c: number): string | undefined {
    if (c === 0x2b || c === 0x2d) {
      this.step = (d) => this.exponentSign(d);
      return undefined;
    }
    return this.exponentSign(c);
  }

  private exponentSign(c: number): string | undefined {
    if (isDigit(c)) {
      this.step = (d) => (isDigit(d) ? undefined : this.endValue(d));
      return undefined;
    }
    return this.fail(c, 'in exponent of numeric literal');
  }
}

/** Go's syntax error for `bytes`, or undefined when they are one valid JSON value. */
export function goJsonSyntaxError(bytes: Uint8Array): string | undefined {
  const scanner = new Scanner();
  for (const c of bytes) {
    const error = scanner.step(c);
    if (error !== undefined) return error;
  }
  if (scanner.endTop) return undefined;
  // The end of input ends a number as a space would, and a space is what an unfinished literal sees.
  const error = scanner.step(0x20);
  if (error !== undefined) return error;
  return scanner.endTop ? undefined : 'unexpected end of JSON input';
}
