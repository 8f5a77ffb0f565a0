// What peek() hands a consumer's delivery: one instance per store, refilled by every peek, so a
// delivery costs no object, no view and no bigint.
import { int64Decimal, int64FromHalves } from './int64.js';

const NO_BYTES = new Uint8Array(0);

/**
 * A stored message as the store holds it, valid until the next call into the store. Header
 * and data are contiguous in `bytes[start, end)`, header first, so a delivery hands the router
 * one span; the time is kept as its int64's two halves and turned into a bigint or a decimal
 * only when asked.
 */
export class PeekedMessage {
  seq = 0;
  subject = '';
  bytes: Uint8Array = NO_BYTES;
  start = 0;
  headerLength = 0;
  end = 0;
  /** Nanoseconds since the Unix epoch: the signed high and the unsigned low 32 bits. */
  timeHigh = 0;
  timeLow = 0;

  fill(seq: number, subject: string, bytes: Uint8Array, start: number, headerLength: number, end: number, timeHigh: number, timeLow: number): this {
    this.seq = seq;
    this.subject = subject;
    this.bytes = bytes;
    this.start = start;
    this.headerLength = headerLength;
    this.end = end;
    this.timeHigh = timeHigh;
    this.timeLow = timeLow;
    return this;
  }

  get header(): Uint8Array {
    return this.bytes.subarray(this.start, this.start + this.headerLength);
  }

  get dataLength(): number {
    return this.end - this.start - this.headerLength;
  }

  timeNs(): bigint {
    return int64FromHalves(this.timeHigh, this.timeLow);
  }

  /** The time in decimal nanoseconds, as an ack reply carries it. */
  timeDecimal(): string {
    return int64Decimal(this.timeHigh, this.timeLow);
  }
}
