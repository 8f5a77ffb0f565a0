// The tests every StreamStore backend passes (memory-store.spec.ts, file-store.spec.ts, ...).
// With `reopen` (a persistent backend), the store is also closed and reopened at many points,
// and everything observable must come back the same.
import { afterEach, describe, expect, it } from 'vitest';
import { UNLIMITED, type StoreLimits, type StoredMessage, type StreamStore } from './stream-store.js';

const NONE = new Uint8Array(0);
const HEADER = bytes('NATS/1.0\r\nKey: value\r\n\r\n');
const EPOCH_NS = 1_700_000_000_123_456_789n;

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** The time of the n-th test message. */
function at(n: number): bigint {
  return EPOCH_NS + BigInt(n) * 1000n;
}

/** nats-server 2.9: fileStoreMsgSize (server/filestore.go) and memStoreMsgSize (server/memstore.go). */
function storedSize(storage: StreamStore['storage'], subject: string, header: Uint8Array, data: Uint8Array): number {
  if (storage === 'file') return 22 + subject.length + (header.length > 0 ? 4 + header.length : 0) + data.length + 8;
  return subject.length + header.length + data.length + 16;
}

/** Appends one message per subject, the data naming its sequence (`m<seq>`), at `at(seq)`. */
function appendAll(store: StreamStore, subjects: string[]): number[] {
  return subjects.map((subject) => {
    const seq = store.state().lastSeq + 1;
    return store.append(subject, NONE, bytes(`m${seq}`), at(seq));
  });
}

function seqsOf(messages: (StoredMessage | undefined)[]): (number | undefined)[] {
  return messages.map((message) => message?.seq);
}

/** Everything a caller can see of a store (all its messages loaded). */
function observe(store: StreamStore): unknown {
  const state = store.state();
  const messages: StoredMessage[] = [];
  for (let seq = state.firstSeq; seq <= state.lastSeq; seq++) {
    const message = store.load(seq);
    if (message !== undefined) messages.push(message);
  }
  const counts = [...store.subjectCounts('>')].sort(([a], [b]) => (a < b ? -1 : 1));
  const perSubject = counts.map(([subject]) => [subject, store.lastSeqOfSubject(subject), store.countOfSubject(subject)]);
  return { state, deleted: store.deletedSeqs(), counts, perSubject, messages, last: store.loadLastMatching('>')?.seq };
}

/** A store opened or reopened at once, or (Redis) once it has loaded. */
type Opened = StreamStore | Promise<StreamStore>;

