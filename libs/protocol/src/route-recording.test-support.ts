import { RouteProtocolParser } from './route-parser.js';
import type { RouteDispatcher } from './route-parser.js';
import type { ProtocolErrorKind } from './protocol-error.js';

/** One route dispatcher call, with Buffers copied out as latin1 text and arrays copied. */
export type RouteParserEvent =
  | ['connect', string]
  | ['info', string]
  | ['sub', string | undefined, string, string, string | undefined, number]
  | ['unsub', string, string, string | undefined]
  | ['account', string, boolean]
  | ['msg', string | undefined, string, string, string | undefined, string[], number, string]
  | ['ping']
  | ['pong']
  | ['err', string]
  | ['error', ProtocolErrorKind, string | undefined];

export class RouteRecordingDispatcher implements RouteDispatcher {
  readonly events: RouteParserEvent[] = [];

  onConnect(json: Buffer): void {
    this.events.push(['connect', json.toString('latin1')]);
  }
  onInfo(json: Buffer): void {
    this.events.push(['info', json.toString('latin1')]);
  }
  onSub(origin: string | undefined, account: string, subject: string, queue: string | undefined, weight: number): void {
    this.events.push(['sub', origin, account, subject, queue, weight]);
  }
  onUnsub(account: string, subject: string, queue: string | undefined): void {
    this.events.push(['unsub', account, subject, queue]);
  }
  onAccountInterest(account: string, present: boolean): void {
    this.events.push(['account', account, present]);
  }
  onMsg(
    origin: string | undefined,
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    message: Buffer,
  ): void {
    this.events.push(['msg', origin, account, subject, reply, [...queues], headerSize, message.toString('latin1')]);
  }
  onPing(): void {
    this.events.push(['ping']);
  }
  onPong(): void {
    this.events.push(['pong']);
  }
  onErr(text: string): void {
    this.events.push(['err', text]);
  }
  onParseError(error: ProtocolErrorKind, detail?: string): void {
    this.events.push(['error', error, detail]);
  }
}

/** Parses `chunks` (latin1 strings or Buffers) with a fresh route parser and returns the events. */
export function parseRouteChunks(chunks: ReadonlyArray<string | Buffer>, connectRequired = false): RouteParserEvent[] {
  const recorder = new RouteRecordingDispatcher();
  const parser = new RouteProtocolParser(recorder);
  parser.setConnectRequired(connectRequired);
  for (const chunk of chunks) parser.parse(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  return recorder.events;
}
