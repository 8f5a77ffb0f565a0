import { copyBytes, latin1Write } from '@nats-ts/base';

const INITIAL_CAPACITY = 4 * 1024;
// A store larger than this is dropped at take() so an idle connection does not keep a burst's memory.
const MAX_RETAINED_CAPACITY = 64 * 1024;
// Largest store sized by doubling (for headroom or the previous take's size).
const MAX_HINTED_CAPACITY = 1024 * 1024;
const CR = 0x0d;
const LF = 0x0a;
const ZERO = 0x30;
const EMPTY = Buffer.alloc(0);

/**
 * Pending output of one connection. Writes append to a backing store; take() hands out the
 * bytes written since the last take as a view of that store, without copying, and later writes
 * go after them, so a taken Buffer is never overwritten. When the store is full a new one is
 * allocated and only the untaken bytes are copied into it; handed-out views keep the old store
 * alive until the socket is done with them.
 *
 * Sizing: a new store holds at least twice what is pending and at least as much as the
 * previous take (so a steadily busy connection allocates about once per batch and rarely
 * copies), doubling up to 1 MiB; after a take, a store above 64 KiB is dropped so idle
 * connections keep at most 64 KiB, and the next write starts a right-sized one.
 */
export class OutboundBuffer {
  private store: Buffer = EMPTY;
  /** First byte not yet taken. */
  private start = 0;
  /** Write position. */
  private end = 0;
  private lastTakeSize = 0;

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.end - this.start;
  }

  /** Size of the current backing store (for diagnostics and tests). */
  get capacity(): number {
    return this.store.length;
  }

  /** Writes each char as one byte (latin1); subjects and sids round-trip byte for byte. */
  writeLatin1(text: string): void {
    this.ensure(text.length);
    this.end += latin1Write(this.store, text, this.end);
  }

  /** Same as writeLatin1: ASCII is a subset of latin1. */
  writeAscii(text: string): void {
    this.writeLatin1(text);
  }

  /** Appends `bytes[start, end)` (all of it by default). */
  writeBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.ensure(end - start);
    this.end = copyBytes(bytes, start, end, this.store, this.end);
  }

  /** Appends CRLF, the end of every protocol line. */
  writeCrlf(): void {
    this.ensure(2);
    this.store[this.end] = CR;
    this.store[this.end + 1] = LF;
    this.end += 2;
  }

  /**
   * Appends `<size>\r\n<bytes[start, end)>\r\n`, the tail of every MSG/HMSG/RMSG frame, with one
   * capacity check.
   */
  writeSizedPayload(bytes: Uint8Array, start: number, end: number): void {
    const size = end - start;
    const digits = decimalDigits(size);
    this.ensure(digits + size + 4);
    const store = this.store;
    let at = this.end + digits;
    putDecimal(store, at, size);
    store[at] = CR;
    store[at + 1] = LF;
    at = copyBytes(bytes, start, end, store, at + 2);
    store[at] = CR;
    store[at + 1] = LF;
    this.end = at + 2;
  }

  /** Writes a non-negative safe integer in decimal, without building a string. */
  writeDecimal(n: number): void {
    const digits = decimalDigits(n);
    this.ensure(digits);
    this.end += digits;
    putDecimal(this.store, this.end, n);
  }

  /**
   * The bytes written since the last take, for socket.write; the Buffer stays valid and
   * unchanged. Returns an empty Buffer when nothing is pending.
   */
  take(): Buffer {
    const taken = this.store.subarray(this.start, this.end);
    this.lastTakeSize = taken.length;
    if (this.store.length > MAX_RETAINED_CAPACITY) {
      this.store = EMPTY;
      this.start = 0;
      this.end = 0;
    } else {
      this.start = this.end;
    }
    return taken;
  }

  /**
   * Call when the socket holds none of the Buffers taken so far (all handed to the kernel):
   * with nothing pending, the store is written again from its start. A connection whose
   * socket keeps up thus reuses one warm store instead of allocating a new one each time it
   * fills, which cost page faults and garbage collection per batch.
   */
  reuseStore(): void {
    if (this.start !== this.end) return;
    this.start = 0;
    this.end = 0;
  }

  /** Discards pending bytes (e.g. the connection closed) and releases a large store. */
  reset(): void {
    if (this.store.length > MAX_RETAINED_CAPACITY) {
      this.store = EMPTY;
      this.start = 0;
    }
    // Only the untaken bytes are reused: those before `start` may be in a socket's queue.
    this.end = this.start;
  }

  private ensure(count: number): void {
    if (this.end + count > this.store.length) this.grow(count);
  }

  private grow(count: number): void {
    const pending = this.end - this.start;
    const needed = pending + count;
    let size = INITIAL_CAPACITY;
    while (size < MAX_HINTED_CAPACITY && (size < 2 * needed || size < this.lastTakeSize)) size *= 2;
    // Beyond the cap, grow by half again so piling up output stays amortized O(1) per byte.
    if (size < needed) size = needed + (needed >>> 1);
    const grown = Buffer.allocUnsafe(size);
    this.store.copy(grown, 0, this.start, this.end);
    this.store = grown;
    this.start = 0;
    this.end = pending;
  }
}

function decimalDigits(n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** Writes non-negative `n` in decimal so that its last digit is just before `end`. */
function putDecimal(store: Buffer, end: number, n: number): void {
  let position = end;
  let rest = n;
  do {
    const quotient = Math.floor(rest / 10);
    store[--position] = ZERO + (rest - quotient * 10);
    rest = quotient;
  } while (rest > 0);
}
