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
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) return VARINT_INCOMPLETE;
      const b = buf[pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    return VARINT_TOO_LONG;
  }
}
