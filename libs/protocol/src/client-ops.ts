import { FrameState } from './frame-parser.js';

// The operations a client may send, as a const object indexed by number so the parser switches on
// small integers.

export const ClientOp = {
  Connect: 0,
  Pub: 1,
  HPub: 2,
  /** Not a client operation, but nats-server 2.9 frames it from clients and ignores it. */
  HMsg: 3,
  Sub: 4,
  Unsub: 5,
  Ping: 6,
  Pong: 7,
  Info: 8,
  Ok: 9,
  Err: 10,
} as const;
export type ClientOp = (typeof ClientOp)[keyof typeof ClientOp];

/** Upper-case spelling of each op, indexed by ClientOp; verbs match case-insensitively. */
export const KEYWORDS: readonly Buffer[] = [
  'CONNECT',
  'PUB',
  'HPUB',
  'HMSG',
  'SUB',
  'UNSUB',
  'PING',
  'PONG',
  'INFO',
  '+OK',
  '-ERR',
].map((keyword) => Buffer.from(keyword, 'latin1'));

const UPPER_CASE_OFFSET = 0x20;

/** ASCII letters to upper case, other bytes unchanged. */
export function upperCaseByte(b: number): number {
  return b >= 0x61 && b <= 0x7a ? b - UPPER_CASE_OFFSET : b;
}

/** The op a first byte starts, or -1; P and H are resolved by the second byte. */
export function opForFirstByte(upper: number): ClientOp | -1 {
  switch (upper) {
    case 0x43: // C
      return ClientOp.Connect;
    case 0x53: // S
      return ClientOp.Sub;
    case 0x55: // U
      return ClientOp.Unsub;
    case 0x49: // I
      return ClientOp.Info;
    case 0x2b: // +
      return ClientOp.Ok;
    case 0x2d: // -
      return ClientOp.Err;
    default:
      return -1;
  }
}

/** What follows a complete verb. */
export function stateAfterKeyword(op: ClientOp): FrameState {
  switch (op) {
    case ClientOp.Connect:
    case ClientOp.Info:
      // nats-server lets the argument follow these verbs with no space at all.
      return FrameState.SkipSpace;
    case ClientOp.Ping:
    case ClientOp.Pong:
    case ClientOp.Ok:
      return FrameState.SkipLine;
    default:
      return FrameState.AwaitSpace;
  }
}
