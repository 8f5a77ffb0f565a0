import { ClientOp, KEYWORDS, ParserState, opForFirstByte, stateAfterKeyword, upperCaseByte } from './client-ops.js';
import { parseSize, splitArgs } from './control-args.js';
import { latin1Slice, RecentString } from '@nats-ts/base';
import { ProtocolErrorKind } from './protocol-error.js';
import { SplitFrame } from './split-frame.js';

/**
 * Receives what a client sends, in order. Every Buffer passed here is valid only during the
 * call: it is a view of the parsed chunk or of a scratch buffer the parser reuses. Copy it to
 * keep it. Handlers must not throw; they may call `parser.stop()`.
 */
export interface ClientDispatcher {
  /** Raw bytes of CONNECT's argument (normally a JSON object), leading spaces and CRLF removed. */
  onConnect(json: Buffer): void;
  /** The payload is `data[start, end)`: offsets, not a view, so a publish allocates no Buffer. */
  onPub(subject: string, reply: string | undefined, data: Buffer, start: number, end: number): void;
  /** `message` is the header block followed by the payload; `headerSize` may be 0. */
  onHPub(subject: string, reply: string | undefined, headerSize: number, data: Buffer, start: number, end: number): void;
  onSub(subject: string, queue: string | undefined, sid: string): void;
  /** `max` is set only for a positive count; nats-server unsubscribes at once otherwise. */
  onUnsub(sid: string, max: number | undefined): void;
  onPing(): void;
  onPong(): void;
  /** The parser has stopped; see protocolErrorText for what nats-server sends before closing. */
  onParseError(error: ProtocolErrorKind, detail?: string): void;
}

export interface ClientParserLimits {
  /** Longest argument part of a control line (after the verb, without CRLF), as max_control_line. */
  maxControlLine: number;
  /** Largest PUB size / HPUB total size; negative means no limit. */
  maxPayload: number;
}

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const UPPER_C = 0x43;

// Control lines are mostly short: within this many bytes a JS loop finds their LF sooner than
// Buffer#indexOf, whose call into native code costs more than the scan.
const SHORT_LINE_SCAN = 64;

/** Index of the first LF at or after `from`, or -1. */
function indexOfLf(chunk: Buffer, from: number): number {
  const scanEnd = Math.min(chunk.length, from + SHORT_LINE_SCAN);
  for (let i = from; i < scanEnd; i++) if (chunk[i] === LF) return i;
  return scanEnd === chunk.length ? -1 : chunk.indexOf(LF, scanEnd);
}

/** `PUB` in any case, then a space or tab, at chunk[i]. */
function isPubVerb(chunk: Buffer, i: number): boolean {
  if (i + 3 >= chunk.length) return false;
  const separator = chunk[i + 3];
  return (chunk[i + 1] | 0x20) === 0x75 /* u */ && (chunk[i + 2] | 0x20) === 0x62 /* b */ && (separator === SPACE || separator === TAB);
}

// Most arguments any client op takes (HPUB: subject reply hdr total), plus one to detect excess.
const MAX_TOKENS = 4;

/**
 * Server side of the NATS client protocol: a byte-level state machine over whatever chunks the
 * socket delivers. Any split of the stream gives the same events. Whole frames are dispatched
 * as views of the chunk; only frames split across chunks are copied.
 */
export class ClientProtocolParser {
  private readonly dispatcher: ClientDispatcher;
  private maxControlLine: number;
  private maxPayload: number;
  private connectRequired = false;

  private state: ParserState = ParserState.OpStart;
  private op: ClientOp = ClientOp.Connect;
  private keywordIndex = 0;

  // Arguments of a control line split across chunks.
  private readonly split = new SplitFrame();

  // The frame announced by the last PUB/HPUB line.
  private subject = '';
  private reply: string | undefined = undefined;
  private headerSize = 0;
  private payloadSize = 0;

  // A payload split across chunks.

  private readonly tokens = new Int32Array(2 * (MAX_TOKENS + 1));

  // Publishers usually repeat subjects.
  private readonly recentSubject = new RecentString();

