// Protobuf base-128 varints, for lengths and tags (values below 2^35 read, below 2^31 written).

export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/** Writes `n` at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

export const VARINT_INCOMPLETE = -1;
export const VARINT_TOO_LONG = -2;

/** A read position in a byte range, reused across reads so decoding allocates nothing. */
export class ByteCursor {
  pos = 0;

  /**
   * Reads a varint of at most 5 bytes at `pos`, before `end`, and moves past it. Returns
   * VARINT_INCOMPLETE when the bytes end first (pos unchanged) or VARINT_TOO_LONG.
   */
  readVarint(buf: Uint8Array, end: number): number {
    let pos = this.pos;
    if (pos >= end) return VARINT_INCOMPLETE;
    // Tags and short lengths are one byte: the common case skips the loop.
    const first = buf[pos]!;
    if (first < 0x80) {
      this.pos = pos + 1;
      return first;
    }
    let value = 0;
    // A multiplier rather than shifts: values up to 2^35 do not fit in 32-bit integers.
    let multiplier = 1;
    for (let i = 0; i < 5; i++) {
      if (pos >= end) return VARINT_INCOMPLETE;
      const b = buf[pos++]!;
      value += (b & 0x7f) * multiplier;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
      multiplier *= 128;
    }
    return VARINT_TOO_LONG;
  }
}
