/**
 * nats-server 2.9's subject transform (its newTransform, Match and transform, as subject
 * mappings, imports and a stream's republish use them): a source subject, which may have
 * wildcards, and a destination whose tokens may be placeholders for the source's `*` tokens.
 *
 * Placeholders are `$N` and the mustache functions `{{wildcard(N)}}`, `{{partition(n,N...)}}`,
 * `{{splitFromLeft(N,p)}}`, `{{splitFromRight(N,p)}}`, `{{sliceFromLeft(N,p)}}`,
 * `{{sliceFromRight(N,p)}}` and `{{split(N,delimiter)}}`; a `>` ending the destination carries
 * over what the source's `>` matched. With a literal source, the destination is taken as it is.
 *
 * Subjects are handled as nats-ts' byte strings (latin1, one char per byte): lengths, split
 * positions and the partition hash work on bytes, as Go's do.
 */
export class SubjectTransform {
  private constructor(
    readonly source: string,
    readonly destination: string,
    /** The source's tokens, matched against a published subject's. */
    private readonly sourceTokens: readonly string[],
    /** Whether a subject can only match by being the source itself (no token starting `*`, no `>`). */
    private readonly literalSource: boolean,
    /** The destination's tokens as parts; undefined when the destination is taken as it is. */
    private readonly parts: readonly Part[] | undefined,
    /** Whether the destination ends with `>`: the subject's tokens from the source's `>` on follow. */
    private readonly carriesTail: boolean,
  ) {}

  /**
   * The transform, when nats-server would build it: both subjects well formed, no `*` in the
   * destination, `>` in both or neither, and when the source has wildcards, every destination
   * placeholder well formed, within range, and one at least per `*` of the source.
   */
  static from(source: string, destination: string): SubjectTransform | undefined {
    const src = subjectInfo(source);
    const dest = subjectInfo(destination);
    if (src === undefined || dest === undefined) return undefined;
    if (dest.partials > 0 || src.full !== dest.full) return undefined;
    const literalSource = !src.full && src.tokens.every((token) => token[0] !== '*');
    if (src.partials === 0 && !src.full) return new SubjectTransform(source, destination, src.tokens, literalSource, undefined, false);
    // The source token of each `*`, by its 1-based number; Go's map gives 0 for any other number.
    const wildcardTokens: number[] = [];
    src.tokens.forEach((token, i) => {
      if (token === '*') wildcardTokens.push(i);
    });
    const tokenOf = (n: number): number => (n >= 1 && n <= wildcardTokens.length ? wildcardTokens[n - 1]! : 0);
    const parts: Part[] = [];
    let placeholders = 0;
    for (const token of dest.tokens) {
      const placeholder = parsePlaceholder(token);
      if (placeholder === undefined) return undefined;
      if (placeholder === NO_PLACEHOLDER) {
        parts.push({ kind: token === '>' ? Kind.Tail : Kind.Literal, text: token, tokens: [], int: 0 });
        continue;
      }
      placeholders++;
      if (placeholder.indexes.some((n) => n > src.partials)) return undefined;
      parts.push({ kind: placeholder.kind, text: placeholder.delimiter, tokens: placeholder.indexes.map(tokenOf), int: placeholder.int });
    }
    if (placeholders < src.partials) return undefined;
    return new SubjectTransform(source, destination, src.tokens, literalSource, parts, dest.full);
  }

  /**
   * The destination for a published subject; undefined when the subject does not match the
   * source, is not a literal subject, or (nats-server would stop on a division by zero there)
   * a partition into 0 parts.
   */
  apply(subject: string): string | undefined {
    if (this.source === '>' && this.destination === '>') return subject;
    if (this.literalSource) {
      if (subject !== this.source) return undefined;
      if (this.parts === undefined) return this.destination;
    }
    const tokens = subject.split('.');
    if (!isLiteral(tokens) || !matches(tokens, this.sourceTokens)) return undefined;
    const parts = this.parts;
    if (parts === undefined) return this.destination;
    let out = '';
    const last = parts.length - 1;
    for (let i = 0; i <= last; i++) {
      const part = parts[i]!;
      switch (part.kind) {
        case Kind.Literal:
          out += part.text;
          break;
        case Kind.Tail:
          i = last;
          continue;
        case Kind.Wildcard:
          out += tokens[part.tokens[0]!]!;
          break;
        case Kind.Partition: {
          const buckets = part.int >>> 0;
          if (buckets === 0) return undefined;
          let hash = FNV_OFFSET;
          for (const t of part.tokens) hash = fnv1a(hash, tokens[t]!);
          out += String((hash >>> 0) % buckets);
          break;
        }
        case Kind.SplitFromLeft:
          out += splitAt(tokens[part.tokens[0]!]!, part.int, false);
          break;
        case Kind.SplitFromRight:
          out += splitAt(tokens[part.tokens[0]!]!, part.int, true);
          break;
        case Kind.SliceFromLeft:
          out += sliceFromLeft(tokens[part.tokens[0]!]!, part.int);
          break;
        case Kind.SliceFromRight:
          out += sliceFromRight(tokens[part.tokens[0]!]!, part.int);
          break;
        case Kind.Split:
          out += splitOn(tokens[part.tokens[0]!]!, part.text);
          break;
      }
      if (i < last) out += '.';
    }
    if (this.carriesTail) {
      // nats-server carries over from the source's last token on, joined with dots.
      for (let i = this.sourceTokens.length - 1; i < tokens.length; i++) {
        out += tokens[i]!;
        if (i < tokens.length - 1) out += '.';
      }
    }
    return out;
  }
}