  constructor(dispatcher: ClientDispatcher, limits: ClientParserLimits) {
    this.dispatcher = dispatcher;
    this.maxControlLine = limits.maxControlLine;
    this.maxPayload = limits.maxPayload;
  }

  setLimits(limits: ClientParserLimits): void {
    this.maxControlLine = limits.maxControlLine;
    this.maxPayload = limits.maxPayload;
  }

  /**
   * While required, any operation other than CONNECT stops the parser with
   * AuthorizationViolation, as nats-server does before a client has authenticated.
   */
  setConnectRequired(required: boolean): void {
    this.connectRequired = required;
  }

  /** Ignore all further input (e.g. the server is closing the connection). */
  stop(): void {
    this.state = ParserState.Stopped;
    this.split.release();
  }

  get stopped(): boolean {
    return this.state === ParserState.Stopped;
  }

  parse(chunk: Buffer): void {
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      switch (this.state) {
        case ParserState.OpStart:
          i = this.startOp(chunk, i);
          break;
        case ParserState.OpP:
        case ParserState.OpH:
          i = this.resolveSecondByte(chunk, i);
          break;
        case ParserState.Keyword: {
          const keyword = KEYWORDS[this.op];
          if (upperCaseByte(chunk[i]) !== keyword[this.keywordIndex]) {
            this.failUnexpectedByte(chunk[i]);
            return;
          }
          if (++this.keywordIndex === keyword.length) this.state = stateAfterKeyword(this.op);
          i++;
          break;
        }
        case ParserState.AwaitSpace:
          if (chunk[i] !== SPACE && chunk[i] !== TAB) {
            this.failUnexpectedByte(chunk[i]);
            return;
          }
          this.state = ParserState.SkipSpace;
          i++;
          break;
        case ParserState.SkipSpace:
          while (i < length && (chunk[i] === SPACE || chunk[i] === TAB)) i++;
          if (i < length) {
            // As in nats-server the first argument byte is taken as is, even CR or LF; the
            // search for the line end starts after it.
            this.split.lineLength = 0;
            i = this.scanControlLine(chunk, i, i + 1);
          }
          break;
        case ParserState.ControlLine:
          i = this.scanControlLine(chunk, i, i);
          break;
        case ParserState.SkipLine: {
          const lf = chunk.indexOf(LF, i);
          if (lf < 0) return;
          this.state = ParserState.OpStart;
          if (this.op === ClientOp.Ping) this.dispatcher.onPing();
          else if (this.op === ClientOp.Pong) this.dispatcher.onPong();
          i = lf + 1;
          break;
        }
        case ParserState.Payload:
          i = this.startPayload(chunk, i);
          break;
        case ParserState.PayloadAssembly:
          i = this.fillPayload(chunk, i);
          break;
        case ParserState.PayloadEndCr:
          if (chunk[i] !== CR) {
            this.fail(ProtocolErrorKind.UnknownOperation, 'payload not followed by CRLF');
            return;
          }
          this.state = ParserState.PayloadEndLf;
          i++;
          break;
        case ParserState.PayloadEndLf: {
          if (chunk[i] !== LF) {
            this.fail(ProtocolErrorKind.UnknownOperation, 'payload not followed by CRLF');
            return;
          }
          this.state = ParserState.OpStart;
          const assembled = this.split.takePayload();
          this.deliver(assembled, 0, this.payloadSize);
          i++;
          break;
        }
        case ParserState.Stopped:
          return;
      }
    }
  }

  private startOp(chunk: Buffer, i: number): number {
    const upper = upperCaseByte(chunk[i]);
    if (this.connectRequired && upper !== UPPER_C) {
      this.fail(ProtocolErrorKind.AuthorizationViolation, 'operation before CONNECT');
      return chunk.length;
    }
    if (upper === 0x50 /* P */) {
      if (isPubVerb(chunk, i)) {
        // Publishes dominate: a whole `PUB ` in the chunk skips the keyword states.
        this.op = ClientOp.Pub;
        this.state = ParserState.SkipSpace;
        return i + 4;
      }
      this.state = ParserState.OpP;
    } else if (upper === 0x48 /* H */) {
      this.state = ParserState.OpH;
    } else {
      const op = opForFirstByte(upper);
      if (op < 0) {
        this.failUnexpectedByte(chunk[i]);
        return chunk.length;
      }
      this.op = op as ClientOp;
      this.keywordIndex = 1;
      this.state = ParserState.Keyword;
    }
    return i + 1;
  }

  /** The second byte of P… (U, I, O) or H… (P, M) picks the op. */
  private resolveSecondByte(chunk: Buffer, i: number): number {
    const upper = upperCaseByte(chunk[i]);
    let op: ClientOp | -1 = -1;
    if (this.state === ParserState.OpP) {
      if (upper === KEYWORDS[ClientOp.Pub][1]) op = ClientOp.Pub;
      else if (upper === KEYWORDS[ClientOp.Ping][1]) op = ClientOp.Ping;
      else if (upper === KEYWORDS[ClientOp.Pong][1]) op = ClientOp.Pong;
    } else {
      if (upper === KEYWORDS[ClientOp.HPub][1]) op = ClientOp.HPub;
      else if (upper === KEYWORDS[ClientOp.HMsg][1]) op = ClientOp.HMsg;
    }
    if (op < 0) {
      this.failUnexpectedByte(chunk[i]);
      return chunk.length;
    }
    this.op = op as ClientOp;
    this.keywordIndex = 2;
    this.state = ParserState.Keyword;
    return i + 1;
  }

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
    this.state = ParserState.ControlLine;
  }

  /** Handles the arguments line[start, end) of the current op. */
  private processControlLine(line: Buffer, start: number, end: number): void {
    switch (this.op) {
      case ClientOp.Connect:
        this.state = ParserState.OpStart;
        this.dispatcher.onConnect(line.subarray(start, end));
        return;
      case ClientOp.Pub:
        this.processPubArgs(line, start, end);
        return;
      case ClientOp.HPub:
        this.processHPubArgs(line, start, end);
        return;
      case ClientOp.HMsg:
        // nats-server does not read HMSG arguments from a client: it expects an empty payload.
        this.headerSize = 0;
        this.payloadSize = 0;
        this.state = ParserState.Payload;
        return;
      case ClientOp.Sub:
        this.processSubArgs(line, start, end);
        return;
      case ClientOp.Unsub:
        this.processUnsubArgs(line, start, end);
        return;
      case ClientOp.Info:
        this.processInfo(line, start, end);
        return;
      case ClientOp.Err:
        this.fail(ProtocolErrorKind.ClientReportedError, latin1Slice(line, start, end));
        return;
    }
  }

  private processPubArgs(line: Buffer, start: number, end: number): void {
    const tokens = this.tokens;
    const count = splitArgs(line, start, end, false, tokens, 3);
    if (count !== 2 && count !== 3) return this.failMalformed('PUB', line, start, end);
    const size = parseSize(line, tokens[2 * count - 2], tokens[2 * count - 1]);
    if (size < 0) return this.failMalformed('PUB', line, start, end);
    if (this.exceedsMaxPayload(size)) return;
    this.subject = this.recentSubject.read(line, tokens[0], tokens[1]);
    this.reply = count === 3 ? latin1Slice(line, tokens[2], tokens[3]) : undefined;
    this.headerSize = -1;
    this.payloadSize = size;
    this.state = ParserState.Payload;
  }

  private processHPubArgs(line: Buffer, start: number, end: number): void {
    const tokens = this.tokens;
    const count = splitArgs(line, start, end, false, tokens, 4);
    if (count !== 3 && count !== 4) return this.failMalformed('HPUB', line, start, end);
    const headerSize = parseSize(line, tokens[2 * count - 4], tokens[2 * count - 3]);
    const totalSize = parseSize(line, tokens[2 * count - 2], tokens[2 * count - 1]);
    if (headerSize < 0 || totalSize < 0 || headerSize > totalSize) {
      return this.failMalformed('HPUB', line, start, end);
    }
    if (this.exceedsMaxPayload(totalSize)) return;
    this.subject = this.recentSubject.read(line, tokens[0], tokens[1]);
    this.reply = count === 4 ? latin1Slice(line, tokens[2], tokens[3]) : undefined;
    this.headerSize = headerSize;
    this.payloadSize = totalSize;
    this.state = ParserState.Payload;
  }

  private processSubArgs(line: Buffer, start: number, end: number): void {
    const tokens = this.tokens;
    const count = splitArgs(line, start, end, true, tokens, 3);
    if (count !== 2 && count !== 3) return this.failMalformed('SUB', line, start, end);
    const subject = latin1Slice(line, tokens[0], tokens[1]);
    const queue = count === 3 ? latin1Slice(line, tokens[2], tokens[3]) : undefined;
    const sid = latin1Slice(line, tokens[2 * count - 2], tokens[2 * count - 1]);
    this.state = ParserState.OpStart;
    this.dispatcher.onSub(subject, queue, sid);
  }

  private processUnsubArgs(line: Buffer, start: number, end: number): void {
    const tokens = this.tokens;
    const count = splitArgs(line, start, end, true, tokens, 2);
    if (count !== 1 && count !== 2) return this.failMalformed('UNSUB', line, start, end);
    const sid = latin1Slice(line, tokens[0], tokens[1]);
    // An absent, zero or unparsable max all mean "unsubscribe now" to nats-server.
    const max = count === 2 ? parseSize(line, tokens[2], tokens[3]) : -1;
    this.state = ParserState.OpStart;
    this.dispatcher.onUnsub(sid, max > 0 ? max : undefined);
  }

  /** A client's INFO is ignored if it decodes as nats-server's Info struct would: an object or null. */
  private processInfo(line: Buffer, start: number, end: number): void {
    let info: unknown;
    try {
      info = JSON.parse(line.toString('utf8', start, end));
    } catch (error) {
      this.fail(ProtocolErrorKind.InvalidInfo, (error as Error).message);
      return;
    }
    if (info !== null && (typeof info !== 'object' || Array.isArray(info))) {
      this.fail(ProtocolErrorKind.InvalidInfo, 'INFO argument is not a JSON object');
      return;
    }
    this.state = ParserState.OpStart;
  }

  private exceedsMaxPayload(size: number): boolean {
    if (this.maxPayload < 0 || size <= this.maxPayload) return false;
    this.fail(ProtocolErrorKind.MaxPayloadViolation, `${size} vs ${this.maxPayload}`);
    return true;
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
      this.state = ParserState.OpStart;
      this.deliver(chunk, i, end);
      return end + 2;
    }
    this.split.beginPayload(size);
    this.state = ParserState.PayloadAssembly;
    return this.fillPayload(chunk, i);
  }

  private fillPayload(chunk: Buffer, i: number): number {
    const next = this.split.fillPayload(chunk, i);
    if (this.split.payloadComplete) this.state = ParserState.PayloadEndCr;
    return next;
  }

  private deliver(data: Buffer, start: number, end: number): void {
    if (this.op === ClientOp.Pub) {
      this.dispatcher.onPub(this.subject, this.reply, data, start, end);
    } else if (this.op === ClientOp.HPub) {
      this.dispatcher.onHPub(this.subject, this.reply, this.headerSize, data, start, end);
    }
  }

  private failUnexpectedByte(b: number): void {
    const hex = b.toString(16).padStart(2, '0');
    this.fail(ProtocolErrorKind.UnknownOperation, `unexpected byte 0x${hex}`);
  }

  private failMalformed(verb: string, line: Buffer, start: number, end: number): void {
    this.fail(ProtocolErrorKind.MalformedArguments, `${verb} arguments ${JSON.stringify(latin1Slice(line, start, end))}`);
  }

  private fail(kind: ProtocolErrorKind, detail: string): void {
    this.stop();
    this.dispatcher.onParseError(kind, detail);
  }

}
