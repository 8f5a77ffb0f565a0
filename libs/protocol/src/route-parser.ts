import { clearArray, latin1Slice, RecentString } from '@nats-ts/base';
import { upperCaseByte } from './client-ops.js';
import { parseSize, splitArgs } from './control-args.js';
import { FrameParser, FrameState } from './frame-parser.js';
import { ProtocolErrorKind } from './protocol-error.js';
import { FIRST_BYTE_CANDIDATES, ROUTE_KEYWORDS, RouteOp, routeStateAfterKeyword } from './route-ops.js';

/**
 * Receives what a route peer sends, in order. Buffers and the `queues` array are valid only
 * during the call (views of the parsed chunk or of scratch space the parser reuses): copy what
 * must be kept. Handlers must not throw; they may call `parser.stop()`.
 */
export interface RouteDispatcher {
  /** Raw bytes of CONNECT's JSON argument. */
  onConnect(json: Buffer): void;
  /** Raw bytes of INFO's JSON argument. */
  onInfo(json: Buffer): void;
  /**
   * RS+ (origin undefined) or LS+ (origin = the leaf node's cluster). `weight` is the number of
   * queue members the peer has, 0 for plain interest.
   */
  onSub(origin: string | undefined, account: string, subject: string, queue: string | undefined, weight: number): void;
  /** RS- or LS-; the arguments identify the interest exactly as its RS+/LS+ did, without the weight. */
  onUnsub(account: string, subject: string, queue: string | undefined): void;
  /** A+ (`present`) or A-: a gateway peer's interest in a whole account. Other links ignore these verbs. */
  onAccountInterest?(account: string, present: boolean): void;
  /**
   * RMSG, HMSG or LMSG. `message` is the header block followed by the payload; `headerSize` is 0
   * without headers. `queues` names the queue groups the peer chose this server for.
   */
  onMsg(
    origin: string | undefined,
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    message: Buffer,
  ): void;
  onPing(): void;
  onPong(): void;
  /** The peer sent `-ERR`; `text` is its argument as sent (quotes included). */
  onErr(text: string): void;
  /** The parser has stopped. */
  onParseError(error: ProtocolErrorKind, detail?: string): void;
}

const UPPER_C = 0x43;
const PLUS = 0x2b;
const PIPE = 0x7c;

const NO_QUEUES: readonly string[] = Object.freeze([]);
// Argument slots allocated up front; a message naming more queue groups grows them.
const INITIAL_TOKENS = 16;

/**
 * Server side of the NATS route protocol (nats-server 2.9), also spoken by gateways and, in leaf
 * mode, by leaf connections: the route verb table over the shared frame loop (FrameParser).
 * Routes have no control line or payload limit, as in nats-server.
 */
export class RouteProtocolParser extends FrameParser<RouteDispatcher> {
  /**
   * On a leaf node connection the account is the connection's own and LS+/LS-/LMSG/HMSG carry
   * neither origin nor account (`LS+ <subject> [<queue> <weight>]`, `LMSG <subject> ...`); they
   * reach the dispatcher with account '' and no origin.
   */
  private readonly leaf: boolean;

  private op: RouteOp = RouteOp.Connect;
  private candidates = 0;
  private keywordIndex = 0;

  // The frame announced by the last RMSG/HMSG/LMSG line.
  private origin: string | undefined = undefined;
  private account = '';
  private subject = '';
  // Peers repeat accounts and subjects from message to message.
  private readonly recentAccount = new RecentString();
  private readonly recentSubject = new RecentString();
  private reply: string | undefined = undefined;
  private readonly queueNames: string[] = [];
  private queues: readonly string[] = NO_QUEUES;
  private headerSize = 0;

  private tokens = new Int32Array(2 * (INITIAL_TOKENS + 1));

  constructor(dispatcher: RouteDispatcher, options: { leaf?: boolean } = {}) {
    super(dispatcher);
    this.leaf = options.leaf === true;
  }