export function describeStreamStore(
  name: string,
  open: (limits: StoreLimits) => Opened,
  reopen?: (store: StreamStore) => Opened,
): void {
  describe(`${name}: the StreamStore suite`, () => {
    let store: StreamStore | undefined;
    afterEach(() => {
      store?.destroy();
      store = undefined;
    });

    async function start(limits: Partial<StoreLimits> = {}): Promise<StreamStore> {
      store = await open({ ...UNLIMITED, ...limits });
      return store;
    }

    /** With `reopen`: closes and reopens the store and checks that nothing changed. */
    async function survive(): Promise<StreamStore> {
      if (reopen === undefined) return store!;
      const before = observe(store!);
      store = await reopen(store!);
      expect(observe(store)).toEqual(before);
      return store;
    }

    describe('what a consumer looks up', () => {
      it('finds the next matching sequence, counts matches from a sequence, and names a message\'s subject', async () => {
        let s = await start();
        appendAll(s, ['a.x', 'b.x', 'a.y', 'a.x', 'b.y']);
        s.remove(4, false);
        s = await survive();
        expect(s.nextSeqMatching('a.x', 1)).toBe(1);
        expect(s.nextSeqMatching('a.x', 2)).toBe(0);
        expect(s.nextSeqMatching('a.*', 2)).toBe(3);
        expect(s.nextSeqMatching('>', 4)).toBe(5);
        expect(s.countMatchingFrom('>', 0)).toBe(4);
        expect(s.countMatchingFrom('>', 3)).toBe(2);
        expect(s.countMatchingFrom('a.*', 2)).toBe(1);
        expect(s.countMatchingFrom('b.y', 1)).toBe(1);
        expect(s.countMatchingFrom('c', 1)).toBe(0);
        expect(s.subjectOf(3)).toBe('a.y');
        expect(s.subjectOf(4)).toBeUndefined();
        expect(s.subjectOf(99)).toBeUndefined();
      });
    });

    describe('appends', () => {
      it('starts empty, with sequence 0', async () => {
        let s = await start();
        const empty = { messages: 0, bytes: 0, firstSeq: 0, firstTimeNs: 0n, lastSeq: 0, lastTimeNs: 0n, numDeleted: 0, numSubjects: 0 };
        expect(s.state()).toEqual(empty);
        expect(s.load(1)).toBeUndefined();
        expect(s.loadNextMatching('>', 0)).toBeUndefined();
        expect(s.loadLastMatching('>')).toBeUndefined();
        expect(s.deletedSeqs()).toEqual([]);
        s = await survive();
        expect(s.state()).toEqual(empty);
      });

      it('numbers messages from 1 and keeps subject, time and bytes exactly', async () => {
        let s = await start();
        expect(s.append('a.b', NONE, bytes('one'), at(1))).toBe(1);
        expect(s.append('a.c', HEADER, bytes('two'), at(2))).toBe(2);
        expect(s.append('a.b', NONE, bytes('three'), at(3))).toBe(3);
        s.flush();
        expect(s.load(2)).toEqual({ seq: 2, subject: 'a.c', header: HEADER, data: bytes('two'), timeNs: at(2) });
        expect(s.state()).toEqual({
          messages: 3,
          bytes: storedSize(s.storage, 'a.b', NONE, bytes('one')) + storedSize(s.storage, 'a.c', HEADER, bytes('two')) + storedSize(s.storage, 'a.b', NONE, bytes('three')),
          firstSeq: 1,
          firstTimeNs: at(1),
          lastSeq: 3,
          lastTimeNs: at(3),
          numDeleted: 0,
          numSubjects: 2,
        });
        s = await survive();
        expect(s.append('a.d', NONE, bytes('four'), at(4))).toBe(4);
        expect(text(s.load(4)!.data)).toBe('four');
      });

      it('keeps headers and data byte for byte: empty, binary and zero-length', async () => {
        let s = await start();
        const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
        const cases: [string, Uint8Array, Uint8Array][] = [
          ['empty.header', NONE, bytes('data')],
          ['binary.data', NONE, binary],
          ['zero.data', NONE, NONE],
          ['header.and.data', HEADER, binary],
          ['header.only', HEADER, NONE],
          ['binary.header', binary, bytes('x')],
        ];
        let expectedBytes = 0;
        for (const [subject, header, data] of cases) {
          s.append(subject, header, data, at(1));
          expectedBytes += storedSize(s.storage, subject, header, data);
        }
        s.flush();
        const check = (): void => {
          cases.forEach(([subject, header, data], i) => {
            const message = s.load(i + 1)!;
            expect(message.subject).toBe(subject);
            expect(message.header).toEqual(header);
            expect(message.data).toEqual(data);
          });
          expect(s.state().bytes).toBe(expectedBytes);
        };
        check();
        s = await survive();
        check();
      });

      it('peeks the message it loads, in memory, written out and after a restart', async () => {
        let s = await start();
        const binary = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
        s.append('peek.a', NONE, bytes('first'), at(1));
        s.append('peek.b', HEADER, binary, at(2));
        s.append('peek.a', HEADER, NONE, at(3));
        const check = (): void => {
          for (const seq of [1, 2, 3]) {
            // Read one at a time: a peeked message is only good until the next store call.
            const loaded = s.load(seq)!;
            const p = s.peek(seq)!;
            const dataAt = p.start + p.headerLength;
            const peeked = { seq: p.seq, subject: p.subject, timeNs: p.timeNs(), header: [...p.bytes.subarray(p.start, dataAt)], data: [...p.bytes.subarray(dataAt, p.end)] };
            expect(peeked).toEqual({ ...loaded, header: [...loaded.header], data: [...loaded.data] });
            expect(p.timeDecimal()).toBe(String(loaded.timeNs));
          }
          expect(s.peekNextMatching('peek.a', 2)?.seq).toBe(3);
          const first = s.peekNextMatching('peek.*', 0)!;
          expect(text(first.bytes.subarray(first.start + first.headerLength, first.end))).toBe('first');
          expect(s.peekNextMatching('peek.b', 3)).toBeUndefined();
          expect(s.peek(4)).toBeUndefined();
        };
        check();
        s.flush();
        check();
        s = await survive();
        check();
      });

      it('copies what it is given and hands out copies', async () => {
        const s = await start();
        const data = bytes('original');
        s.append('a', NONE, data, at(1));
        data.fill(0);
        const loaded = s.load(1)!;
        expect(text(loaded.data)).toBe('original');
        loaded.data.fill(0);
        expect(text(s.load(1)!.data)).toBe('original');
      });

      it('keeps nanosecond times exactly, beyond 2^53', async () => {
        let s = await start();
        const times = [0n, 1n, 9_007_199_254_740_993n, 9_223_372_036_854_775_807n];
        for (const timeNs of times) s.append('t', NONE, NONE, timeNs);
        s = await survive();
        expect(times.map((_, i) => s.load(i + 1)!.timeNs)).toEqual(times);
        expect(s.state().lastTimeNs).toBe(times[3]);
      });

      it('loads nothing for sequences never stored', async () => {
        const s = await start();
        appendAll(s, ['a', 'b']);
        expect(s.load(0)).toBeUndefined();
        expect(s.load(-1)).toBeUndefined();
        expect(s.load(3)).toBeUndefined();
        expect(s.load(1.5)).toBeUndefined();
      });

      it('keeps many messages over many subjects', async () => {
        let s = await start();
        for (let i = 1; i <= 3000; i++) s.append(`many.${i % 7}`, i % 3 === 0 ? HEADER : NONE, bytes(`m${i}`), at(i));
        s = await survive();
        expect(s.state().messages).toBe(3000);
        expect(s.countOfSubject('many.3')).toBe(429);
        expect(s.lastSeqOfSubject('many.3')).toBe(2999);
        expect(text(s.load(2999)!.data)).toBe('m2999');
        expect(s.load(2999)!.header).toEqual(NONE);
        expect(s.load(2997)!.header).toEqual(HEADER);
      });
    });

    describe('remove', () => {
      it('removes in the interior, at the front and at the end', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'a', 'b', 'a']);
        expect(s.remove(3, false)).toBe(true);
        expect(s.load(3)).toBeUndefined();
        expect(s.state()).toMatchObject({ messages: 4, firstSeq: 1, lastSeq: 5, numDeleted: 1, numSubjects: 2 });
        expect(s.deletedSeqs()).toEqual([3]);
        expect(s.remove(3, false)).toBe(false);
        s = await survive();

        expect(s.remove(1, false)).toBe(true);
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 2, firstTimeNs: at(2), numDeleted: 1 });
        expect(s.deletedSeqs()).toEqual([3]);
        s = await survive();

        expect(s.remove(5, false)).toBe(true);
        expect(s.state()).toMatchObject({ messages: 2, firstSeq: 2, lastSeq: 5, lastTimeNs: at(5), numDeleted: 2, numSubjects: 1 });
        expect(s.deletedSeqs()).toEqual([3, 5]);
        expect(s.countOfSubject('a')).toBe(0);
        expect(s.lastSeqOfSubject('a')).toBe(0);
        s = await survive();
        expect(s.append('c', NONE, NONE, at(6))).toBe(6);
      });

      it('moves the first sequence over interior gaps', async () => {
        const s = await start();
        appendAll(s, ['a', 'b', 'c', 'd']);
        s.remove(2, false);
        s.remove(3, false);
        s.remove(1, false);
        expect(s.state()).toMatchObject({ messages: 1, firstSeq: 4, firstTimeNs: at(4), numDeleted: 0 });
        expect(s.deletedSeqs()).toEqual([]);
      });

      it('leaves first = last + 1 and no first time when all are removed', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'c']);
        for (const seq of [2, 3, 1]) s.remove(seq, false);
        const empty = { messages: 0, bytes: 0, firstSeq: 4, firstTimeNs: 0n, lastSeq: 3, lastTimeNs: at(3), numDeleted: 0, numSubjects: 0 };
        expect(s.state()).toEqual(empty);
        expect(s.deletedSeqs()).toEqual([]);
        s = await survive();
        expect(s.state()).toEqual(empty);
        expect(s.append('d', NONE, NONE, at(4))).toBe(4);
        expect(s.state()).toMatchObject({ messages: 1, firstSeq: 4, firstTimeNs: at(4) });
      });

      it('says false for sequences not there', async () => {
        const s = await start();
        expect(s.remove(1, false)).toBe(false);
        appendAll(s, ['a']);
        expect(s.remove(0, false)).toBe(false);
        expect(s.remove(2, true)).toBe(false);
        expect(s.state().messages).toBe(1);
      });

      it('erases like it removes', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'c']);
        s.flush();
        const bytesBefore = s.state().bytes;
        const size = storedSize(s.storage, 'b', NONE, bytes('m2'));
        expect(s.remove(2, true)).toBe(true);
        expect(s.load(2)).toBeUndefined();
        expect(s.state()).toMatchObject({ messages: 2, bytes: bytesBefore - size, numDeleted: 1 });
        expect(s.remove(3, true)).toBe(true);
        s = await survive();
        expect(text(s.load(1)!.data)).toBe('m1');
        expect(s.load(3)).toBeUndefined();
        expect(s.state()).toMatchObject({ messages: 1, lastSeq: 3, numDeleted: 2 });
      });
    });

    describe('purge', () => {
      it('purges everything, keeping the sequence going', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'c']);
        s.remove(2, false);
        expect(s.purge({})).toBe(2);
        const empty = { messages: 0, bytes: 0, firstSeq: 4, firstTimeNs: 0n, lastSeq: 3, lastTimeNs: at(3), numDeleted: 0, numSubjects: 0 };
        expect(s.state()).toEqual(empty);
        s = await survive();
        expect(s.state()).toEqual(empty);
        expect(s.append('d', NONE, NONE, at(4))).toBe(4);
      });

      it('purges an empty store to first sequence 1', async () => {
        let s = await start();
        expect(s.purge({})).toBe(0);
        expect(s.state()).toMatchObject({ firstSeq: 1, lastSeq: 0 });
        s = await survive();
        expect(s.append('a', NONE, NONE, at(1))).toBe(1);
      });

      it('takes seq 0 and 1 as no bound, and > as every subject', async () => {
        const s = await start();
        appendAll(s, ['a', 'b']);
        expect(s.purge({ seq: 1 })).toBe(2);
        appendAll(s, ['a', 'b']);
        expect(s.purge({ filter: '>', seq: 0 })).toBe(2);
        expect(s.state()).toMatchObject({ messages: 0, firstSeq: 5 });
      });

      it('compacts below a sequence', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'a', 'b', 'a', 'b']);
        expect(s.purge({ seq: 4 })).toBe(3);
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 4, firstTimeNs: at(4), lastSeq: 6, numDeleted: 0 });
        expect(s.countOfSubject('a')).toBe(1);
        expect(s.load(3)).toBeUndefined();
        s = await survive();
        expect(s.purge({ seq: 4 })).toBe(0);
        expect(s.purge({ seq: 2 })).toBe(0);
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 4 });
      });

      it('compacts to the next message when the sequence is removed', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'c', 'd', 'e']);
        s.remove(3, false);
        s.remove(4, false);
        expect(s.purge({ seq: 3 })).toBe(2);
        expect(s.state()).toMatchObject({ messages: 1, firstSeq: 5, numDeleted: 0 });
        s = await survive();
        expect(s.state()).toMatchObject({ messages: 1, firstSeq: 5 });
      });

      it('compacts past the end: empty, and the next append gets that sequence', async () => {
        let s = await start();
        appendAll(s, ['a', 'b']);
        expect(s.purge({ seq: 10 })).toBe(2);
        expect(s.state()).toMatchObject({ messages: 0, firstSeq: 10, lastSeq: 9, lastTimeNs: at(2), firstTimeNs: 0n });
        s = await survive();
        expect(s.state()).toMatchObject({ firstSeq: 10, lastSeq: 9 });
        expect(s.append('c', NONE, NONE, at(10))).toBe(10);
        expect(s.state()).toMatchObject({ messages: 1, firstSeq: 10, lastSeq: 10 });
      });

      it('compacts an empty store past the end', async () => {
        let s = await start();
        expect(s.purge({ seq: 5 })).toBe(0);
        expect(s.state()).toMatchObject({ firstSeq: 5, lastSeq: 4 });
        s = await survive();
        expect(s.append('a', NONE, NONE, at(5))).toBe(5);
      });

      it('keeps the newest overall without a filter', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'a', 'b', 'a', 'b']);
        s.remove(5, false);
        expect(s.purge({ keep: 2 })).toBe(3);
        expect(s.state()).toMatchObject({ messages: 2, firstSeq: 4 });
        expect(seqsOf([s.load(4), s.load(6)])).toEqual([4, 6]);
        expect(s.purge({ keep: 2 })).toBe(0);
        expect(s.purge({ keep: 5 })).toBe(0);
        s = await survive();
        expect(s.state()).toMatchObject({ messages: 2, firstSeq: 4, numDeleted: 1 });
      });

      it('ignores keep when compacting without a filter', async () => {
        const s = await start();
        appendAll(s, ['a', 'b', 'c', 'd']);
        expect(s.purge({ seq: 4, keep: 3 })).toBe(3);
      });

      it('purges one literal subject', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'a', 'c', 'a']);
        expect(s.purge({ filter: 'a' })).toBe(3);
        expect(s.state()).toMatchObject({ messages: 2, firstSeq: 2, lastSeq: 5, numDeleted: 2, numSubjects: 2 });
        expect(s.deletedSeqs()).toEqual([3, 5]);
        expect(s.countOfSubject('a')).toBe(0);
        expect(s.purge({ filter: 'a' })).toBe(0);
        expect(s.purge({ filter: 'nothing' })).toBe(0);
        s = await survive();
        expect(s.deletedSeqs()).toEqual([3, 5]);
      });

      it('purges wildcard filters', async () => {
        let s = await start();
        appendAll(s, ['x.a.1', 'x.b.1', 'y.a.1', 'x.a.2', 'x.a.1.deep']);
        expect(s.purge({ filter: 'x.*.1' })).toBe(2);
        expect(seqsOf([s.load(1), s.load(2), s.load(5)])).toEqual([undefined, undefined, 5]);
        expect(s.purge({ filter: 'x.>' })).toBe(2);
        expect(s.state()).toMatchObject({ messages: 1, firstSeq: 3, numSubjects: 1 });
        s = await survive();
        expect(s.load(3)!.subject).toBe('y.a.1');
      });

      it('keeps the newest of all matching subjects together with a filter', async () => {
        let s = await start();
        appendAll(s, ['k.a', 'k.b', 'k.a', 'k.b', 'other', 'k.a']);
        expect(s.purge({ filter: 'k.*', keep: 2 })).toBe(3);
        expect(s.countOfSubject('k.a')).toBe(1);
        expect(s.countOfSubject('k.b')).toBe(1);
        expect(seqsOf([s.load(4), s.load(5), s.load(6)])).toEqual([4, 5, 6]);
        expect(s.purge({ filter: 'k.*', keep: 2 })).toBe(0);
        expect(s.purge({ filter: 'k.a', keep: 1 })).toBe(0);
        s = await survive();
        expect(s.state().messages).toBe(3);
      });

      it('keeps the newest of a literal subject', async () => {
        const s = await start();
        appendAll(s, ['k', 'o', 'k', 'k', 'o', 'k']);
        expect(s.purge({ filter: 'k', keep: 1 })).toBe(3);
        expect(s.lastSeqOfSubject('k')).toBe(6);
        expect(s.countOfSubject('k')).toBe(1);
        expect(s.countOfSubject('o')).toBe(2);
      });

      it('purges matching subjects below a sequence, also with keep', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'a', 'b', 'a', 'b']);
        expect(s.purge({ filter: 'a', seq: 5 })).toBe(2);
        expect(s.countOfSubject('a')).toBe(1);
        expect(s.lastSeqOfSubject('a')).toBe(5);
        expect(s.purge({ filter: '*', seq: 6, keep: 2 })).toBe(2);
        expect(seqsOf([s.load(5), s.load(6)])).toEqual([5, 6]);
        expect(s.deletedSeqs()).toEqual([]);
        s = await survive();
        expect(s.state()).toMatchObject({ messages: 2, firstSeq: 5 });
      });
    });

    describe('limits', () => {
      it('max_msgs removes from the front', async () => {
        let s = await start({ maxMsgs: 3 });
        appendAll(s, ['a', 'b', 'c', 'd', 'e']);
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 3, lastSeq: 5 });
        s = await survive();
        appendAll(s, ['f']);
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 4, lastSeq: 6 });
      });

      it('max_bytes removes from the front until the bytes fit', async () => {
        const probe = await open(UNLIMITED);
        const size = storedSize(probe.storage, 'a', NONE, bytes('m1'));
        probe.destroy();
        let s = await start({ maxBytes: size * 3 });
        appendAll(s, ['a', 'b', 'c']);
        expect(s.state()).toMatchObject({ messages: 3, bytes: size * 3 });
        appendAll(s, ['d']);
        expect(s.state()).toMatchObject({ messages: 3, bytes: size * 3, firstSeq: 2 });
        s = await survive();
        s.append('e', NONE, bytes('m5 and a bit'), at(5));
        expect(s.state()).toMatchObject({ messages: 2, firstSeq: 4 });
      });

      it('max_bytes removes even the new message when it is larger', async () => {
        const s = await start({ maxBytes: 40 });
        appendAll(s, ['a']);
        s.append('b', NONE, new Uint8Array(100), at(2));
        expect(s.state()).toMatchObject({ messages: 0, firstSeq: 3, lastSeq: 2, bytes: 0 });
      });

      it('max_msgs_per_subject removes that subject oldest', async () => {
        let s = await start({ maxMsgsPerSubject: 2 });
        appendAll(s, ['k', 'o', 'k', 'k', 'o', 'k']);
        expect(s.countOfSubject('k')).toBe(2);
        expect(s.countOfSubject('o')).toBe(2);
        expect(seqsOf([1, 2, 3, 4, 5, 6].map((seq) => s.load(seq)))).toEqual([undefined, 2, undefined, 4, 5, 6]);
        expect(s.state()).toMatchObject({ messages: 4, firstSeq: 2, numDeleted: 1 });
        s = await survive();
        appendAll(s, ['o']);
        expect(s.state()).toMatchObject({ messages: 4, firstSeq: 4 });
      });

      it('max_msgs_per_subject of 1 keeps the last of each', async () => {
        const s = await start({ maxMsgsPerSubject: 1 });
        for (let i = 1; i <= 2000; i++) s.append(`kv.${i % 10}`, NONE, bytes(`m${i}`), at(i));
        expect(s.state()).toMatchObject({ messages: 10, firstSeq: 1991, lastSeq: 2000, numSubjects: 10 });
        expect(text(s.loadLastMatching('kv.3')!.data)).toBe('m1993');
      });

      it('expires by age with explicit times, at or before now - max age', async () => {
        let s = await start({ maxAgeNs: 5000n });
        appendAll(s, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
        expect(s.expire(at(5))).toBe(0);
        expect(s.expire(at(8))).toBe(3);
        expect(s.state()).toMatchObject({ messages: 5, firstSeq: 4, firstTimeNs: at(4) });
        s = await survive();
        expect(s.expire(at(8) + 1n)).toBe(0);
        expect(s.expire(at(8) + 1000n)).toBe(1);
        expect(s.expire(at(100))).toBe(4);
        expect(s.state()).toMatchObject({ messages: 0, firstSeq: 9, lastSeq: 8, firstTimeNs: 0n });
        s = await survive();
        expect(s.state()).toMatchObject({ messages: 0, firstSeq: 9, lastSeq: 8 });
      });

      it('does not expire without a max age', async () => {
        const s = await start();
        appendAll(s, ['a']);
        expect(s.expire(at(1_000_000))).toBe(0);
      });

      it('setLimits applies tighter limits at once, looser ones remove nothing', async () => {
        let s = await start();
        appendAll(s, ['k', 'k', 'o', 'k', 'o', 'p', 'k', 'o']);
        s.setLimits({ ...UNLIMITED, maxMsgs: 100 });
        expect(s.state().messages).toBe(8);
        s.setLimits({ ...UNLIMITED, maxMsgsPerSubject: 2 });
        expect(s.countOfSubject('k')).toBe(2);
        expect(s.countOfSubject('o')).toBe(2);
        expect(s.lastSeqOfSubject('k')).toBe(7);
        expect(s.state()).toMatchObject({ messages: 5, firstSeq: 4 });
        s = await survive();
        s.setLimits({ ...UNLIMITED, maxMsgs: 3 });
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 6 });
        const size = storedSize(s.storage, 'p', NONE, bytes('m6'));
        s.setLimits({ ...UNLIMITED, maxBytes: size * 2 });
        expect(s.state()).toMatchObject({ messages: 2, firstSeq: 7 });
        s = await survive();
        s.setLimits({ ...UNLIMITED, maxAgeNs: 1000n });
        expect(s.state().messages).toBe(2);
        expect(s.expire(at(7) + 999n)).toBe(0);
        expect(s.expire(at(8))).toBe(1);
        s = await survive();
        expect(s.state()).toMatchObject({ messages: 1, firstSeq: 8 });
      });

      it('applies the limits given when opened to later appends', async () => {
        const s = await start({ maxMsgs: 2, maxMsgsPerSubject: 1 });
        appendAll(s, ['a', 'a', 'b', 'c']);
        expect(s.state()).toMatchObject({ messages: 2, firstSeq: 3 });
      });
    });

    describe('lookups', () => {
      const subjects = ['orders.eu.new', 'orders.us.new', 'orders.eu.paid', 'audit', 'orders.eu.new', 'orders.eu.new.late'];

      it('finds the next message on a literal subject', async () => {
        const s = await start();
        appendAll(s, subjects);
        expect(s.loadNextMatching('orders.eu.new', 0)?.seq).toBe(1);
        expect(s.loadNextMatching('orders.eu.new', 2)?.seq).toBe(5);
        expect(s.loadNextMatching('orders.eu.new', 5)?.seq).toBe(5);
        expect(s.loadNextMatching('orders.eu.new', 6)).toBeUndefined();
        expect(s.loadNextMatching('nothing', 0)).toBeUndefined();
        s.remove(5, false);
        expect(s.loadNextMatching('orders.eu.new', 2)).toBeUndefined();
        expect(text(s.loadNextMatching('orders.eu.new', 1)!.data)).toBe('m1');
      });

      it('finds the next message on wildcard filters', async () => {
        const s = await start();
        appendAll(s, subjects);
        expect(s.loadNextMatching('orders.*.new', 0)?.seq).toBe(1);
        expect(s.loadNextMatching('orders.*.new', 2)?.seq).toBe(2);
        expect(s.loadNextMatching('orders.*.new', 3)?.seq).toBe(5);
        expect(s.loadNextMatching('*.eu.*', 2)?.seq).toBe(3);
        expect(s.loadNextMatching('orders.eu.>', 4)?.seq).toBe(5);
        expect(s.loadNextMatching('orders.eu.>', 6)?.seq).toBe(6);
        expect(s.loadNextMatching('*', 0)?.seq).toBe(4);
        expect(s.loadNextMatching('>', 4)?.seq).toBe(4);
        expect(s.loadNextMatching('', 4)?.seq).toBe(4);
        expect(s.loadNextMatching('*.*.*.*.*', 0)).toBeUndefined();
        expect(s.loadNextMatching('>', 7)).toBeUndefined();
        s.remove(1, false);
        s.remove(4, false);
        expect(s.loadNextMatching('>', 0)?.seq).toBe(2);
        expect(s.loadNextMatching('>', 4)?.seq).toBe(5);
        expect(s.loadNextMatching('*', 0)).toBeUndefined();
      });

      it('finds the last message on literal and wildcard filters', async () => {
        let s = await start();
        appendAll(s, subjects);
        expect(s.loadLastMatching('orders.eu.new')?.seq).toBe(5);
        expect(s.loadLastMatching('orders.*.new')?.seq).toBe(5);
        expect(s.loadLastMatching('orders.us.*')?.seq).toBe(2);
        expect(s.loadLastMatching('orders.>')?.seq).toBe(6);
        expect(s.loadLastMatching('>')?.seq).toBe(6);
        expect(s.loadLastMatching('')?.seq).toBe(6);
        expect(s.loadLastMatching('audit.>')).toBeUndefined();
        s.remove(6, false);
        s.remove(5, false);
        expect(s.loadLastMatching('>')?.seq).toBe(4);
        expect(s.loadLastMatching('orders.eu.new')?.seq).toBe(1);
        expect(s.loadLastMatching('orders.*.new')?.seq).toBe(2);
        s = await survive();
        expect(s.loadLastMatching('orders.eu.*')?.seq).toBe(3);
      });

      it('finds the last matching message by scanning when there are many subjects', async () => {
        const s = await start();
        for (let i = 1; i <= 500; i++) s.append(`unique.${i}`, NONE, NONE, at(i));
        s.append('other.x', NONE, NONE, at(501));
        s.append('unique.last', NONE, NONE, at(502));
        expect(s.loadLastMatching('other.*')?.seq).toBe(501);
        expect(s.loadLastMatching('unique.*')?.seq).toBe(502);
      });

      it('counts per subject and knows each subject last', async () => {
        let s = await start();
        appendAll(s, subjects);
        expect(s.countOfSubject('orders.eu.new')).toBe(2);
        expect(s.lastSeqOfSubject('orders.eu.new')).toBe(5);
        expect(s.countOfSubject('orders.*.new')).toBe(0);
        expect(s.lastSeqOfSubject('unknown')).toBe(0);
        s.remove(5, false);
        expect(s.lastSeqOfSubject('orders.eu.new')).toBe(1);
        expect(s.countOfSubject('orders.eu.new')).toBe(1);
        s = await survive();
        expect(s.lastSeqOfSubject('orders.eu.new')).toBe(1);
      });

      it('lists subject counts for a filter', async () => {
        const s = await start();
        appendAll(s, subjects);
        expect(s.subjectCounts('orders.eu.*')).toEqual(new Map([['orders.eu.new', 2], ['orders.eu.paid', 1]]));
        expect(s.subjectCounts('orders.eu.new')).toEqual(new Map([['orders.eu.new', 2]]));
        expect(s.subjectCounts('>').size).toBe(5);
        expect(s.subjectCounts('').size).toBe(5);
        expect(s.subjectCounts('nothing.*').size).toBe(0);
        expect(s.state().numSubjects).toBe(5);
      });

      it('lists the deleted sequences between first and last', async () => {
        let s = await start();
        appendAll(s, ['a', 'b', 'c', 'd', 'e', 'f']);
        s.remove(2, false);
        s.remove(4, false);
        s.remove(6, false);
        expect(s.deletedSeqs()).toEqual([2, 4, 6]);
        expect(s.state().numDeleted).toBe(3);
        s.remove(1, false);
        expect(s.deletedSeqs()).toEqual([4, 6]);
        expect(s.state()).toMatchObject({ firstSeq: 3, numDeleted: 2 });
        s = await survive();
        expect(s.deletedSeqs()).toEqual([4, 6]);
      });
    });

    describe('restore', () => {
      it('keeps the sequences and times given, the skipped ones deleted', async () => {
        let s = await start();
        s.restoreMessage(5, 'a', HEADER, bytes('m5'), at(5));
        s.restoreMessage(6, 'b', NONE, bytes('m6'), at(1));
        s.restoreMessage(9, 'a', NONE, NONE, at(9));
        s.restoreLastSeq(9, at(9));
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 5, firstTimeNs: at(5), lastSeq: 9, lastTimeNs: at(9), numDeleted: 2, numSubjects: 2 });
        expect(s.deletedSeqs()).toEqual([7, 8]);
        s = await survive();
        const m5 = s.load(5)!;
        expect([text(m5.header), text(m5.data), m5.timeNs]).toEqual([text(HEADER), 'm5', at(5)]);
        expect(s.load(6)!.timeNs).toBe(at(1));
        expect(s.countOfSubject('a')).toBe(2);
        expect(s.lastSeqOfSubject('a')).toBe(9);
        expect(s.append('c', NONE, NONE, at(10))).toBe(10);
      });

      it('keeps the tail removed after the last message, and its time', async () => {
        let s = await start();
        s.restoreMessage(1, 'a', NONE, bytes('m1'), at(1));
        s.restoreLastSeq(4, at(4));
        expect(s.state()).toMatchObject({ messages: 1, firstSeq: 1, lastSeq: 4, lastTimeNs: at(4), numDeleted: 3 });
        s = await survive();
        expect(s.append('a', NONE, NONE, at(5))).toBe(5);
      });

      it('restores an emptied stream as first = last + 1, and a never used one as 0', async () => {
        let s = await start();
        s.restoreLastSeq(7, at(7));
        expect(s.state()).toMatchObject({ messages: 0, firstSeq: 8, lastSeq: 7, lastTimeNs: at(7), numDeleted: 0 });
        s = await survive();
        expect(s.append('a', NONE, NONE, at(8))).toBe(8);
        s.destroy();
        s = await start();
        s.restoreLastSeq(0, 0n);
        expect(s.state()).toMatchObject({ messages: 0, firstSeq: 0, lastSeq: 0 });
      });

      it('refuses sequences that are not above the last one, and applies no limits', async () => {
        const s = await start({ maxMsgs: 1 });
        s.restoreMessage(2, 'a', NONE, NONE, at(2));
        s.restoreMessage(3, 'a', NONE, NONE, at(3));
        expect(s.state().messages).toBe(2);
        expect(() => s.restoreMessage(3, 'a', NONE, NONE, at(3))).toThrow(RangeError);
        expect(() => s.restoreMessage(2 ** 53, 'a', NONE, NONE, at(3))).toThrow(RangeError);
        expect(() => s.restoreLastSeq(2, at(2))).toThrow(RangeError);
      });
    });

    describe('appendAt (mirrors)', () => {
      it('stores at the sequence and time given, the skipped ones deleted, and applies the limits', async () => {
        let s = await start({ maxMsgs: 3 });
        s.appendAt(4, 'a', HEADER, bytes('m4'), at(4));
        s.appendAt(5, 'b', NONE, bytes('m5'), at(5));
        s.appendAt(8, 'a', NONE, bytes('m8'), at(1));
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 4, lastSeq: 8, lastTimeNs: at(1), numDeleted: 2 });
        s.appendAt(9, 'c', NONE, bytes('m9'), at(9));
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 5, lastSeq: 9 });
        expect(s.deletedSeqs()).toEqual([6, 7]);
        s = await survive();
        expect(s.state()).toMatchObject({ messages: 3, firstSeq: 5, lastSeq: 9, numDeleted: 2 });
        expect(text(s.load(8)!.data)).toBe('m8');
        expect(s.load(8)!.timeNs).toBe(at(1));
        expect(s.append('d', NONE, NONE, at(10))).toBe(10);
        expect(() => s.appendAt(10, 'a', NONE, NONE, at(10))).toThrow(RangeError);
        expect(() => s.appendAt(Number.NaN, 'a', NONE, NONE, at(10))).toThrow(RangeError);
      });
    });

    describe('lifecycle', () => {
      it('is unusable after close and destroy', async () => {
        const s = await start();
        appendAll(s, ['a']);
        s.close();
        expect(() => s.append('b', NONE, NONE, at(2))).toThrow(/closed/);
        expect(() => s.load(1)).toThrow(/closed/);
        s.close();
        s.destroy();
        store = undefined;
      });

      it('destroys what it stored', async () => {
        const s = await start();
        appendAll(s, ['a', 'b']);
        s.destroy();
        store = undefined;
        expect(() => s.flush()).toThrow(/closed/);
      });
    });

    it('agrees with a plain model over many random operations', async () => {
      let s = await start({ maxMsgs: 700, maxMsgsPerSubject: 60 });
      const model = new ModelStream(700, 60);
      const random = seededRandom(42);
      const subjectPool = Array.from({ length: 25 }, (_, i) => `r.${i % 5}.${i}`);
      for (let step = 1; step <= 6000; step++) {
        const dice = random();
        if (dice < 0.8) {
          const subject = subjectPool[Math.floor(random() * subjectPool.length)]!;
          const data = bytes(`d${step}`);
          model.append(subject, data.length, at(step));
          s.append(subject, NONE, data, at(step));
        } else if (dice < 0.95) {
          const seq = model.firstSeq + Math.floor(random() * (model.lastSeq - model.firstSeq + 1));
          expect(s.remove(seq, random() < 0.2)).toBe(model.remove(seq));
        } else if (dice < 0.98) {
          const subject = subjectPool[Math.floor(random() * subjectPool.length)]!;
          const keep = Math.floor(random() * 3);
          expect(s.purge({ filter: subject, keep })).toBe(model.purgeSubject(subject, keep));
        } else {
          const below = Math.max(2, model.firstSeq + Math.floor(random() * 50));
          expect(s.purge({ seq: below })).toBe(model.compact(below));
        }
        if (step % 500 === 0) {
          expect(model.check(s)).toEqual(model.expected(s.storage));
          s = await survive();
        }
      }
      expect(model.check(s)).toEqual(model.expected(s.storage));
    });
  });
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The stream rules written the plain way (a map of sequences), to compare a store with. */
class ModelStream {
  readonly messages = new Map<number, { subject: string; dataLength: number; timeNs: bigint }>();
  firstSeq = 0;
  lastSeq = 0;
  lastTimeNs = 0n;

