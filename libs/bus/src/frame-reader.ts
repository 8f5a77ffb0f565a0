import { ByteCursor, VARINT_INCOMPLETE } from './varint.js';

/** Receives each complete frame as a range of a buffer, valid only during the call. */
export interface FrameSink {
  frame(buf: Buffer, start: number, end: number): void;
}

/** Largest frame accepted: a maximal NATS message (64 MiB payload) with room for its envelope. */
export const MAX_FRAME_BYTES = 65 * 1024 * 1024;

/**
 * Splits a byte stream into length-delimited frames. Frames that lie whole in a chunk are passed
 * as views of it; only a frame split across chunks is assembled in a buffer of its own.
 */
export class FrameReader {
  private partial: Buffer | undefined;
  /** Bytes of `partial` filled so far. */
  private filled = 0;
  /** Bytes of an unfinished length prefix, kept when a chunk ends inside one. */
  private prefix: Buffer | undefined;
  private readonly cursor = new ByteCursor();

  constructor(private readonly sink: FrameSink) {}

  /** Feeds a chunk; throws on a length prefix that is malformed or above MAX_FRAME_BYTES. */
  push(chunk: Buffer): void {
    if (this.prefix !== undefined) {
      chunk = Buffer.concat([this.prefix, chunk]);
      this.prefix = undefined;
    }
    let pos = 0;
    const end = chunk.length;
    if (this.partial !== undefined) {
      const partial = this.partial;
      const copied = Math.min(partial.length - this.filled, end);
      chunk.copy(partial, this.filled, 0, copied);
      this.filled += copied;
      pos = copied;
      if (this.filled < partial.length) return;
      this.partial = undefined;
      this.sink.frame(partial, 0, partial.length);
    }
    const c = this.cursor;
    while (pos < end) {
      c.pos = pos;
      const length = c.readVarint(chunk, end);
      if (length === VARINT_INCOMPLETE) {
        this.prefix = Buffer.from(chunk.subarray(pos));
        return;
      }
      if (length < 0 || length > MAX_FRAME_BYTES) throw new Error(`bus: frame length ${length < 0 ? 'malformed' : length} refused`);
      const start = c.pos;
      if (start + length > end) {
        this.partial = Buffer.allocUnsafe(length);
        this.filled = end - start;
        chunk.copy(this.partial, 0, start, end);
        return;
      }
      pos = start + length;
      this.sink.frame(chunk, start, pos);
    }
  }
}
