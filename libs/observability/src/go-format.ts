// Value formats of nats-server's monitoring JSON, which are Go's: durations as integer nanoseconds
// or Duration.String() text, times as RFC 3339 with up to nine fraction digits, uptime as "1d2h3m4s".

const NANOS_PER_MICRO = 1_000;
const NANOS_PER_MILLI = 1_000_000;
const NANOS_PER_SECOND = 1_000_000_000;

/** A duration in milliseconds as Go's time.Duration JSON value: integer nanoseconds. */
export function goDurationNanos(ms: number): number {
  return Math.round(ms * NANOS_PER_MILLI);
}

/** nats-server's uptime/idle text: whole seconds as "3s", "4m3s", "5h4m3s", "6d5h4m3s", "1y6d5h4m3s". */
export function formatUptime(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const totalMinutes = Math.floor(totalSeconds / 60);
  const totalHours = Math.floor(totalMinutes / 60);
  const totalDays = Math.floor(totalHours / 24);
  const years = Math.floor(totalDays / 365);
  const s = totalSeconds % 60;
  const m = totalMinutes % 60;
  const h = totalHours % 24;
  if (years > 0) return `${years}y${totalDays % 365}d${h}h${m}m${s}s`;
  if (totalDays > 0) return `${totalDays}d${h}h${m}m${s}s`;
  if (totalHours > 0) return `${totalHours}h${m}m${s}s`;
  if (totalMinutes > 0) return `${totalMinutes}m${s}s`;
  return `${s}s`;
}

// Go's fmtFrac: the low `digits` decimal digits of v as a fraction without trailing zeros.
function fraction(v: number, digits: number): string {
  const text = String(v).padStart(digits, '0').replace(/0+$/, '');
  return text === '' ? '' : `.${text}`;
}

/** Go's time.Duration.String() for a whole number of nanoseconds: "0s", "850ns", "1.5µs", "2.25ms", "1m30.5s", "1h0m0s". */
export function formatGoDuration(nanos: number): string {
  const sign = nanos < 0 ? '-' : '';
  const u = Math.abs(Math.trunc(nanos));
  if (u === 0) return '0s';
  if (u < NANOS_PER_MICRO) return `${sign}${u}ns`;
  if (u < NANOS_PER_MILLI) return `${sign}${Math.floor(u / NANOS_PER_MICRO)}${fraction(u % NANOS_PER_MICRO, 3)}µs`;
  if (u < NANOS_PER_SECOND) return `${sign}${Math.floor(u / NANOS_PER_MILLI)}${fraction(u % NANOS_PER_MILLI, 6)}ms`;
  const seconds = Math.floor(u / NANOS_PER_SECOND);
  const text = `${seconds % 60}${fraction(u % NANOS_PER_SECOND, 9)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 0) return `${sign}${text}`;
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${sign}${minutes % 60}m${text}`;
  return `${sign}${hours}h${minutes % 60}m${text}`;
}

/**
 * A round-trip time in milliseconds as nats-server reports it (`rtt`): Duration.String() of the
 * RTT truncated to microseconds when it lies between 1µs and 1ms, to nanoseconds otherwise.
 */
export function formatRtt(ms: number): string {
  let nanos = Math.trunc(ms * NANOS_PER_MILLI);
  if (nanos > NANOS_PER_MICRO && nanos < NANOS_PER_MILLI) nanos -= nanos % NANOS_PER_MICRO;
  return formatGoDuration(nanos);
}

/**
 * An epoch time in milliseconds (a fraction gives sub-millisecond digits) as Go marshals a UTC
 * time.Time: RFC 3339, fraction without trailing zeros, e.g. "2026-11-27T17:18:55.19286Z".
 */
export function formatGoTime(epochMs: number): string {
  let wholeMs = Math.floor(epochMs);
  let micros = Math.round((epochMs - wholeMs) * 1000);
  if (micros === 1000) {
    wholeMs += 1;
    micros = 0;
  }
  const iso = new Date(wholeMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const microsOfSecond = (wholeMs % 1000) * 1000 + micros;
  return `${iso.slice(0, 19)}${fraction(microsOfSecond, 6)}Z`;
}

// Go's encoding/json escapes these inside strings so the output is safe to embed in HTML.
const GO_JSON_ESCAPES = /[<>&\u2028\u2029]/g;
function escapeLikeGo(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** JSON as nats-server writes it: json.MarshalIndent with two spaces (or compact), HTML characters escaped. */
export function toGoJson(value: unknown, indent = true): string {
  const text = JSON.stringify(value, null, indent ? 2 : undefined) ?? 'null';
  return text.replace(GO_JSON_ESCAPES, escapeLikeGo);
}