  protected startOp(chunk: Buffer, i: number): number {
    const upper = upperCaseByte(chunk[i]!);
    if (this.connectRequired && upper !== UPPER_C) {
      this.fail(ProtocolErrorKind.AuthorizationViolation, 'operation before CONNECT');
      return chunk.length;
    }
    const candidates = FIRST_BYTE_CANDIDATES[upper]!;
    if (candidates === 0) {
      this.failUnexpectedByte(chunk[i]!);
      return chunk.length;
    }
    this.candidates = candidates;
    this.keywordIndex = 1;
    this.state = FrameState.Keyword;
    return i + 1;
  }

  /** Narrows the candidate verbs by one byte; the verb is known when one of them is complete. */
  protected matchKeyword(chunk: Buffer, i: number): number {
    const upper = upperCaseByte(chunk[i]!);
    const index = this.keywordIndex;
    let remaining = 0;
    for (let rest = this.candidates; rest !== 0; rest &= rest - 1) {
      const op = 31 - Math.clz32(rest & -rest);
      const keyword = ROUTE_KEYWORDS[op]!;
      if (keyword[index] !== upper) continue;
      if (index + 1 === keyword.length) {
        this.op = op as RouteOp;
        this.state = routeStateAfterKeyword(this.op);
        return i + 1;
      }
      remaining |= 1 << op;
    }
    if (remaining === 0) {
      this.failUnexpectedByte(chunk[i]!);
      return chunk.length;
    }
    this.candidates = remaining;
    this.keywordIndex = index + 1;
    return i + 1;
  }

  protected processControlLine(line: Buffer, start: number, end: number): void {
    this.state = FrameState.OpStart;
    switch (this.op) {
      case RouteOp.Connect:
        this.dispatcher.onConnect(line.subarray(start, end));
        return;
      case RouteOp.Info:
        this.dispatcher.onInfo(line.subarray(start, end));
        return;
      case RouteOp.Err:
        this.dispatcher.onErr(latin1Slice(line, start, end));
        return;
      case RouteOp.RSub:
        this.processSubArgs(line, start, end, false, true);
        return;
      case RouteOp.LSub:
        this.processSubArgs(line, start, end, !this.leaf, !this.leaf);
        return;
      case RouteOp.RUnsub:
      case RouteOp.LUnsub:
        this.processUnsubArgs(line, start, end);
        return;
      case RouteOp.RMsg:
        this.processMsgArgs(line, start, end, false, !this.leaf, false);
        return;
      case RouteOp.HMsg:
        this.processMsgArgs(line, start, end, false, !this.leaf, true);
        return;
      case RouteOp.LMsg:
        // Between servers of a cluster LMSG always has the header form; on a leaf connection it has none.
        this.processMsgArgs(line, start, end, !this.leaf, !this.leaf, !this.leaf);
        return;
      case RouteOp.ASub:
      case RouteOp.AUnsub:
        this.processAccountArgs(line, start, end);
        return;
    }
  }

  private processSubArgs(line: Buffer, start: number, end: number, hasOrigin: boolean, hasAccount: boolean): void {
    const tokens = this.tokens;
    // Index of the subject: after the origin and the account, when present.
    const offset = (hasOrigin ? 1 : 0) + (hasAccount ? 1 : 0);
    const count = splitArgs(line, start, end, true, tokens, 3 + offset);
    if (count !== 1 + offset && count !== 3 + offset) return this.failMalformed(this.op === RouteOp.LSub ? 'LS+' : 'RS+', line, start, end);
    const origin = hasOrigin ? latin1Slice(line, tokens[0]!, tokens[1]!) : undefined;
    const account = hasAccount ? this.token(line, offset - 1) : '';
    const subject = this.token(line, offset);
    let queue: string | undefined;
    let weight = 0;
    if (count === 3 + offset) {
      queue = this.token(line, offset + 1);
      // nats-server takes an unparsable weight as is; one member is the only sensible reading.
      weight = Math.max(1, parseSize(line, tokens[2 * (offset + 2)]!, tokens[2 * (offset + 2) + 1]!));
    }
    this.dispatcher.onSub(origin, account, subject, queue, weight);
  }

  private processUnsubArgs(line: Buffer, start: number, end: number): void {
    const offset = this.leaf && this.op === RouteOp.LUnsub ? 0 : 1;
    const count = splitArgs(line, start, end, true, this.tokens, 2 + offset);
    if (count !== 1 + offset && count !== 2 + offset) return this.failMalformed(this.op === RouteOp.RUnsub ? 'RS-' : 'LS-', line, start, end);
    const account = offset === 1 ? this.token(line, 0) : '';
    this.dispatcher.onUnsub(account, this.token(line, offset), count === 2 + offset ? this.token(line, offset + 1) : undefined);
  }

