import { latin1Slice } from '@nats-ts/base';
import { ProtocolErrorKind } from './protocol-error.js';
import { SplitFrame } from './split-frame.js';

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

// Control lines are mostly short: within this many bytes a JS loop finds their LF sooner than
// Buffer#indexOf, whose call into native code costs more than the scan.
const SHORT_LINE_SCAN = 64;

/** Index of the first LF at or after `from`, or -1. */
function indexOfLf(chunk: Buffer, from: number): number {
  const scanEnd = Math.min(chunk.length, from + SHORT_LINE_SCAN);
  for (let i = from; i < scanEnd; i++) if (chunk[i] === LF) return i;
  return scanEnd === chunk.length ? -1 : chunk.indexOf(LF, scanEnd);
}

/** The states of the frame loop every connection kind shares, as small integers for its switch. */
export const FrameState = {
  /** Expecting the first byte of an operation. */
  OpStart: 0,
  /** Matching the rest of the verb (the kind's verb table). */
  Keyword: 1,
  /** After a verb that needs at least one space or tab. */
  AwaitSpace: 2,
  /** Skipping spaces/tabs before the arguments. */
  SkipSpace: 3,
  /** Inside arguments that were split across chunks. */
  ControlLine: 4,
  /** After PING/PONG/+OK: everything up to LF is ignored. */
  SkipLine: 5,
  /** At the first payload byte. */
  Payload: 6,
  /** Copying a split payload into a scratch buffer. */
  PayloadAssembly: 7,
  PayloadEndCr: 8,
  PayloadEndLf: 9,
  /** After an error or stop(): input is ignored. */
  Stopped: 10,
} as const;
export type FrameState = (typeof FrameState)[keyof typeof FrameState];

/** What every dispatcher has: where the parser says it stopped. */
export interface ParseErrorSink {
  onParseError(error: ProtocolErrorKind, detail?: string): void;
}

/**
 * The one byte-level loop of the NATS protocols, as nats-server's parser.go: verb, arguments up to
 * LF, then a payload of the announced size and CRLF. Any split of the stream gives the same events;
 * whole frames are dispatched as views of the chunk and only frames split across chunks are copied.
 * Each connection kind (client; route, gateway and leaf) brings its verb table and what its
 * arguments mean: the first byte, the rest of the verb, the control line, and the delivery.
 */
export abstract class FrameParser<D extends ParseErrorSink> {
  protected state: FrameState = FrameState.OpStart;
  protected connectRequired = false;
  protected readonly split = new SplitFrame();
  /** The size announced by the last message line. */
  protected payloadSize = 0;
  /** Longest argument part of a control line; links have no limit, as in nats-server. */
  protected maxControlLine = Infinity;

  constructor(protected readonly dispatcher: D) {}

  /** While required, any operation other than CONNECT stops the parser with AuthorizationViolation. */
  setConnectRequired(required: boolean): void {
    this.connectRequired = required;
  }

  /** Ignore all further input (e.g. the server is closing the connection). */
  stop(): void {
    this.state = FrameState.Stopped;
    this.split.release();
  }

  get stopped(): boolean {
    return this.state === FrameState.Stopped;
  }

