/**
 * What a push consumer's delivery reply says of the message: nats-server 2.9's
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>`.
 * One instance is read into again for every delivery (no allocation but the time's).
 */
export class AckReply {
  /** How many times this message was delivered (1: the first time). */
  deliveries = 0;
  streamSeq = 0;
  consumerSeq = 0;
  /** The message's stored time, Unix nanoseconds. */
  timeNs = 0n;
  /** Messages left for the consumer after this one. */
  pending = 0;
  private readonly dots = new Int32Array(8);

  /** Reads `reply`; false (and the fields unchanged in meaning) when it is not such a reply. */
  read(reply: string): boolean {
    if (!reply.startsWith('$JS.ACK.')) return false;
    const dots = this.dots;
    let count = 0;
    for (let i = 0; i < reply.length; i++) {
      if (reply.charCodeAt(i) !== 0x2e) continue;
      if (count === 8) return false;
      dots[count++] = i;
    }
    if (count !== 8 || dots[3]! - dots[2]! < 2) return false;
    const deliveries = decimal(reply, dots[3]! + 1, dots[4]!);
    const streamSeq = decimal(reply, dots[4]! + 1, dots[5]!);
    const consumerSeq = decimal(reply, dots[5]! + 1, dots[6]!);
    const pending = decimal(reply, dots[7]! + 1, reply.length);
    if (deliveries < 1 || streamSeq < 1 || consumerSeq < 1 || pending < 0) return false;
    const timeStart = dots[6]! + 1;
    const timeEnd = dots[7]!;
    if (timeEnd - timeStart < 1 || timeEnd - timeStart > 19) return false;
    for (let i = timeStart; i < timeEnd; i++) {
      const c = reply.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return false;
    }
    this.deliveries = deliveries;
    this.streamSeq = streamSeq;
    this.consumerSeq = consumerSeq;
    this.pending = pending;
    this.timeNs = BigInt(reply.slice(timeStart, timeEnd));
    return true;
  }
}

/** The decimal number in `text[start, end)`; -1 when empty, not digits, or past 2^53. */
function decimal(text: string, start: number, end: number): number {
  if (end <= start || end - start > 16) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return Number.isSafeInteger(n) ? n : -1;
}