  private processAccountArgs(line: Buffer, start: number, end: number): void {
    const add = this.op === RouteOp.ASub;
    if (splitArgs(line, start, end, true, this.tokens, 2) !== 1) return this.failMalformed(add ? 'A+' : 'A-', line, start, end);
    this.dispatcher.onAccountInterest?.(this.token(line, 0), add);
  }

  /**
   * `[origin] [account] subject [reply] [hdr] size`, or with queue groups
   * `[origin] [account] subject (+ reply | '|') queue... [hdr] size`.
   */
  private processMsgArgs(line: Buffer, start: number, end: number, hasOrigin: boolean, hasAccount: boolean, hasHeader: boolean): void {
    const count = this.splitAll(line, start, end);
    const verb = this.op === RouteOp.LMsg ? 'LMSG' : hasHeader ? 'HMSG' : 'RMSG';
    // Index of the subject, minus one: the subject follows the origin and the account when present.
    const first = (hasOrigin ? 1 : 0) + (hasAccount ? 1 : 0) - 1;
    const sizes = hasHeader ? 2 : 1;
    // Fewest arguments: (origin) (account) subject (hdr) size.
    const minimum = first + 2 + sizes;
    if (count < minimum) return this.failMalformed(verb, line, start, end);
    const tokens = this.tokens;
    let reply: string | undefined;
    let queues: readonly string[] = NO_QUEUES;
    if (count === minimum + 1) {
      reply = this.token(line, first + 2);
    } else if (count > minimum + 1) {
      const indicatorStart = tokens[2 * (first + 2)]!;
      const indicator = tokens[2 * (first + 2) + 1]! - indicatorStart === 1 ? line[indicatorStart] : -1;
      let queueStart: number;
      if (indicator === PLUS) {
        reply = this.token(line, first + 3);
        queueStart = first + 4;
      } else if (indicator === PIPE) {
        queueStart = first + 3;
      } else {
        return this.failMalformed(verb, line, start, end);
      }
      const names = this.queueNames;
      clearArray(names);
      for (let t = queueStart; t < count - sizes; t++) names.push(this.token(line, t));
      queues = names;
    }
    const size = parseSize(line, tokens[2 * (count - 1)]!, tokens[2 * (count - 1) + 1]!);
    const headerSize = hasHeader ? parseSize(line, tokens[2 * (count - 2)]!, tokens[2 * (count - 2) + 1]!) : 0;
    if (size < 0 || headerSize < 0 || headerSize > size) return this.failMalformed(verb, line, start, end);
    this.origin = hasOrigin ? this.token(line, 0) : undefined;
    this.account = hasAccount ? this.recentAccount.read(line, tokens[2 * first]!, tokens[2 * first + 1]!) : '';
    this.subject = this.recentSubject.read(line, tokens[2 * (first + 1)]!, tokens[2 * (first + 1) + 1]!);
    this.reply = reply;
    this.queues = queues;
    this.headerSize = headerSize;
    this.payloadSize = size;
    this.state = FrameState.Payload;
  }

  /** Splits every argument, growing the token slots when a message names many queue groups. */
  private splitAll(line: Buffer, start: number, end: number): number {
    for (;;) {
      const max = this.tokens.length / 2 - 1;
      const count = splitArgs(line, start, end, true, this.tokens, max);
      if (count <= max) return count;
      this.tokens = new Int32Array(4 * (max + 1));
    }
  }

  private token(line: Buffer, index: number): string {
    return latin1Slice(line, this.tokens[2 * index]!, this.tokens[2 * index + 1]!);
  }

  protected lineSkipped(): void {
    if (this.op === RouteOp.Ping) this.dispatcher.onPing();
    else if (this.op === RouteOp.Pong) this.dispatcher.onPong();
  }

  protected deliver(data: Buffer, start: number, end: number): void {
    this.dispatcher.onMsg(this.origin, this.account, this.subject, this.reply, this.queues, this.headerSize, data.subarray(start, end));
  }
}
