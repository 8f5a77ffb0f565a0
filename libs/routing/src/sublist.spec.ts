import { describe, expect, it } from 'vitest';
import { EMPTY_SUBLIST_RESULT, type SublistEntry } from './sublist-result.js';
import { InvalidSubjectError, Sublist } from './sublist.js';

interface TestSub extends SublistEntry {
  readonly id: number;
}

let nextId = 0;
function sub(subject: string, queue?: string): TestSub {
  return { subject, queue, id: nextId++ };
}

function ids(entries: readonly TestSub[]): number[] {
  return entries.map((entry) => entry.id).sort((a, b) => a - b);
}

function queueGroups(entries: readonly (readonly TestSub[])[]): Record<string, number[]> {
  const groups: Record<string, number[]> = {};
  for (const group of entries) groups[group[0]!.queue!] = ids(group);
  return groups;
}

describe('Sublist', () => {
  it('matches literal subjects', () => {
    const sl = new Sublist<TestSub>();
    const foo = sub('foo');
    const fooBar = sub('foo.bar.baz');
    sl.insert(foo);
    sl.insert(fooBar);
    expect(sl.count).toBe(2);
    expect(sl.match('foo').plain).toEqual([foo]);
    expect(sl.match('foo.bar.baz').plain).toEqual([fooBar]);
    expect(sl.match('foo.bar').plain).toEqual([]);
    expect(sl.match('foo.bar.baz.qux').plain).toEqual([]);
  });

  it('matches partial and full wildcards', () => {
    const sl = new Sublist<TestSub>();
    const literal = sub('a.b.c');
    const partial1 = sub('a.*.c');
    const partial2 = sub('*.b.*');
    const partialEnd = sub('a.b.*');
    const full = sub('a.>');
    const all = sub('>');
    for (const entry of [literal, partial1, partial2, partialEnd, full, all]) sl.insert(entry);
    expect(ids(sl.match('a.b.c').plain)).toEqual(ids([literal, partial1, partial2, partialEnd, full, all]));
    expect(ids(sl.match('a.x.c').plain)).toEqual(ids([partial1, full, all]));
    expect(ids(sl.match('a').plain)).toEqual(ids([all]));
    expect(ids(sl.match('a.b').plain)).toEqual(ids([full, all]));
    expect(ids(sl.match('a.b.c.d').plain)).toEqual(ids([full, all]));
    expect(ids(sl.match('z.b.z').plain)).toEqual(ids([partial2, all]));
  });

  it('treats wildcard characters inside a token as literal characters', () => {
    const sl = new Sublist<TestSub>();
    const star = sub('foo.*-');
    const gt = sub('foo.>-');
    sl.insert(star);
    sl.insert(gt);
    expect(sl.match('foo.bar').plain).toEqual([]);
    expect(sl.match('foo.*-').plain).toEqual([star]);
    expect(sl.match('foo.>-').plain).toEqual([gt]);
    expect(sl.remove(sub('foo.bar'))).toBe(false);
    expect(sl.count).toBe(2);
  });

  it('rejects invalid subjects on insert and remove', () => {
    const sl = new Sublist<TestSub>();
    for (const subject of ['', '.foo', 'foo.', 'foo..bar', 'foo.bar..baz', 'foo.>.bar']) {
      expect(() => sl.insert(sub(subject))).toThrow(InvalidSubjectError);
      expect(sl.remove(sub(subject))).toBe(false);
    }
    expect(sl.count).toBe(0);
    expect(sl.stats().numInserts).toBe(0);
  });

  it('returns the shared empty result for no interest and for subjects with empty tokens', () => {
    const sl = new Sublist<TestSub>();
    sl.insert(sub('>'));
    sl.insert(sub('>', 'queue'));
    expect(sl.match('nothing.here.bar').plain.length).toBe(1);
    const empty = new Sublist<TestSub>();
    expect(empty.match('foo')).toBe(EMPTY_SUBLIST_RESULT);
    expect(empty.match('bar')).toBe(EMPTY_SUBLIST_RESULT);
    for (const subject of ['', '.foo', '..foo', 'foo..', 'foo.', 'foo..bar', 'foo...bar']) {
      expect(sl.match(subject)).toBe(EMPTY_SUBLIST_RESULT);
    }
    expect(Object.isFrozen(EMPTY_SUBLIST_RESULT)).toBe(true);
    expect(Object.isFrozen(EMPTY_SUBLIST_RESULT.plain)).toBe(true);
  });

  it('removes entries by identity and prunes the tree', () => {
    const sl = new Sublist<TestSub>();
    const a = sub('a.b.c');
    const b = sub('a.b.c');
    const wild = sub('a.*.>');
    sl.insert(a);
    sl.insert(b);
    sl.insert(wild);
    expect(sl.remove(sub('a.b.c'))).toBe(false);
    expect(sl.remove(a)).toBe(true);
    expect(sl.remove(a)).toBe(false);
    expect(ids(sl.match('a.b.c').plain)).toEqual(ids([b, wild]));
    expect(sl.remove(wild)).toBe(true);
    expect(sl.remove(b)).toBe(true);
    expect(sl.count).toBe(0);
    expect(sl.all()).toEqual([]);
    expect(sl.match('a.b.c')).toBe(EMPTY_SUBLIST_RESULT);
    // Pruning must not lose siblings sharing a prefix.
    const deep = sub('a.b.c.d');
    const shallow = sub('a.b');
    sl.insert(deep);
    sl.insert(shallow);
    sl.remove(deep);
    expect(sl.match('a.b').plain).toEqual([shallow]);
    sl.insert(deep);
    sl.remove(shallow);
    expect(sl.match('a.b.c.d').plain).toEqual([deep]);
  });

  it('ignores a second insert of the same entry', () => {
    const sl = new Sublist<TestSub>();
    const entry = sub('foo');
    sl.insert(entry);
    sl.insert(entry);
    expect(sl.count).toBe(1);
    expect(sl.stats().numInserts).toBe(1);
    expect(sl.match('foo').plain).toEqual([entry]);
  });

  it('groups queue subscribers by queue name across nodes', () => {
    const sl = new Sublist<TestSub>();
    const plain = sub('foo.bar');
    const bar1 = sub('foo.bar', 'bar');
    const bar2 = sub('foo.*', 'bar');
    const baz1 = sub('foo.bar', 'baz');
    const baz2 = sub('>', 'baz');
    const other = sub('foo.*', 'other');
    for (const entry of [plain, bar1, bar2, baz1, baz2, other]) sl.insert(entry);
    const result = sl.match('foo.bar');
    expect(result.plain).toEqual([plain]);
    expect(result.queues.length).toBe(3);
    expect(queueGroups(result.queues)).toEqual({
      bar: ids([bar1, bar2]),
      baz: ids([baz1, baz2]),
      other: ids([other]),
    });

    sl.remove(bar1);
    sl.remove(bar2);
    expect(queueGroups(sl.match('foo.bar').queues)).toEqual({ baz: ids([baz1, baz2]), other: ids([other]) });
    sl.remove(baz1);
    sl.remove(baz2);
    sl.remove(other);
    sl.remove(plain);
    expect(sl.match('foo.bar')).toBe(EMPTY_SUBLIST_RESULT);
  });

  it('treats an empty queue name as a plain subscription', () => {
    const sl = new Sublist<TestSub>();
    const entry = sub('foo', '');
    sl.insert(entry);
    expect(sl.match('foo').plain).toEqual([entry]);
    expect(sl.match('foo').queues).toEqual([]);
    expect(sl.remove(entry)).toBe(true);
  });

  it('lists all entries', () => {
    const sl = new Sublist<TestSub>();
    const entries = [sub('foo.bar.baz'), sub('foo'), sub('baz'), sub('foo.*', 'q'), sub('>'), sub('*.>', 'q')];
    for (const entry of entries) sl.insert(entry);
    expect(ids(sl.all())).toEqual(ids(entries));
  });

  it('counts inserts and removes that changed the tree, not matches or repeats', () => {
    const sl = new Sublist<TestSub>();
    const entry = sub('foo');
    sl.insert(entry);
    sl.match('foo');
    sl.remove(entry);
    sl.remove(entry);
    expect(sl.stats()).toMatchObject({ numInserts: 1, numRemoves: 1, numMatches: 1 });
  });
});

