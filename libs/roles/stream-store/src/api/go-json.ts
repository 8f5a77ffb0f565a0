/**
 * JSON as Go's encoding/json writes it, which is what nats-server's API answers are made of.
 * Go escapes `<`, `>` and `&` (HTML safety) and U+2028/U+2029, and writes the control
 * characters other than \n, \r and \t as \u00XX where JSON.stringify writes \b and \f.
 * Keys come out in insertion order; callers build objects in nats-server's field order.
 */

// A whole escape sequence (so an escaped backslash is never split) or a character Go escapes.
const GO_ESCAPED = /\\[\\"/bfnrtu]|[<>&\u2028\u2029]/g;

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\\b': '\\u0008',
  '\\f': '\\u000c',
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

export function goJson(value: unknown): string {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new TypeError('goJson: the value has no JSON form');
  return json.replace(GO_ESCAPED, (match) => GO_ESCAPES[match] ?? match);
}

const encoder = new TextEncoder();

export function goJsonBytes(value: unknown): Uint8Array {
  return encoder.encode(goJson(value));
}
