/**
 * Times as nats-server writes them: nanoseconds since the Unix epoch in a bigint, rendered as
 * Go's time.RFC3339Nano. `0n` stands for Go's zero time (`0001-01-01T00:00:00Z`, "never"),
 * so the exact Unix epoch instant cannot be told apart from it.
 */

const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400n;

// The wall clock read once; later readings add the monotonic clock's progress, which has
// sub-millisecond resolution and does not step back.
const anchorWallNs = BigInt(Date.now()) * 1_000_000n;
const anchorMonotonicNs = process.hrtime.bigint();
let lastNs = 0n;

/** The wall clock in nanoseconds; every call returns more than the one before. */
export function nowNs(): bigint {
  let ns = anchorWallNs + (process.hrtime.bigint() - anchorMonotonicNs);
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  return ns;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The date of a day number from {@link daysFromCivil} (civil_from_days). */
function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Go's zero time, 0001-01-01T00:00:00Z, in Unix nanoseconds. */
const GO_ZERO_TIME_NS = BigInt(daysFromCivil(1, 1, 1)) * SECONDS_PER_DAY * NS_PER_SECOND;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * `ns` as Go's time.RFC3339Nano: the fraction without trailing zeros (none when zero), and
 * `Z` for UTC. A non-zero `offsetSeconds` writes the local time with its `±hh:mm`, as Go does
 * for a time parsed with that offset.
 */
export function rfc3339Nano(ns: bigint, offsetSeconds = 0): string {
  const local = (ns === 0n ? GO_ZERO_TIME_NS : ns) + BigInt(offsetSeconds) * NS_PER_SECOND;
  const seconds = floorDiv(local, NS_PER_SECOND);
  const nanos = Number(local - seconds * NS_PER_SECOND);
  const days = floorDiv(seconds, SECONDS_PER_DAY);
  const secondOfDay = Number(seconds - days * SECONDS_PER_DAY);
  const [year, month, day] = civilFromDays(Number(days));
  const clock = `${pad(Math.floor(secondOfDay / 3600), 2)}:${pad(Math.floor(secondOfDay / 60) % 60, 2)}:${pad(secondOfDay % 60, 2)}`;
  const fraction = nanos === 0 ? '' : `.${pad(nanos, 9).replace(/0+$/, '')}`;
  let zone = 'Z';
  if (offsetSeconds !== 0) {
    const minutes = Math.floor(Math.abs(offsetSeconds) / 60);
    zone = `${offsetSeconds < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60), 2)}:${pad(minutes % 60, 2)}`;
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${clock}${fraction}${zone}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

/**
 * An RFC 3339 time as Go's time.Parse(time.RFC3339) reads it (a fraction of any length, digits
 * past nanoseconds dropped), with the offset it was written in; undefined when it is not one.
 */
export function parseRfc3339WithOffset(text: string): { ns: bigint; offsetSeconds: number } | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetSeconds = 0;
  if (match[8] !== undefined) {
    const offsetHours = Number(match[9]);
    const offsetMinutes = Number(match[10]);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offsetSeconds = (match[8] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  const nanos = BigInt((match[7] ?? '').slice(0, 9).padEnd(9, '0'));
  const localSeconds = BigInt(daysFromCivil(year, month, day)) * SECONDS_PER_DAY + BigInt(hour * 3600 + minute * 60 + second);
  const ns = (localSeconds - BigInt(offsetSeconds)) * NS_PER_SECOND + nanos;
  return { ns: ns === GO_ZERO_TIME_NS ? 0n : ns, offsetSeconds };
}

/** Unix nanoseconds of an RFC 3339 time (see {@link parseRfc3339WithOffset}); Go's zero time is 0n. */
export function parseRfc3339(text: string): bigint | undefined {
  return parseRfc3339WithOffset(text)?.ns;
}
