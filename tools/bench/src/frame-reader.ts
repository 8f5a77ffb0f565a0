/**
 * Counts server-to-client frames by scanning bytes: finds each control line with a native
 * `indexOf`, reads a MSG/HMSG size from the end of its line and skips the payload exactly,
 * so a 1 KiB payload costs one arithmetic step instead of a scan.
 */

const LF = 10;
const CR = 13;
const SPACE = 32;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

/** Longest control line we carry across chunk boundaries (nats-server's default max_control_line is 4 KiB). */
const MAX_CONTROL_LINE = 4096;

export interface FrameListener {
  /** A MSG/HMSG control line arrived; `line[start, end)` excludes the CRLF. The payload follows. */
  onMessageHeader(line: Buffer, start: number, end: number): void;
  /** The payload of the last message has been fully received. */
  onMessageEnd(): void;
  onPing(): void;
  onPong(): void;
  onServerError(text: string): void;
  /**
   * The current message's payload bytes `chunk[start, end)` (for HMSG, headers then body),
   * in order, in as many pieces as the reads split it into. Without this hook payloads are
   * skipped unread.
   */
  onPayload?(chunk: Buffer, start: number, end: number): void;
}

/**
 * The header length of an HMSG line `HMSG <subject> <sid> [reply] <header size> <total size>`
 * (`line[start, end)` as onMessageHeader gives it), or -1 for a MSG line, which has no headers.
 */
export function headerBytesOf(line: Buffer, start: number, end: number): number {
  if ((line[start] | 0x20) !== 0x68 /* h */) return -1;
  let index = end - 1;
  while (index > start && line[index] !== SPACE) index--;
  while (index > start && line[index] === SPACE) index--;
  let size = 0;
  let scale = 1;
  for (; index > start && line[index] >= DIGIT_0 && line[index] <= DIGIT_9; index--) {
    size += (line[index] - DIGIT_0) * scale;
    scale *= 10;
  }
  if (scale === 1) throw new Error(`malformed message line: ${line.toString('latin1', start, end)}`);
  return size;
}

export class FrameReader {
  /** Messages whose payload has been fully received. */
  messages = 0;
  private inPayload = false;
  /** Payload bytes plus the trailing CRLF still to skip. */
  private payloadRemaining = 0;
  private readonly carry = Buffer.allocUnsafe(MAX_CONTROL_LINE);
  private carryLength = 0;
  /** Decided once: counting roles never pay for handing payloads over. */
  private readonly readsPayloads: boolean;

  constructor(private readonly listener: FrameListener) {
    this.readsPayloads = listener.onPayload !== undefined;
  }

  /** Consumes `chunk[0, length)`; the reader keeps no reference to `chunk`, so it may be reused. */
  push(chunk: Buffer, length: number = chunk.length): void {
    let position = 0;
    while (position < length) {
      if (this.inPayload) {
        const available = length - position;
        if (available < this.payloadRemaining) {
          if (this.readsPayloads) this.payloadPiece(chunk, position, length);
          this.payloadRemaining -= available;
          return;
        }
        if (this.readsPayloads) this.payloadPiece(chunk, position, position + this.payloadRemaining);
        position += this.payloadRemaining;
        this.payloadRemaining = 0;
        this.inPayload = false;
        this.messages++;
        this.listener.onMessageEnd();
        continue;
      }
      const lineFeed = chunk.indexOf(LF, position);
      // Bytes past `length` are stale data of a reused read buffer.
      if (lineFeed < 0 || lineFeed >= length) {
        this.appendToCarry(chunk, position, length);
        return;
      }
      if (this.carryLength > 0) {
        this.appendToCarry(chunk, position, lineFeed);
        const carried = this.carryLength;
        this.carryLength = 0;
        this.controlLine(this.carry, 0, carried);
      } else {
        this.controlLine(chunk, position, lineFeed);
      }
      position = lineFeed + 1;
    }
  }

  /** Hands over `chunk[start, end)` without the part that belongs to the trailing CRLF. */
  private payloadPiece(chunk: Buffer, start: number, end: number): void {
    const bodyEnd = Math.min(end, start + this.payloadRemaining - 2);
    if (bodyEnd > start) this.listener.onPayload!(chunk, start, bodyEnd);
  }

  private appendToCarry(chunk: Buffer, start: number, end: number): void {
    if (this.carryLength + end - start > MAX_CONTROL_LINE) {
      throw new Error(`control line longer than ${MAX_CONTROL_LINE} bytes`);
    }
    chunk.copy(this.carry, this.carryLength, start, end);
    this.carryLength += end - start;
  }

  /** `end` is the index of the LF; a preceding CR is dropped. */
  private controlLine(line: Buffer, start: number, end: number): void {
    if (end > start && line[end - 1] === CR) end--;
    if (end <= start) return;
    switch (line[start] | 0x20) {
      case 0x6d /* m */:
      case 0x68 /* h */:
        this.messageLine(line, start, end);
        return;
      case 0x70 /* p */:
        if ((line[start + 1] | 0x20) === 0x69 /* i */) this.listener.onPing();
        else this.listener.onPong();
        return;
      case 0x2d /* - */:
        this.listener.onServerError(line.toString('latin1', start, end));
        return;
      default:
        // INFO and +OK carry nothing a load generator needs.
        return;
    }
  }

  /** The size is the last token of MSG and HMSG lines (for HMSG it is the total of headers and body). */
  private messageLine(line: Buffer, start: number, end: number): void {
    let size = 0;
    let scale = 1;
    let index = end - 1;
    while (index > start) {
      const byte = line[index];
      if (byte < DIGIT_0 || byte > DIGIT_9) break;
      size += (byte - DIGIT_0) * scale;
      scale *= 10;
      index--;
    }
    if (line[index] !== SPACE || scale === 1) {
      throw new Error(`malformed message line: ${line.toString('latin1', start, end)}`);
    }
    this.listener.onMessageHeader(line, start, end);
    this.inPayload = true;
    this.payloadRemaining = size + 2;
  }
}
