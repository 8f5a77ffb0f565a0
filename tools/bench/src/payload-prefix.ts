const DIGIT_0 = 48;
const DIGIT_9 = 57;

/**
 * The first bytes of one message payload, gathered from the pieces FrameReader hands over
 * into one reused buffer: enough to tell an ack from an error or to read a header, without
 * keeping (or allocating for) the rest of the payload.
 */
export class PayloadPrefix {
  private readonly bytes: Buffer;
  private used = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.alloc(capacity);
  }

  get length(): number {
    return this.used;
  }

  /** True once the prefix is full, so later bytes of the payload were not kept. */
  get truncated(): boolean {
    return this.used === this.bytes.length;
  }

  /** Keeps as much of `chunk[start, end)` as still fits. */
  capture(chunk: Buffer, start: number, end: number): void {
    const keptEnd = Math.min(end, start + this.bytes.length - this.used);
    if (keptEnd <= start) return;
    chunk.copy(this.bytes, this.used, start, keptEnd);
    this.used += keptEnd - start;
  }

  /** Empties the prefix for the next message. */
  reset(): void {
    this.used = 0;
  }

  /** Where `needle` first occurs in the kept bytes, or -1. */
  indexOf(needle: Buffer, from = 0): number {
    const at = this.bytes.indexOf(needle, from);
    // The buffer is reused: a match reaching past the kept bytes is stale data.
    return at >= 0 && at + needle.length <= this.used ? at : -1;
  }

  includes(needle: Buffer): boolean {
    return this.indexOf(needle) >= 0;
  }

  startsWith(needle: Buffer): boolean {
    return needle.length <= this.used && this.bytes.compare(needle, 0, needle.length, 0, needle.length) === 0;
  }

  /** The decimal number right after the first `key`, or undefined when there is none. */
  numberAfter(key: Buffer): number | undefined {
    const at = this.indexOf(key);
    if (at < 0) return undefined;
    let value = 0;
    let index = at + key.length;
    for (; index < this.used; index++) {
      const byte = this.bytes[index];
      if (byte < DIGIT_0 || byte > DIGIT_9) break;
      value = value * 10 + byte - DIGIT_0;
    }
    return index === at + key.length ? undefined : value;
  }

  /** The kept bytes as text, for error messages. */
  toString(): string {
    return this.bytes.toString('latin1', 0, this.used);
  }
}
