// Property tests of the three parsers (client, route, leaf): valid streams split anywhere parse
// exactly; mutated streams and random bytes never make a parser throw, never make it report
// anything after its error, and leave every frame before the mutation parsed as it was.
import { ClientProtocolParser, createLeafParser, type ProtocolErrorKind, RouteProtocolParser } from '@nats-ts/protocol';
import { RecordingDispatcher, RouteRecordingDispatcher } from '@nats-ts/protocol/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientFrame, leafFrame, mutate, mutation, mutationOffset, routeFrame, streamOf, type ClientEvent, type Frame, type LinkEvent } from './frames.js';

type Recorded<E> = E | readonly ['error', ProtocolErrorKind, string | undefined];

interface Subject<E> {
  readonly name: string;
  readonly frame: fc.Arbitrary<Frame<E>>;
  /** Parses the chunks with a fresh parser; `more` is fed after them once the parser has stopped. */
  parse(chunks: readonly Buffer[]): { events: Recorded<E>[]; stopped: boolean; feed(more: Buffer): void };
}

const CLIENT_LIMITS = { maxControlLine: 4096, maxPayload: 1024 * 1024 };

const subjects: readonly Subject<ClientEvent | LinkEvent>[] = [
  {
    name: 'client',
    frame: clientFrame,
    parse(chunks) {
      const recorder = new RecordingDispatcher();
      const parser = new ClientProtocolParser(recorder, CLIENT_LIMITS);
      for (const chunk of chunks) parser.parse(chunk);
      return { events: recorder.events, stopped: parser.stopped, feed: (more) => parser.parse(more) };
    },
  },
  {
    name: 'route',
    frame: routeFrame,
    parse(chunks) {
      const recorder = new RouteRecordingDispatcher();
      const parser = new RouteProtocolParser(recorder);
      for (const chunk of chunks) parser.parse(chunk);
      return { events: recorder.events, stopped: parser.stopped, feed: (more) => parser.parse(more) };
    },
  },
  {
    name: 'leaf',
    frame: leafFrame,
    parse(chunks) {
      const recorder = new RouteRecordingDispatcher();
      const parser = createLeafParser(recorder);
      for (const chunk of chunks) parser.parse(chunk);
      return { events: recorder.events, stopped: parser.stopped, feed: (more) => parser.parse(more) };
    },
  },
];

/** Cuts `stream` at the given offsets (taken modulo its length, sorted). */
function splitAt(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const offsets = [...new Set(cuts.map((cut) => (stream.length === 0 ? 0 : cut % stream.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const offset of offsets) {
    chunks.push(stream.subarray(previous, offset));
    previous = offset;
  }
  chunks.push(stream.subarray(previous));
  return chunks.filter((chunk) => chunk.length > 0);
}

function expectedEvents<E>(frames: readonly Frame<E>[]): E[] {
  return frames.flatMap((frame) => (frame.event === undefined ? [] : [frame.event]));
}

/** The frames that lie wholly before byte `offset` of their stream. */
function framesBefore<E>(frames: readonly Frame<E>[], offset: number): Frame<E>[] {
  const before: Frame<E>[] = [];
  let end = 0;
  for (const frame of frames) {
    end += Buffer.byteLength(frame.text, 'latin1');
    if (end > offset) break;
    before.push(frame);
  }
  return before;
}

/** After an error nothing is reported: the error is the last event, and input fed later changes nothing. */
function expectErrorLast(result: { events: readonly Recorded<unknown>[]; stopped: boolean; feed(more: Buffer): void }): void {
  const errorAt = result.events.findIndex((event) => (event as readonly unknown[])[0] === 'error');
  if (errorAt < 0) return;
  expect(errorAt).toBe(result.events.length - 1);
  expect(result.stopped).toBe(true);
  const count = result.events.length;
  result.feed(Buffer.from('PING\r\nPUB a 1\r\nx\r\n', 'latin1'));
  expect(result.events.length).toBe(count);
}

const cuts = fc.array(fc.nat(), { maxLength: 8 });

describe.each(subjects)('$name parser', (subject) => {
  it('parses a valid stream split anywhere exactly', () => {
    fc.assert(
      fc.property(fc.array(subject.frame, { minLength: 1, maxLength: 20 }), cuts, (frames, at) => {
        const result = subject.parse(splitAt(streamOf(frames), at));
        expect(result.events).toEqual(expectedEvents(frames));
        expect(result.stopped).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('parses a mutated stream unchanged up to the mutation, and reports nothing after an error', () => {
    fc.assert(
      fc.property(fc.array(subject.frame, { minLength: 1, maxLength: 20 }), mutation, cuts, (frames, change, at) => {
        const stream = streamOf(frames);
        const result = subject.parse(splitAt(mutate(stream, change), at));
        const intact = expectedEvents(framesBefore(frames, mutationOffset(change, stream.length)));
        expect(result.events.slice(0, intact.length)).toEqual(intact);
        expectErrorLast(result);
      }),
      { numRuns: 500 },
    );
  });

  it('takes random bytes without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), cuts, (bytes, at) => {
        expectErrorLast(subject.parse(splitAt(Buffer.from(bytes), at)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('client parser under tight limits', () => {
  it('refuses long lines and large payloads with an error, never a throw', () => {
    fc.assert(
      fc.property(fc.array(clientFrame, { minLength: 1, maxLength: 20 }), cuts, (frames, at) => {
        const recorder = new RecordingDispatcher();
        const parser = new ClientProtocolParser(recorder, { maxControlLine: 24, maxPayload: 16 });
        for (const chunk of splitAt(streamOf(frames), at)) parser.parse(chunk);
        expectErrorLast({ events: recorder.events, stopped: parser.stopped, feed: (more) => parser.parse(more) });
      }),
      { numRuns: 300 },
    );
  });
});
