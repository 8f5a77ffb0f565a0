/**
 * The subject rules the configuration checks (nats-server's): tokens are non-empty, hold no
 * whitespace, and `>` comes last.
 */
export function isValidSubject(subject: string): boolean {
  if (subject === '') return false;
  let afterFullWildcard = false;
  for (const token of subject.split('.')) {
    if (token === '' || afterFullWildcard || /[\t\n\f\r ]/.test(token)) return false;
    if (token === '>') afterFullWildcard = true;
  }
  return true;
}

/** A valid subject without `*` or `>` tokens. */
export function isLiteralSubject(subject: string): boolean {
  return isValidSubject(subject) && subject.split('.').every((t) => t !== '*' && t !== '>');
}

/** Whether every subject `subject` matches is matched by `wider` too. */
export function isSubsetMatch(subject: string, wider: string): boolean {
  const tokens = subject.split('.');
  const pattern = wider.split('.');
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '>') return i < tokens.length;
    if (i >= tokens.length) return false;
    const t = tokens[i]!;
    if (p === '*') {
      if (t === '>') return false;
    } else if (t !== p) {
      return false;
    }
  }
  return tokens.length === pattern.length;
}

/** Whether some subject could match both. */
export function subjectsCollide(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const s = x[i];
    const t = y[i];
    if (s === '>' || t === '>') return s !== undefined && t !== undefined;
    if (s === undefined || t === undefined) return false;
    if (s !== '*' && t !== '*' && s !== t) return false;
  }
  return true;
}
