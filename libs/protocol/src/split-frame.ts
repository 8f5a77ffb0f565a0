const EMPTY = Buffer.alloc(0);
// Scratch buffers are kept for reuse up to this size; larger frames get a buffer of their own,
// so one big message does not pin memory for the life of the connection.
const MAX_RETAINED_SCRATCH = 64 * 1024;
const MIN_SCRATCH = 256;

/**
 * What a parser holds of a frame split across socket chunks: the control line's bytes seen so
 * far, and the payload being assembled. Frames that lie whole in a chunk never come here (the
 * parsers dispatch them as views of the chunk). Shared by the client and route parsers.
 */
export class SplitFrame {
  private lineScratch: Buffer = EMPTY;
  /** Bytes of a split control line held so far. */
  lineLength = 0;

  private payloadScratch: Buffer = EMPTY;
  private payload: Buffer = EMPTY;
  private payloadSize = 0;
  private payloadFilled = 0;

  /** Holds `chunk[start, end)` as the next part of the control line. */
  appendLine(chunk: Buffer, start: number, end: number): void {
    const needed = this.lineLength + end - start;
    if (needed > this.lineScratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.lineScratch.length, MIN_SCRATCH));
      this.lineScratch.copy(grown, 0, 0, this.lineLength);
      this.lineScratch = grown;
    }
    chunk.copy(this.lineScratch, this.lineLength, start, end);
    this.lineLength = needed;
  }

  /**
   * The held line, completed by appendLine: its bytes are `[0, lineLength before the call)` of
   * the returned buffer, valid until releaseLine(). The next line starts empty.
   */
  takeLine(): Buffer {
    this.lineLength = 0;
    return this.lineScratch;
  }

  /** After a taken line is processed: a scratch grown past the retained size is dropped. */
  releaseLine(): void {
    if (this.lineScratch.length > MAX_RETAINED_SCRATCH) this.lineScratch = EMPTY;
  }

  /** Starts assembling a payload of `size` bytes. */
  beginPayload(size: number): void {
    this.payloadSize = size;
    this.payloadFilled = 0;
    if (size > MAX_RETAINED_SCRATCH) {
      this.payload = Buffer.allocUnsafe(size);
      return;
    }
    if (this.payloadScratch.length < size) {
      this.payloadScratch = Buffer.allocUnsafe(Math.max(size, 2 * this.payloadScratch.length, MIN_SCRATCH));
    }
    this.payload = this.payloadScratch;
  }

  /** Copies what `chunk` holds of the payload from `i`; returns the index after it. */
  fillPayload(chunk: Buffer, i: number): number {
    const count = Math.min(this.payloadSize - this.payloadFilled, chunk.length - i);
    chunk.copy(this.payload, this.payloadFilled, i, i + count);
    this.payloadFilled += count;
    return i + count;
  }

  get payloadComplete(): boolean {
    return this.payloadFilled === this.payloadSize;
  }

  /** The assembled payload: its bytes are `[0, size)`, valid until the next beginPayload(). */
  takePayload(): Buffer {
    const payload = this.payload;
    this.payload = EMPTY;
    return payload;
  }

  /** Drops everything held (the parser stopped). */
  release(): void {
    this.lineScratch = EMPTY;
    this.lineLength = 0;
    this.payloadScratch = EMPTY;
    this.payload = EMPTY;
  }
}