/** Whether nats-server 2.9 would build a subject transform from `source` to `destination`. */
export function isValidSubjectTransform(source: string, destination: string): boolean {
  return SubjectTransform.from(source, destination) !== undefined;
}

const Kind = {
  Literal: 0,
  Tail: 1,
  Wildcard: 2,
  Partition: 3,
  SplitFromLeft: 4,
  SplitFromRight: 5,
  SliceFromLeft: 6,
  SliceFromRight: 7,
  Split: 8,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** A destination token, precomputed. */
interface Part {
  readonly kind: Kind;
  /** The literal token, or the split delimiter. */
  readonly text: string;
  /** The subject tokens a placeholder takes (their positions). */
  readonly tokens: readonly number[];
  /** The partition count, split position or slice size (a Go int32). */
  readonly int: number;
}

interface Placeholder {
  readonly kind: Kind;
  /** The `*` numbers it refers to. */
  readonly indexes: readonly number[];
  readonly int: number;
  readonly delimiter: string;
}

// Go's subjectInfo: non-empty tokens, `>` only last; whitespace is not looked at.
function subjectInfo(subject: string): { tokens: string[]; partials: number; full: boolean } | undefined {
  if (subject === '') return undefined;
  const tokens = subject.split('.');
  let partials = 0;
  let full = false;
  for (const token of tokens) {
    if (token.length === 0 || full) return undefined;
    if (token === '*') partials++;
    else if (token === '>') full = true;
  }
  return { tokens, partials, full };
}

/** Go's isValidLiteralSubject: no empty token, no `*` or `>` token. */
function isLiteral(tokens: readonly string[]): boolean {
  for (const token of tokens) {
    if (token.length === 0 || token === '*' || token === '>') return false;
  }
  return true;
}

/** Go's isSubsetMatchTokenized for a literal subject: a source token starting with `*` takes any token. */
function matches(tokens: readonly string[], source: readonly string[]): boolean {
  for (let i = 0; i < source.length; i++) {
    if (i >= tokens.length) return false;
    const s = source[i]!;
    if (s === '>') return true;
    if (s[0] !== '*' && s !== tokens[i]) return false;
  }
  return tokens.length === source.length;
}

const NO_PLACEHOLDER = 'none';

// Go's regexp \s, its `.` (anything but a newline), and its unanchored function patterns.
const FUNCTIONS: readonly [kind: Kind, pattern: RegExp][] = [
  [Kind.Wildcard, /\{\{[\t\n\f\r ]*[wW]ildcard[\t\n\f\r ]*\(([^\n]*)\)[\t\n\f\r ]*\}\}/],
  [Kind.Partition, /\{\{[\t\n\f\r ]*[pP]artition[\t\n\f\r ]*\(([^\n]*)\)[\t\n\f\r ]*\}\}/],
  [Kind.SplitFromLeft, /\{\{[\t\n\f\r ]*[sS]plit[fF]rom[lL]eft[\t\n\f\r ]*\(([^\n]*)\)[\t\n\f\r ]*\}\}/],
  [Kind.SplitFromRight, /\{\{[\t\n\f\r ]*[sS]plit[fF]rom[rR]ight[\t\n\f\r ]*\(([^\n]*)\)[\t\n\f\r ]*\}\}/],
  [Kind.SliceFromLeft, /\{\{[\t\n\f\r ]*[sS]lice[fF]rom[lL]eft[\t\n\f\r ]*\(([^\n]*)\)[\t\n\f\r ]*\}\}/],
  [Kind.SliceFromRight, /\{\{[\t\n\f\r ]*[sS]lice[fF]rom[rR]ight[\t\n\f\r ]*\(([^\n]*)\)[\t\n\f\r ]*\}\}/],
  [Kind.Split, /\{\{[\t\n\f\r ]*[sS]plit[\t\n\f\r ]*\(([^\n]*)\)[\t\n\f\r ]*\}\}/],
];

const ARGUMENT_SEPARATOR = /,[\t\n\f\r ]*/;

/** Go's strconv.Atoi: an optional sign and decimal digits, within int64. */
function atoi(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n < -(1n << 63n) || n >= 1n << 63n ? undefined : n;
}

/** Go's int32(n) of an int. */
function int32(n: bigint): number {
  return Number(BigInt.asIntN(32, n));
}

function trimSpaces(text: string): string {
  return text.replace(/^ +| +$/g, '');
}

/**
 * Go's indexPlaceHolders: what a destination token stands for; NO_PLACEHOLDER for a plain token
 * (a `$` not followed by a number is plain too); undefined for a malformed function.
 */
function parsePlaceholder(token: string): Placeholder | typeof NO_PLACEHOLDER | undefined {
  if (token.length > 1 && token[0] === '$') {
    const index = atoi(token.slice(1));
    return index === undefined ? NO_PLACEHOLDER : { kind: Kind.Wildcard, indexes: [Number(index)], int: -1, delimiter: '' };
  }
  if (token.length <= 4 || !token.startsWith('{{') || !token.endsWith('}}')) return NO_PLACEHOLDER;
  for (const [kind, pattern] of FUNCTIONS) {
    const match = pattern.exec(token);
    if (match === null) continue;
    const args = match[1]!.split(ARGUMENT_SEPARATOR);
    const ints = args.map((arg) => atoi(trimSpaces(arg)));
    switch (kind) {
      case Kind.Wildcard:
        if (args.length !== 1 || args[0] === '' || ints[0] === undefined) return undefined;
        return { kind, indexes: [Number(ints[0])], int: -1, delimiter: '' };
      case Kind.Partition:
        if (args.length < 2 || ints.some((n) => n === undefined)) return undefined;
        return { kind, indexes: (ints.slice(1) as bigint[]).map(Number), int: int32(ints[0]!), delimiter: '' };
      case Kind.Split: {
        const delimiter = args[1];
        if (args.length !== 2 || ints[0] === undefined || delimiter!.includes(' ') || delimiter!.includes('.')) return undefined;
        return { kind, indexes: [Number(ints[0])], int: -1, delimiter: delimiter! };
      }
      default:
        if (args.length !== 2 || ints[0] === undefined || ints[1] === undefined) return undefined;
        return { kind, indexes: [Number(ints[0])], int: int32(ints[1]), delimiter: '' };
    }
  }
  return undefined;
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a, 32 bits, over a byte string, as Go's hash/fnv New32a. */
function fnv1a(hash: number, bytes: string): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes.charCodeAt(i) & 0xff), 0x01000193);
  return h;
}

