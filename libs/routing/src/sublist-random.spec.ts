// Randomized check of the sublist and its cache against a brute-force matcher: after any mix of
// inserts, removes and matches, a (possibly cached) match must equal a scan of all entries.
import { describe, expect, it } from 'vitest';
import type { SublistEntry } from './sublist-result.js';
import { Sublist } from './sublist.js';

interface TestSub extends SublistEntry {
  readonly id: number;
}

/** mulberry32: small seeded PRNG so failures reproduce. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference matcher written independently of the library: token lists compared one by one. */
function bruteForceMatches(literal: string, pattern: string): boolean {
  const subject = literal.split('.');
  const tokens = pattern.split('.');
  if (subject.some((token) => token === '')) return false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '>' && i === tokens.length - 1) return subject.length > i;
    if (i >= subject.length) return false;
    if (token !== '*' && token !== subject[i]) return false;
  }
  return subject.length === tokens.length;
}

function describeResult(plain: readonly TestSub[], queues: readonly (readonly TestSub[])[]): string[] {
  const lines = plain.map((entry) => `plain:${entry.id}`);
  for (const group of queues) {
    expect(group.length).toBeGreaterThan(0);
    for (const entry of group) {
      expect(entry.queue).toBe(group[0]!.queue);
      lines.push(`queue:${entry.queue}:${entry.id}`);
    }
  }
  return lines.sort();
}

function expectedResult(entries: Iterable<TestSub>, subject: string): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    if (!bruteForceMatches(subject, entry.subject)) continue;
    lines.push(entry.queue === undefined ? `plain:${entry.id}` : `queue:${entry.queue}:${entry.id}`);
  }
  return lines.sort();
}

const QUEUES = ['q1', 'q2'];

function randomSubject(random: () => number, alphabet: readonly string[], allowWildcards: boolean): string {
  const length = 1 + Math.floor(random() * 4);
  const tokens: string[] = [];
  for (let i = 0; i < length; i++) {
    const roll = random();
    if (allowWildcards && roll < 0.15) tokens.push('*');
    else if (allowWildcards && roll < 0.22 && i === length - 1) tokens.push('>');
    else tokens.push(alphabet[Math.floor(random() * alphabet.length)]!);
  }
  return tokens.join('.');
}

describe('Sublist against a brute-force matcher', () => {
  // A small alphabet keeps every published subject cached; a large one forces cache sweeps.
  const small = ['a', 'b', 'c', 'd'];
  const large = Array.from({ length: 14 }, (_, i) => `t${i}`);
  it.each([
    [1, small],
    [2, small],
    [42, small],
    [3, large],
    [1234, large],
  ])('agrees after random inserts, removes and matches (seed %i)', (seed, alphabet) => {
    const random = seededRandom(seed);
    const sl = new Sublist<TestSub>();
    const live = new Map<number, TestSub>();
    let nextId = 0;
    for (let step = 0; step < 4000; step++) {
      const roll = random();
      if (roll < 0.3 || live.size === 0) {
        const queue = random() < 0.3 ? QUEUES[Math.floor(random() * QUEUES.length)] : undefined;
        const entry: TestSub = { subject: randomSubject(random, alphabet, true), queue, id: nextId++ };
        sl.insert(entry);
        live.set(entry.id, entry);
      } else if (roll < 0.5) {
        const victims = [...live.values()];
        const victim = victims[Math.floor(random() * victims.length)]!;
        expect(sl.remove(victim)).toBe(true);
        live.delete(victim.id);
      } else {
        const subject = randomSubject(random, alphabet, false);
        const result = sl.match(subject);
        expect(describeResult(result.plain, result.queues), `${subject} at step ${step}`).toEqual(
          expectedResult(live.values(), subject),
        );
      }
      expect(sl.count).toBe(live.size);
    }
    expect(sl.all().map((entry) => entry.id).sort((x, y) => x - y)).toEqual([...live.keys()].sort((x, y) => x - y));
    expect(sl.stats().cacheHitRate).toBeGreaterThan(0);
  });
});
