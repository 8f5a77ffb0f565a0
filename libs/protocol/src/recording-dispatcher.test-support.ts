import { ClientProtocolParser } from './client-parser.js';
import type { ClientDispatcher, ClientParserLimits } from './client-parser.js';
import type { ProtocolErrorKind } from './protocol-error.js';

/** One dispatcher call, with Buffers copied out as latin1 text (they are valid only during the call). */
export type ParserEvent =
  | ['connect', string]
  | ['pub', string, string | undefined, string]
  | ['hpub', string, string | undefined, number, string]
  | ['sub', string, string | undefined, string]
  | ['unsub', string, number | undefined]
  | ['ping']
  | ['pong']
  | ['error', ProtocolErrorKind, string | undefined];

/** A dispatcher that records every call in order. */
export class RecordingDispatcher implements ClientDispatcher {
  readonly events: ParserEvent[] = [];

  onConnect(json: Buffer): void {
    this.events.push(['connect', json.toString('latin1')]);
  }
  onPub(subject: string, reply: string | undefined, data: Buffer, start: number, end: number): void {
    this.events.push(['pub', subject, reply, data.toString('latin1', start, end)]);
  }
  onHPub(subject: string, reply: string | undefined, headerSize: number, data: Buffer, start: number, end: number): void {
    this.events.push(['hpub', subject, reply, headerSize, data.toString('latin1', start, end)]);
  }
  onSub(subject: string, queue: string | undefined, sid: string): void {
    this.events.push(['sub', subject, queue, sid]);
  }
  onUnsub(sid: string, max: number | undefined): void {
    this.events.push(['unsub', sid, max]);
  }
  onPing(): void {
    this.events.push(['ping']);
  }
  onPong(): void {
    this.events.push(['pong']);
  }
  onParseError(error: ProtocolErrorKind, detail?: string): void {
    this.events.push(['error', error, detail]);
  }
}

export const DEFAULT_TEST_LIMITS: ClientParserLimits = { maxControlLine: 4096, maxPayload: 1024 * 1024 };

/** Parses `chunks` (latin1 strings or Buffers) with a fresh parser and returns the events. */
export function parseChunks(chunks: ReadonlyArray<string | Buffer>, limits = DEFAULT_TEST_LIMITS): ParserEvent[] {
  const recorder = new RecordingDispatcher();
  const parser = new ClientProtocolParser(recorder, limits);
  for (const chunk of chunks) parser.parse(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  return recorder.events;
}

/** Splits `stream` at the given ascending offsets. */
export function splitAt(stream: Buffer, offsets: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const offset of offsets) {
    chunks.push(stream.subarray(previous, offset));
    previous = offset;
  }
  chunks.push(stream.subarray(previous));
  return chunks;
}

/** Deterministic PRNG (mulberry32) so fuzz failures can be replayed from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
