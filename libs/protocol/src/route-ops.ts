// The operations a route peer may send, and the route parser's states. Like client-ops.ts these
// are const objects indexed by small integers so the parse loop switches on numbers.

export const RouteOp = {
  Connect: 0,
  Info: 1,
  Ping: 2,
  Pong: 3,
  Ok: 4,
  Err: 5,
  /** `RS+ <account> <subject>[ <queue> <weight>]` */
  RSub: 6,
  /** `RS- <account> <subject>[ <queue>]` */
  RUnsub: 7,
  /** `LS+ <origin> <account> <subject>[ <queue> <weight>]`: interest of a leaf node on the peer. */
  LSub: 8,
  /** `LS- <account> <subject>[ <queue>]` (nats-server 2.9 sends no origin here). */
  LUnsub: 9,
  RMsg: 10,
  HMsg: 11,
  /** `LMSG <origin> <account> <subject> ...`: a message from a leaf node, always in header form. */
  LMsg: 12,
  /** Gateway account interest; nats-server accepts and ignores them on routes. */
  ASub: 13,
  AUnsub: 14,
} as const;
export type RouteOp = (typeof RouteOp)[keyof typeof RouteOp];

/** Upper-case spelling of each op, indexed by RouteOp; verbs match case-insensitively. */
export const ROUTE_KEYWORDS: readonly Buffer[] = [
  'CONNECT',
  'INFO',
  'PING',
  'PONG',
  '+OK',
  '-ERR',
  'RS+',
  'RS-',
  'LS+',
  'LS-',
  'RMSG',
  'HMSG',
  'LMSG',
  'A+',
  'A-',
].map((keyword) => Buffer.from(keyword, 'latin1'));

/**
 * For each upper-cased first byte, the ops whose keyword starts with it, as a bit mask. No keyword
 * is a prefix of another, so narrowing the mask byte by byte ends on exactly one op.
 */
export const FIRST_BYTE_CANDIDATES: Uint16Array = (() => {
  const table = new Uint16Array(256);
  ROUTE_KEYWORDS.forEach((keyword, op) => {
    table[keyword[0]!] = table[keyword[0]!]! | (1 << op);
  });
  return table;
})();

export const RouteParserState = {
  /** Expecting the first byte of an operation. */
  OpStart: 0,
  /** Matching the verb against the remaining candidates. */
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
export type RouteParserState = (typeof RouteParserState)[keyof typeof RouteParserState];

/** What follows a complete verb. */
export function routeStateAfterKeyword(op: RouteOp): RouteParserState {
  switch (op) {
    case RouteOp.Connect:
    case RouteOp.Info:
    case RouteOp.Err:
      // As nats-server, the argument of these may follow the verb with no space.
      return RouteParserState.SkipSpace;
    case RouteOp.Ping:
    case RouteOp.Pong:
    case RouteOp.Ok:
      return RouteParserState.SkipLine;
    default:
      return RouteParserState.AwaitSpace;
  }
}