/** splitFromLeft / splitFromRight: one dot `position` bytes from that end, when inside the token. */
function splitAt(token: string, position: number, fromRight: boolean): string {
  if (position <= 0 || position >= token.length) return token;
  const at = fromRight ? token.length - position : position;
  return `${token.slice(0, at)}.${token.slice(at)}`;
}

/** sliceFromLeft: pieces of `size` bytes from the left, the rest last. */
function sliceFromLeft(token: string, size: number): string {
  const length = token.length;
  if (size <= 0 || size >= length) return token;
  let out = '';
  for (let i = 0; i + size <= length; i += size) {
    if (i !== 0) out += '.';
    out += token.slice(i, i + size);
    if (i + size !== length && i + size + size > length) {
      out += `.${token.slice(i + size)}`;
      break;
    }
  }
  return out;
}

/** sliceFromRight: pieces of `size` bytes from the right, the rest first. */
function sliceFromRight(token: string, size: number): string {
  const length = token.length;
  if (size <= 0 || size >= length) return token;
  const remainder = length % size;
  let out = remainder > 0 ? `${token.slice(0, remainder)}.` : '';
  for (let i = remainder; i + size <= length; i += size) {
    out += token.slice(i, i + size);
    if (i + size < length) out += '.';
  }
  return out;
}

/** split: the pieces between delimiters, empty ones dropped, joined with dots. */
function splitOn(token: string, delimiter: string): string {
  const pieces = delimiter === '' ? utf8Characters(token) : token.split(delimiter);
  let out = '';
  for (let j = 0; j < pieces.length; j++) {
    const piece = pieces[j]!;
    out += piece;
    if (j < pieces.length - 1 && pieces[j + 1] !== '' && !(j === 0 && piece === '')) out += '.';
  }
  return out;
}

/** Go's strings.Split(s, ""): a byte string cut into its UTF-8 characters, an invalid byte on its own. */
function utf8Characters(bytes: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const size = utf8Size(bytes, i);
    out.push(bytes.slice(i, i + size));
    i += size;
  }
  return out;
}

/** The length of the UTF-8 sequence at `i` by Go's rules (1 for an invalid one). */
function utf8Size(bytes: string, i: number): number {
  const b0 = bytes.charCodeAt(i);
  let size: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 < 0xc2 || b0 > 0xf4) return 1;
  if (b0 < 0xe0) size = 2;
  else if (b0 < 0xf0) {
    size = 3;
    if (b0 === 0xe0) low = 0xa0;
    else if (b0 === 0xed) high = 0x9f;
  } else {
    size = 4;
    if (b0 === 0xf0) low = 0x90;
    else if (b0 === 0xf4) high = 0x8f;
  }
  if (i + size > bytes.length) return 1;
  const b1 = bytes.charCodeAt(i + 1);
  if (b1 < low || b1 > high) return 1;
  for (let k = 2; k < size; k++) {
    const b = bytes.charCodeAt(i + k);
    if (b < 0x80 || b > 0xbf) return 1;
  }
  return size;
}
