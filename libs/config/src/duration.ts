/** Milliseconds per unit of Go's `time.ParseDuration`. */
const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['ns', 1e-6],
  ['us', 1e-3],
  ['\u00b5s', 1e-3], // micro sign
  ['\u03bcs', 1e-3], // Greek mu
  ['ms', 1],
  ['s', 1_000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

/** Largest duration Go can represent (about 292 years), in ms. */
const MAX_DURATION_MS = 9_223_372_036_854.775;

const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Parses a duration written as Go's `time.ParseDuration` accepts it (`2s`, `1m30s`,
 * `1.5h`, `-300ms`, `0`) and returns milliseconds. Throws an `Error` saying what is wrong.
 */
export function parseDuration(text: string): number {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`invalid duration "${text}"`);
  let total = 0;
  while (rest !== '') {
    const match = COMPONENT.exec(rest);
    const whole = match?.[1] ?? '';
    const fraction = match?.[2] ?? '';
    const unit = match?.[3] ?? '';
    if (match === null || (whole === '' && fraction === '')) throw new Error(`invalid duration "${text}"`);
    if (unit === '') throw new Error(`missing unit in duration "${text}"`);
    const unitMs = UNIT_MS.get(unit);
    if (unitMs === undefined) throw new Error(`unknown unit "${unit}" in duration "${text}" (use ns, us, ms, s, m or h)`);
    total += Number(`${whole || '0'}.${fraction || '0'}`) * unitMs;
    rest = rest.slice(match[0].length);
  }
  if (total > MAX_DURATION_MS) throw new Error(`invalid duration "${text}": too large`);
  return sign * total;
}