  constructor(
    private readonly maxMsgs: number,
    private readonly maxPerSubject: number,
  ) {}

  append(subject: string, dataLength: number, timeNs: bigint): void {
    this.lastSeq++;
    if (this.messages.size === 0) this.firstSeq = this.lastSeq;
    this.messages.set(this.lastSeq, { subject, dataLength, timeNs });
    this.lastTimeNs = timeNs;
    const ofSubject = this.seqsOf(subject);
    while (ofSubject.length > this.maxPerSubject) this.remove(ofSubject.shift()!);
    while (this.messages.size > this.maxMsgs) this.remove(this.firstSeq);
  }

  remove(seq: number): boolean {
    if (!this.messages.delete(seq)) return false;
    this.firstSeq = this.messages.size === 0 ? this.lastSeq + 1 : Math.min(...this.messages.keys());
    return true;
  }

  purgeSubject(subject: string, keep: number): number {
    const seqs = this.seqsOf(subject);
    const purged = Math.max(0, seqs.length - keep);
    for (const seq of seqs.slice(0, purged)) this.remove(seq);
    return purged;
  }

  compact(below: number): number {
    let purged = 0;
    for (const seq of [...this.messages.keys()]) if (seq < below && this.remove(seq)) purged++;
    if (below > this.lastSeq + 1) this.lastSeq = below - 1;
    if (this.messages.size === 0) this.firstSeq = this.lastSeq + 1;
    return purged;
  }

