import { MessageFrameEncoder } from './message-codec.js';
import type { BusMessage } from './types.js';
import { varintSize, writeVarint } from './varint.js';

const INITIAL_CAPACITY = 16 * 1024;
// After a take, a store larger than this is dropped so an idle link does not keep a burst's memory.
const MAX_RETAINED_CAPACITY = 256 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Pending output of one bus connection: length-delimited frames appended to a backing store.
 * take() hands out everything written since the last take as a view (no copy) for one socket
 * write; later frames go after it, so a taken view is never overwritten. A full store is
 * replaced by a larger one holding only the untaken bytes.
 */
export class FrameBuffer {
  private store: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  private readonly messages = new MessageFrameEncoder();

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.end - this.start;
  }

  /** Appends an encoded BusFrame with its length prefix. */
  writeFrame(frame: Uint8Array): void {
    this.ensure(varintSize(frame.length) + frame.length);
    this.end = writeVarint(this.store, this.end, frame.length);
    this.store.set(frame, this.end);
    this.end += frame.length;
  }

  /** Appends a MessageDelivery frame from member `from` to member `to`. */
  writeMessage(msg: BusMessage, from: string, to: string): void {
    this.ensure(this.messages.size(msg, from, to));
    this.end = this.messages.write(this.store, this.end);
  }

  take(): Buffer {
    const taken = this.store.subarray(this.start, this.end);
    if (this.store.length > MAX_RETAINED_CAPACITY) {
      this.store = EMPTY;
      this.start = 0;
      this.end = 0;
    } else {
      this.start = this.end;
    }
    return taken;
  }

  /** The socket holds none of the taken Buffers: with nothing pending, write from the start again. */
  reuseStore(): void {
    if (this.start !== this.end) return;
    this.start = 0;
    this.end = 0;
  }

  private ensure(count: number): void {
    if (this.end + count <= this.store.length) return;
    const pending = this.end - this.start;
    let size = Math.max(INITIAL_CAPACITY, this.store.length);
    while (size < 2 * (pending + count)) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.store.copy(grown, 0, this.start, this.end);
    this.store = grown;
    this.start = 0;
    this.end = pending;
  }
}
