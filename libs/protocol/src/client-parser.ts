import { ClientOp, KEYWORDS, opForFirstByte, stateAfterKeyword, upperCaseByte } from './client-ops.js';
import { parseSize, splitArgs } from './control-args.js';
import { latin1Slice, RecentString } from '@nats-ts/base';
import { ProtocolErrorKind } from './protocol-error.js';
import { FrameParser, FrameState } from './frame-parser.js';

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

const SPACE = 0x20;
const TAB = 0x09;
const UPPER_C = 0x43;
const UPPER_P = 0x50;
const UPPER_H = 0x48;

/** `PUB` in any case, then a space or tab, at chunk[i]. */
function isPubVerb(chunk: Buffer, i: number): boolean {
  if (i + 3 >= chunk.length) return false;
  const separator = chunk[i + 3];
  return (chunk[i + 1] | 0x20) === 0x75 /* u */ && (chunk[i + 2] | 0x20) === 0x62 /* b */ && (separator === SPACE || separator === TAB);
}

// Most arguments any client op takes (HPUB: subject reply hdr total), plus one to detect excess.
const MAX_TOKENS = 4;

/**
 * Server side of the NATS client protocol: the client verb table over the shared frame loop
 * (FrameParser), with max_control_line and max_payload enforced as nats-server does.
 */
export class ClientProtocolParser extends FrameParser<ClientDispatcher> {
  private maxPayload: number;

  private op: ClientOp = ClientOp.Connect;
  private keywordIndex = 0;
  /** P or H while the second byte picks among PUB/PING/PONG or HPUB/HMSG; else 0. */
  private family = 0;

  // The frame announced by the last PUB/HPUB line.
  private subject = '';
  private reply: string | undefined = undefined;
  private headerSize = 0;

  private readonly tokens = new Int32Array(2 * (MAX_TOKENS + 1));

  // Publishers usually repeat subjects.
  private readonly recentSubject = new RecentString();

  constructor(dispatcher: ClientDispatcher, limits: ClientParserLimits) {
    super(dispatcher);
    this.maxControlLine = limits.maxControlLine;
    this.maxPayload = limits.maxPayload;
  }

  setLimits(limits: ClientParserLimits): void {
    this.maxControlLine = limits.maxControlLine;
    this.maxPayload = limits.maxPayload;
  }

  protected startOp(chunk: Buffer, i: number): number {
    const upper = upperCaseByte(chunk[i]);
    if (this.connectRequired && upper !== UPPER_C) {
      this.fail(ProtocolErrorKind.AuthorizationViolation, 'operation before CONNECT');
      return chunk.length;
    }
    if (upper === UPPER_P && isPubVerb(chunk, i)) {
      // Publishes dominate: a whole `PUB ` in the chunk skips the keyword states.
      this.op = ClientOp.Pub;
      this.state = FrameState.SkipSpace;
      return i + 4;
    }
    if (upper === UPPER_P || upper === UPPER_H) {
      this.family = upper;
      this.state = FrameState.Keyword;
    } else {
      const op = opForFirstByte(upper);
      if (op < 0) {
        this.failUnexpectedByte(chunk[i]);
        return chunk.length;
      }
      this.op = op as ClientOp;
      this.keywordIndex = 1;
      this.state = FrameState.Keyword;
    }
    return i + 1;
  }

  protected matchKeyword(chunk: Buffer, i: number): number {
    if (this.family !== 0) return this.resolveSecondByte(chunk, i);
    const keyword = KEYWORDS[this.op];
    if (upperCaseByte(chunk[i]) !== keyword[this.keywordIndex]) {
      this.failUnexpectedByte(chunk[i]);
      return chunk.length;
    }
    if (++this.keywordIndex === keyword.length) this.state = stateAfterKeyword(this.op);
    return i + 1;
  }

  /** The second byte of P… (U, I, O) or H… (P, M) picks the op. */
  private resolveSecondByte(chunk: Buffer, i: number): number {
    const upper = upperCaseByte(chunk[i]);
    let op: ClientOp | -1 = -1;
    if (this.family === UPPER_P) {
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
    this.family = 0;
    this.keywordIndex = 2;
    return i + 1;
  }

  /** Handles the arguments line[start, end) of the current op. */
  protected processControlLine(line: Buffer, start: number, end: number): void {
    switch (this.op) {
      case ClientOp.Connect:
        this.state = FrameState.OpStart;
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
        this.state = FrameState.Payload;
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
    this.state = FrameState.Payload;
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
    this.state = FrameState.Payload;
  }

  private processSubArgs(line: Buffer, start: number, end: number): void {
    const tokens = this.tokens;
    const count = splitArgs(line, start, end, true, tokens, 3);
    if (count !== 2 && count !== 3) return this.failMalformed('SUB', line, start, end);
    const subject = latin1Slice(line, tokens[0], tokens[1]);
    const queue = count === 3 ? latin1Slice(line, tokens[2], tokens[3]) : undefined;
    const sid = latin1Slice(line, tokens[2 * count - 2], tokens[2 * count - 1]);
    this.state = FrameState.OpStart;
    this.dispatcher.onSub(subject, queue, sid);
  }

  private processUnsubArgs(line: Buffer, start: number, end: number): void {
    const tokens = this.tokens;
    const count = splitArgs(line, start, end, true, tokens, 2);
    if (count !== 1 && count !== 2) return this.failMalformed('UNSUB', line, start, end);
    const sid = latin1Slice(line, tokens[0], tokens[1]);
    // An absent, zero or unparsable max all mean "unsubscribe now" to nats-server.
    const max = count === 2 ? parseSize(line, tokens[2], tokens[3]) : -1;
    this.state = FrameState.OpStart;
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
    this.state = FrameState.OpStart;
  }

  private exceedsMaxPayload(size: number): boolean {
    if (this.maxPayload < 0 || size <= this.maxPayload) return false;
    this.fail(ProtocolErrorKind.MaxPayloadViolation, `${size} vs ${this.maxPayload}`);
    return true;
  }

  protected lineSkipped(): void {
    if (this.op === ClientOp.Ping) this.dispatcher.onPing();
    else if (this.op === ClientOp.Pong) this.dispatcher.onPong();
  }

  protected deliver(data: Buffer, start: number, end: number): void {
    if (this.op === ClientOp.Pub) {
      this.dispatcher.onPub(this.subject, this.reply, data, start, end);
    } else if (this.op === ClientOp.HPub) {
      this.dispatcher.onHPub(this.subject, this.reply, this.headerSize, data, start, end);
    }
  }
}