  expected(storage: StreamStore['storage']): unknown {
    const seqs = [...this.messages.keys()].sort((a, b) => a - b);
    const deleted: number[] = [];
    for (let seq = this.firstSeq; this.messages.size > 0 && seq <= this.lastSeq; seq++) if (!this.messages.has(seq)) deleted.push(seq);
    const counts = new Map<string, number>();
    const lasts = new Map<string, number>();
    let totalBytes = 0;
    for (const seq of seqs) {
      const { subject, dataLength } = this.messages.get(seq)!;
      counts.set(subject, (counts.get(subject) ?? 0) + 1);
      lasts.set(subject, seq);
      totalBytes += storedSize(storage, subject, NONE, new Uint8Array(dataLength));
    }
    const firstSubject = seqs.length > 0 ? this.messages.get(seqs[0]!)!.subject : '';
    return {
      state: {
        messages: seqs.length,
        bytes: totalBytes,
        firstSeq: this.firstSeq,
        firstTimeNs: seqs.length > 0 ? this.messages.get(seqs[0]!)!.timeNs : 0n,
        lastSeq: this.lastSeq,
        lastTimeNs: this.lastTimeNs,
        numDeleted: deleted.length,
        numSubjects: counts.size,
      },
      deleted,
      counts: [...counts].sort(([a], [b]) => (a < b ? -1 : 1)),
      lasts: [...lasts].sort(([a], [b]) => (a < b ? -1 : 1)),
      seqs,
      nextOfFirstSubject: this.seqsOf(firstSubject).find((seq) => seq >= this.firstSeq + 10),
    };
  }

  /** The same observations taken from a store. */
  check(store: StreamStore): unknown {
    const state = store.state();
    const counts = [...store.subjectCounts('>')].sort(([a], [b]) => (a < b ? -1 : 1));
    const seqs: number[] = [];
    for (let seq = state.firstSeq; seq <= state.lastSeq; seq++) if (store.load(seq) !== undefined) seqs.push(seq);
    const firstSubject = seqs.length > 0 ? store.load(seqs[0]!)!.subject : '';
    return {
      state,
      deleted: store.deletedSeqs(),
      counts,
      lasts: counts.map(([subject]) => [subject, store.lastSeqOfSubject(subject)]),
      seqs,
      nextOfFirstSubject: store.loadNextMatching(firstSubject, state.firstSeq + 10)?.seq,
    };
  }

  private seqsOf(subject: string): number[] {
    return [...this.messages].filter(([, message]) => message.subject === subject).map(([seq]) => seq).sort((a, b) => a - b);
  }
}