  parse(chunk: Buffer): void {
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      switch (this.state) {
        case FrameState.OpStart:
          i = this.startOp(chunk, i);
          break;
        case FrameState.Keyword:
          i = this.matchKeyword(chunk, i);
          break;
        case FrameState.AwaitSpace:
          if (chunk[i] !== SPACE && chunk[i] !== TAB) {
            this.failUnexpectedByte(chunk[i]!);
            return;
          }
          this.state = FrameState.SkipSpace;
          i++;
          break;
        case FrameState.SkipSpace:
          while (i < length && (chunk[i] === SPACE || chunk[i] === TAB)) i++;
          if (i < length) {
            // As in nats-server the first argument byte is taken as is, even CR or LF; the
            // search for the line end starts after it.
            this.split.lineLength = 0;
            i = this.scanControlLine(chunk, i, i + 1);
          }
          break;
        case FrameState.ControlLine:
          i = this.scanControlLine(chunk, i, i);
          break;
        case FrameState.SkipLine: {
          const lf = chunk.indexOf(LF, i);
          if (lf < 0) return;
          this.state = FrameState.OpStart;
          this.lineSkipped();
          i = lf + 1;
          break;
        }
        case FrameState.Payload:
          i = this.startPayload(chunk, i);
          break;
        case FrameState.PayloadAssembly:
          i = this.fillPayload(chunk, i);
          break;
        case FrameState.PayloadEndCr:
          if (chunk[i] !== CR) {
            this.fail(ProtocolErrorKind.UnknownOperation, 'payload not followed by CRLF');
            return;
          }
          this.state = FrameState.PayloadEndLf;
          i++;
          break;
        case FrameState.PayloadEndLf: {
          if (chunk[i] !== LF) {
            this.fail(ProtocolErrorKind.UnknownOperation, 'payload not followed by CRLF');
            return;
          }
          this.state = FrameState.OpStart;
          const assembled = this.split.takePayload();
          this.deliver(assembled, 0, this.payloadSize);
          i++;
          break;
        }
        case FrameState.Stopped:
          return;
      }
    }
  }

  /** At the first byte of an operation: its verb table's first step; returns where parsing continues. */
  protected abstract startOp(chunk: Buffer, i: number): number;
  /** One more byte of the verb. */
  protected abstract matchKeyword(chunk: Buffer, i: number): number;
  /** The arguments `line[start, end)` of the current verb, CRLF removed. */
  protected abstract processControlLine(line: Buffer, start: number, end: number): void;
  /** The line of a PING, PONG or +OK ended. */
  protected abstract lineSkipped(): void;
  /** A whole message: `data[start, end)` (headers, then payload). */
  protected abstract deliver(data: Buffer, start: number, end: number): void;

  /**
   * Looks for the LF ending the arguments that began at `argStart` (this chunk's part of them
   * begins there; the search starts at `searchFrom`). Returns where parsing continues.
   */
  private scanControlLine(chunk: Buffer, argStart: number, searchFrom: number): number {
    const lf = indexOfLf(chunk, searchFrom);
    if (lf < 0) {
      this.holdPartialLine(chunk, argStart);
      return chunk.length;
    }
    // Held bytes mean the line was split (the first argument byte is always held).
    let line = chunk;
    let start = argStart;
    let end = lf;
    if (this.split.lineLength > 0) {
      this.split.appendLine(chunk, argStart, lf);
      end = this.split.lineLength;
      line = this.split.takeLine();
      start = 0;
    }
    if (end > start && line[end - 1] === CR) end--;
    if (end - start > this.maxControlLine) {
      this.fail(ProtocolErrorKind.MaxControlLineExceeded, `max_control_line ${this.maxControlLine}`);
      return chunk.length;
    }
    this.processControlLine(line, start, end);
    this.split.releaseLine();
    return lf + 1;
  }

  /** Keeps the arguments seen so far, refusing them (as nats-server) once they exceed the limit. */
  private holdPartialLine(chunk: Buffer, argStart: number): void {
    const total = this.split.lineLength + chunk.length - argStart;
    const trailingCr = chunk[chunk.length - 1] === CR ? 1 : 0;
    if (total - trailingCr > this.maxControlLine) {
      this.fail(ProtocolErrorKind.MaxControlLineExceeded, `max_control_line ${this.maxControlLine}`);
      return;
    }
    this.split.appendLine(chunk, argStart, chunk.length);
    this.state = FrameState.ControlLine;
  }

  /** At the first payload byte: dispatch in place if the frame is whole, else start copying. */
  private startPayload(chunk: Buffer, i: number): number {
    const size = this.payloadSize;
    if (chunk.length - i >= size + 2) {
      const end = i + size;
      if (chunk[end] !== CR || chunk[end + 1] !== LF) {
        this.fail(ProtocolErrorKind.UnknownOperation, 'payload not followed by CRLF');
        return chunk.length;
      }
      this.state = FrameState.OpStart;
      this.deliver(chunk, i, end);
      return end + 2;
    }
    this.split.beginPayload(size);
    this.state = FrameState.PayloadAssembly;
    return this.fillPayload(chunk, i);
  }

  private fillPayload(chunk: Buffer, i: number): number {
    const next = this.split.fillPayload(chunk, i);
    if (this.split.payloadComplete) this.state = FrameState.PayloadEndCr;
    return next;
  }

  protected failUnexpectedByte(b: number): void {
    this.fail(ProtocolErrorKind.UnknownOperation, `unexpected byte 0x${b.toString(16).padStart(2, '0')}`);
  }

  protected failMalformed(verb: string, line: Buffer, start: number, end: number): void {
    this.fail(ProtocolErrorKind.MalformedArguments, `${verb} arguments ${JSON.stringify(latin1Slice(line, start, end))}`);
  }

  protected fail(kind: ProtocolErrorKind, detail: string): void {
    this.stop();
    this.dispatcher.onParseError(kind, detail);
  }
}
