// Subject rules as nats-server 2.9 applies them. Subjects are latin1-decoded byte strings,
// so every check works on char codes (each one a byte), never on Unicode semantics.

const DOT = 0x2e; // '.'
const STAR = 0x2a; // '*', matches exactly one token when it is a whole token
const GT = 0x3e; // '>', matches one or more trailing tokens when it is the whole last token
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const FF = 0x0c;
const CR = 0x0d;

/** Queue group name nats-server reserves for its own use; clients may not join it. */
const SYSTEM_QUEUE_GROUP = '_sys_';

function isWhitespace(code: number): boolean {
  return code === SPACE || code === TAB || code === LF || code === FF || code === CR;
}

/**
 * A subject a client may subscribe to: non-empty tokens, no whitespace, and `>` only as the
 * last token. Wildcard characters inside a longer token (`foo*`, `>bar`) are plain characters.
 */
export function isValidSubject(subject: string): boolean {
  for (let i = 0; i < subject.length; i++) {
    if (isWhitespace(subject.charCodeAt(i))) return false;
  }
  return isValidSublistSubject(subject);
}

/**
 * A subject without wildcard tokens and without empty tokens (what pedantic mode requires of
 * PUB). Like nats-server, this does not look for whitespace.
 */
export function isValidLiteralSubject(subject: string): boolean {
  const length = subject.length;
  let tokenStart = 0;
  for (let i = 0; i <= length; i++) {
    if (i < length && subject.charCodeAt(i) !== DOT) continue;
    const tokenLength = i - tokenStart;
    if (tokenLength === 0) return false;
    if (tokenLength === 1) {
      const code = subject.charCodeAt(tokenStart);
      if (code === STAR || code === GT) return false;
    }
    tokenStart = i + 1;
  }
  return true;
}

/**
 * What the sublist accepts on insert (nats-server's `Sublist.Insert` rules): non-empty tokens
 * and `>` only as the last token. Unlike {@link isValidSubject} it does not reject whitespace;
 * a wire SUB subject can carry a form feed, and nats-server accepts it.
 */
export function isValidSublistSubject(subject: string): boolean {
  const length = subject.length;
  let tokenStart = 0;
  let afterFullWildcard = false;
  for (let i = 0; i <= length; i++) {
    if (i < length && subject.charCodeAt(i) !== DOT) continue;
    const tokenLength = i - tokenStart;
    if (tokenLength === 0 || afterFullWildcard) return false;
    if (tokenLength === 1 && subject.charCodeAt(tokenStart) === GT) afterFullWildcard = true;
    tokenStart = i + 1;
  }
  return true;
}

/** True when some whole token is `*` or `>`. Does not validate the subject. */
export function subjectHasWildcard(subject: string): boolean {
  const last = subject.length - 1;
  for (let i = 0; i <= last; i++) {
    const code = subject.charCodeAt(i);
    if (code !== STAR && code !== GT) continue;
    if ((i === 0 || subject.charCodeAt(i - 1) === DOT) && (i === last || subject.charCodeAt(i + 1) === DOT)) {
      return true;
    }
  }
  return false;
}

/**
 * nats-server does not validate queue group names beyond the wire grammar; it only refuses
 * client subscriptions to its reserved system group (reported as a permissions violation).
 */
export function isReservedQueueName(queue: string): boolean {
  return queue === SYSTEM_QUEUE_GROUP;
}

/** True when no token of `subject` from `start` on is empty (start must begin a token). */
function hasNoEmptyTokensFrom(subject: string, start: number): boolean {
  const length = subject.length;
  if (start >= length) return false;
  for (let i = start; i < length; i++) {
    if (subject.charCodeAt(i) !== DOT) continue;
    if (i === start || i + 1 === length || subject.charCodeAt(i + 1) === DOT) return false;
  }
  return true;
}

/**
 * Does the published subject `literal` match the subscription subject `pattern`? Tokens of
 * `literal` are taken as they are (a `*` token in a published subject is just a token, which
 * a `*` pattern token matches, as in the sublist). Subjects with empty tokens never match.
 */
