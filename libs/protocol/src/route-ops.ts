import { FrameState } from './frame-parser.js';

// The operations a route, gateway or leaf peer may send. Like client-ops.ts, a const object indexed
// by small integers so the parser switches on numbers.

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

/** What follows a complete verb. */
export function routeStateAfterKeyword(op: RouteOp): FrameState {
  switch (op) {
    case RouteOp.Connect:
    case RouteOp.Info:
    case RouteOp.Err:
      // As nats-server, the argument of these may follow the verb with no space.
      return FrameState.SkipSpace;
    case RouteOp.Ping:
    case RouteOp.Pong:
    case RouteOp.Ok:
      return FrameState.SkipLine;
    default:
      return FrameState.AwaitSpace;
  }
}