describe('Sublist cache', () => {
  it('serves repeated matches from the cache without allocating a new result', () => {
    const sl = new Sublist<TestSub>();
    sl.insert(sub('foo'));
    const first = sl.match('foo');
    expect(sl.match('foo')).toBe(first);
    expect(sl.match('foo')).toBe(first);
    expect(sl.match('foo')).toBe(first);
    expect(sl.stats().cacheHitRate).toBe(0.75);
  });

  it('patches cached results on insert without touching results already handed out', () => {
    const sl = new Sublist<TestSub>();
    const wild = sub('foo.*');
    const literal = sub('foo.bar');
    sl.insert(wild);
    sl.insert(literal);
    expect(sl.match('foo.baz').plain).toEqual([wild]);
    const before = sl.match('foo.bar');
    expect(ids(before.plain)).toEqual(ids([wild, literal]));
    const full = sub('foo.>');
    sl.insert(full);
    expect(ids(sl.match('foo.bar').plain)).toEqual(ids([wild, literal, full]));
    expect(ids(sl.match('foo.baz').plain)).toEqual(ids([wild, full]));
    expect(ids(before.plain)).toEqual(ids([wild, literal]));
    const queued = sub('foo.bar', 'q');
    sl.insert(queued);
    expect(queueGroups(sl.match('foo.bar').queues)).toEqual({ q: ids([queued]) });
    expect(sl.match('foo.baz').queues).toEqual([]);
  });

  it('drops affected cached results on remove', () => {
    const sl = new Sublist<TestSub>();
    const literal = sub('a.b.c.d');
    const partial = sub('a.b.*.d');
    const full = sub('a.b.>');
    sl.insert(literal);
    expect(sl.match('a.b.c.d').plain.length).toBe(1);
    sl.insert(partial);
    sl.insert(full);
    expect(sl.match('a.b.c.d').plain.length).toBe(3);
    sl.remove(literal);
    expect(sl.match('a.b.c.d').plain.length).toBe(2);
    sl.remove(full);
    expect(sl.match('a.b.c.d').plain).toEqual([partial]);
    sl.remove(partial);
    expect(sl.count).toBe(0);
    expect(sl.stats().numCache).toBe(0);
    expect(sl.match('a.b.c.d')).toBe(EMPTY_SUBLIST_RESULT);
  });

  it('stays bounded', () => {
    const sl = new Sublist<TestSub>();
    sl.insert(sub('>'));
    for (let i = 0; i < 5000; i++) {
      sl.match(`foo.${i}`);
      expect(sl.stats().numCache).toBeLessThanOrEqual(1024);
    }
    // Results still correct after sweeps.
    expect(sl.match('foo.1').plain.length).toBe(1);
    expect(sl.match('foo.4999').plain.length).toBe(1);
  });

  it('reports subsz stats', () => {
    const sl = new Sublist<TestSub>();
    const a = sub('foo');
    sl.insert(a);
    sl.insert(sub('foo', 'q1'));
    sl.insert(sub('foo', 'q1'));
    sl.insert(sub('foo', 'q2'));
    sl.insert(sub('bar'));
    sl.remove(a);
    sl.match('foo');
    sl.match('foo');
    sl.match('bar');
    sl.match('none');
    expect(sl.stats()).toEqual({
      numSubscriptions: 4,
      numCache: 3,
      numInserts: 5,
      numRemoves: 1,
      numMatches: 4,
      cacheHitRate: 0.25,
      // foo: two queue groups; bar: one plain; none: nothing.
      maxFanout: 2,
      avgFanout: 1,
    });
  });
});
