import { isValidSubject, subjectHasWildcard, subjectIsSubsetMatch } from '@nats-ts/routing';

/** Could one literal subject match both? nats-server's SubjectsCollide, token for token. */
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

/** A valid subject without wildcard tokens (nats-server's IsValidPublishSubject). */
export function isValidPublishSubject(subject: string): boolean {
  return isValidSubject(subject) && !subjectHasWildcard(subject);
}
