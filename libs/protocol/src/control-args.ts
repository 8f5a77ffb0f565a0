// Argument splitting and size parsing for control lines, on byte ranges of a buffer.

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;

// nats-server refuses sizes longer than 9 digits (999,999,999) instead of risking overflow.
const MAX_SIZE_DIGITS = 9;

/**
 * Splits buf[start, end) into tokens separated by runs of space/tab (and CR/LF when `crlfSeparates`,
 * as nats-server does for SUB/UNSUB but not PUB/HPUB). Token i spans tokens[2i] to tokens[2i+1].
 * Returns the token count, or maxTokens + 1 as soon as there are more than maxTokens.
 */
export function splitArgs(
  buf: Buffer,
  start: number,
  end: number,
  crlfSeparates: boolean,
  tokens: Int32Array,
  maxTokens: number,
): number {
  let count = 0;
  let tokenStart = -1;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    const separator = b === SPACE || b === TAB || (crlfSeparates && (b === CR || b === LF));
    if (separator) {
      if (tokenStart >= 0) {
        if (count === maxTokens) return maxTokens + 1;
        tokens[2 * count] = tokenStart;
        tokens[2 * count + 1] = i;
        count++;
        tokenStart = -1;
      }
    } else if (tokenStart < 0) {
      tokenStart = i;
    }
  }
  if (tokenStart >= 0) {
    if (count === maxTokens) return maxTokens + 1;
    tokens[2 * count] = tokenStart;
    tokens[2 * count + 1] = end;
    count++;
  }
  return count;
}

/** Decimal digits only, 1 to 9 of them; anything else is -1 (as nats-server's parseSize). */
export function parseSize(buf: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > MAX_SIZE_DIGITS) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b < ZERO || b > NINE) return -1;
    n = n * 10 + (b - ZERO);
  }
  return n;
}
