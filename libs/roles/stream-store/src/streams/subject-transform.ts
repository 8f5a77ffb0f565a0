/**
 * Whether nats-server 2.9 would build a subject transform from `source` to `destination`
 * (its newTransform, as a stream's republish uses): both subjects well formed, no `*` in the
 * destination, `>` in both or neither, and when the source has wildcards, every destination
 * placeholder well formed, within range, and one at least per `*` of the source.
 *
 * Placeholders are `$N` and the mustache functions `{{wildcard(N)}}`, `{{partition(n,N...)}}`,
 * `{{splitFromLeft(N,p)}}`, `{{splitFromRight(N,p)}}`, `{{sliceFromLeft(N,p)}}`,
 * `{{sliceFromRight(N,p)}}` and `{{split(N,delimiter)}}`.
 */
export function isValidSubjectTransform(source: string, destination: string): boolean {
  const src = subjectInfo(source);
  const dest = subjectInfo(destination);
  if (src === undefined || dest === undefined) return false;
  if (dest.partials > 0 || src.full !== dest.full) return false;
  if (src.partials === 0 && !src.full) return true;
  let placeholders = 0;
  for (const token of dest.tokens) {
    const indexes = placeholderIndexes(token);
    if (indexes === undefined) return false;
    if (indexes === NO_PLACEHOLDER) continue;
    placeholders++;
    if (indexes.some((index) => index > src.partials)) return false;
  }
  return placeholders >= src.partials;
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

const NO_PLACEHOLDER: readonly number[] = [];

// Go's regexp \s, and its unanchored function patterns.
const FUNCTIONS: readonly [name: string, pattern: RegExp][] = [
  ['wildcard', /\{\{[\t\n\f\r ]*[wW]ildcard[\t\n\f\r ]*\((.*)\)[\t\n\f\r ]*\}\}/],
  ['partition', /\{\{[\t\n\f\r ]*[pP]artition[\t\n\f\r ]*\((.*)\)[\t\n\f\r ]*\}\}/],
  ['indexAndInt', /\{\{[\t\n\f\r ]*[sS]plit[fF]rom[lL]eft[\t\n\f\r ]*\((.*)\)[\t\n\f\r ]*\}\}/],
  ['indexAndInt', /\{\{[\t\n\f\r ]*[sS]plit[fF]rom[rR]ight[\t\n\f\r ]*\((.*)\)[\t\n\f\r ]*\}\}/],
  ['indexAndInt', /\{\{[\t\n\f\r ]*[sS]lice[fF]rom[lL]eft[\t\n\f\r ]*\((.*)\)[\t\n\f\r ]*\}\}/],
  ['indexAndInt', /\{\{[\t\n\f\r ]*[sS]lice[fF]rom[rR]ight[\t\n\f\r ]*\((.*)\)[\t\n\f\r ]*\}\}/],
  ['split', /\{\{[\t\n\f\r ]*[sS]plit[\t\n\f\r ]*\((.*)\)[\t\n\f\r ]*\}\}/],
];

const ARGUMENT_SEPARATOR = /,[\t\n\f\r ]*/;

/** Go's strconv.Atoi: an optional sign and decimal digits, within int64. */
function atoi(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = BigInt(text);
  if (n < -(1n << 63n) || n >= 1n << 63n) return undefined;
  return Number(n);
}

function trimSpaces(text: string): string {
  return text.replace(/^ +| +$/g, '');
}

/**
 * The source wildcard indexes a destination token refers to; NO_PLACEHOLDER for a plain
 * token (a `$` not followed by a number is plain too); undefined for a malformed function.
 */
function placeholderIndexes(token: string): readonly number[] | undefined {
  if (token.length > 1 && token[0] === '$') {
    const index = atoi(token.slice(1));
    return index === undefined ? NO_PLACEHOLDER : [index];
  }
  if (token.length <= 4 || !token.startsWith('{{') || !token.endsWith('}}')) return NO_PLACEHOLDER;
  for (const [kind, pattern] of FUNCTIONS) {
    const match = pattern.exec(token);
    if (match === null) continue;
    const args = match[1]!.split(ARGUMENT_SEPARATOR);
    const ints = args.map((arg) => atoi(trimSpaces(arg)));
    switch (kind) {
      case 'wildcard':
        return args.length === 1 && args[0] !== '' && ints[0] !== undefined ? [ints[0]] : undefined;
      case 'partition':
        return args.length >= 2 && ints.every((n) => n !== undefined) ? (ints.slice(1) as number[]) : undefined;
      case 'indexAndInt':
        return args.length === 2 && ints[0] !== undefined && ints[1] !== undefined ? [ints[0]] : undefined;
      default: {
        const delimiter = args[1];
        const valid = args.length === 2 && ints[0] !== undefined && !delimiter!.includes(' ') && !delimiter!.includes('.');
        return valid ? [ints[0]!] : undefined;
      }
    }
  }
  return undefined;
}
