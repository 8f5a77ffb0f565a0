// Below this many bytes a plain loop copies faster than Buffer.copy/TypedArray.set, whose fixed
// cost (~80 ns on Node 20) is several times a 16-byte payload's loop (measured).
const SHORT_COPY = 32;

/**
 * Copies `source[start, end)` into `target` at `at` (room must be there); returns the end.
 * For the per-message copies of payloads, subjects and CRLFs on the hot paths.
 */
export function copyBytes(source: Uint8Array, start: number, end: number, target: Uint8Array, at: number): number {
  const length = end - start;
  if (length < SHORT_COPY) {
    for (let i = 0; i < length; i++) target[at + i] = source[start + i]!;
  } else if (Buffer.isBuffer(source)) {
    source.copy(target, at, start, end);
  } else {
    target.set(start === 0 && end === source.length ? source : source.subarray(start, end), at);
  }
  return at + length;
}