export function subjectMatches(literal: string, pattern: string): boolean {
  const literalLength = literal.length;
  const patternLength = pattern.length;
  if (literalLength === 0 || patternLength === 0) return false;
  // One pass over both strings, a token at a time; li and pi always sit at a token start.
  let li = 0;
  let pi = 0;
  for (;;) {
    if (li === literalLength || literal.charCodeAt(li) === DOT) return false;
    const first = pattern.charCodeAt(pi);
    const wholeToken = pi + 1 === patternLength || pattern.charCodeAt(pi + 1) === DOT;
    if (first === GT && pi + 1 === patternLength) return hasNoEmptyTokensFrom(literal, li);
    if (first === STAR && wholeToken) {
      while (li < literalLength && literal.charCodeAt(li) !== DOT) li++;
      pi++;
    } else {
      while (pi < patternLength) {
        const code = pattern.charCodeAt(pi);
        if (code === DOT) break;
        if (li === literalLength || literal.charCodeAt(li) !== code) return false;
        li++;
        pi++;
      }
      if (li < literalLength && literal.charCodeAt(li) !== DOT) return false;
    }
    if (pi === patternLength) return li === literalLength;
    if (li === literalLength) return false;
    li++;
    pi++;
  }
}

/**
 * Is every subject `subject` can match also matched by `test`? Both may hold wildcards:
 * `foo.*` is a subset of `>`, `*.*` and `foo.*`, but not of `foo.bar`. Used to decide whether
 * a wildcard subscription reaches into a denied subject. Mirrors nats-server's check
 * exactly, including that a `test` token merely starting with `*` is taken as a wildcard.
 */
export function subjectIsSubsetMatch(subject: string, test: string): boolean {
  const tokens = subject.split('.');
  const testTokens = test.split('.');
  for (let i = 0; i < testTokens.length; i++) {
    if (i >= tokens.length) return false;
    const testToken = testTokens[i]!;
    if (testToken.length === 0) return false;
    if (testToken === '>') return true;
    const token = tokens[i]!;
    if (token.length === 0 || token === '>') return false;
    if (token === '*') {
      if (testToken !== '*') return false;
      continue;
    }
    if (testToken.charCodeAt(0) !== STAR && token !== testToken) return false;
  }
  return tokens.length === testTokens.length;
}

/**
 * Could one published subject match both (wildcards allowed in either)? nats-server's
 * SubjectsCollide, token for token: streams may not share subjects, nor filters overlap.
 */
export function subjectsCollide(subject1: string, subject2: string): boolean {
  if (subject1 === subject2) return true;
  const tokens1 = subject1.split('.');
  const tokens2 = subject2.split('.');
  const [partial1, full1] = wildcardsOf(tokens1);
  const [partial2, full2] = wildcardsOf(tokens2);
  const literal1 = !partial1 && !full1;
  const literal2 = !partial2 && !full2;
  if (literal1 && literal2) return false;
  if (literal1) return subjectIsSubsetMatch(subject1, subject2);
  if (literal2) return subjectIsSubsetMatch(subject2, subject1);
  // Both have wildcards: a shorter one without `>` cannot reach the longer one's tokens.
  if (tokens1.length < tokens2.length && !full1) return false;
  if (tokens2.length < tokens1.length && !full2) return false;
  const common = Math.min(tokens1.length, tokens2.length);
  for (let i = 0; i < common; i++) {
    if (!tokensCanMatch(tokens1[i]!, tokens2[i]!)) return false;
  }
  return true;
}

function wildcardsOf(tokens: readonly string[]): [partial: boolean, full: boolean] {
  let partial = false;
  let full = false;
  for (const token of tokens) {
    if (token === '*') partial = true;
    else if (token === '>') full = true;
  }
  return [partial, full];
}

// As nats-server: a token merely starting with a wildcard character counts as a wildcard.
function tokensCanMatch(token1: string, token2: string): boolean {
  if (token1.length === 0 || token2.length === 0) return false;
  const first1 = token1[0];
  const first2 = token2[0];
  if (first1 === '*' || first1 === '>' || first2 === '*' || first2 === '>') return true;
  return token1 === token2;
}
