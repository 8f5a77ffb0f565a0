import { describe, expect, it } from 'vitest';
import { SubjectTransform, isValidSubjectTransform } from './subject-transform.js';

describe('isValidSubjectTransform', () => {
  it.each([
    // Literal and full-wildcard sources.
    ['foo', 'bar', true],
    ['>', 'repub.>', true],
    ['orders.>', 'repub.orders.>', true],
    ['>', 'repub', false],
    ['foo', 'bar.>', false],
    ['foo', 'bar.*', false],
    ['', 'bar', false],
    ['foo', 'bar..baz', false],
    ['foo.>.bar', 'baz', false],
    // Each `*` of the source needs a placeholder.
    ['foo.*', 'bar.$1', true],
    ['foo.*.*', 'bar.$2.$1', true],
    ['foo.*.*', 'bar.$1', false],
    ['foo.*', 'bar.$2', false],
    ['foo.*', 'bar.$x', false],
    ['foo.*', 'bar.{{wildcard(1)}}', true],
    ['foo.*', 'bar.{{ Wildcard ( 1 ) }}', true],
    ['foo.*', 'bar.{{wildcard()}}', false],
    ['foo.*', 'bar.{{wildcard(1,2)}}', false],
    ['foo.*', 'bar.{{wildcard(x)}}', false],
    ['foo.*', 'bar.{{partition(10,1)}}', true],
    // nats-server counts placeholder tokens, not the wildcards they use.
    ['foo.*.*', 'bar.{{partition(10,1,2)}}', false],
    ['foo.*.*', 'bar.{{partition(10,1,2)}}.$2', true],
    ['foo.*', 'bar.{{partition(10)}}', false],
    ['foo.*', 'bar.{{partition(10,3)}}', false],
    ['foo.*', 'bar.{{splitFromLeft(1,3)}}', true],
    ['foo.*', 'bar.{{SplitFromRight(1,3)}}', true],
    ['foo.*', 'bar.{{sliceFromLeft(1,3)}}', true],
    ['foo.*', 'bar.{{sliceFromRight(1)}}', false],
    ['foo.*', 'bar.{{split(1,-)}}', true],
    ['foo.*', 'bar.{{split(1,a b)}}', false],
    ['foo.*', 'bar.{{nope(1)}}', false],
    // Without wildcards in the source the destination's tokens are not looked at.
    ['foo', 'bar.{{nope(1)}}', true],
  ])('%s → %s: %s', (source, destination, valid) => {
    expect(isValidSubjectTransform(source, destination)).toBe(valid);
  });
});

describe('SubjectTransform.apply', () => {
  const apply = (source: string, destination: string, subject: string): string | undefined => {
    const transform = SubjectTransform.from(source, destination);
    expect(transform).toBeDefined();
    return transform!.apply(subject);
  };

  it.each([
    // A literal source gives the destination as it is.
    ['foo', 'bar', 'foo', 'bar'],
    ['foo', 'bar.{{wildcard(1)}}', 'foo', 'bar.{{wildcard(1)}}'],
    // `$N` and wildcard(N) take the N-th `*` of the source.
    ['foo.*.bar.*.baz', 'req.$2.$1', 'foo.A.bar.B.baz', 'req.B.A'],
    ['orders.*', 'repub.{{wildcard(1)}}', 'orders.new', 'repub.new'],
    ['orders.*', 'repub.{{ Wildcard ( 1 ) }}', 'orders.new', 'repub.new'],
    ['*', 'foo.bar.$1', 'foo', 'foo.bar.foo'],
    // `$0` (no such wildcard) is the subject's first token, as Go's map lookup gives 0.
    ['a.*', 'x.$0.$1', 'a.b', 'x.a.b'],
    // A `$` without a number stays as it is.
    ['a.*', 'x.$y.$1', 'a.b', 'x.$y.b'],
    // `>` carries over what the source's `>` matched.
    ['baz.>', 'my.pre.>', 'baz.1.2.3', 'my.pre.1.2.3'],
    ['baz.>', 'foo.bar.>', 'baz.1.2.3', 'foo.bar.1.2.3'],
    ['>', 'repub.>', 'a.b', 'repub.a.b'],
    ['a.>', '>', 'a.b.c', 'b.c'],
    ['a.*.>', 'x.$1.>', 'a.b.c.d', 'x.b.c.d'],
    ['>', '>', 'a.b', 'a.b'],
    // split and slice functions work on bytes.
    ['*', '{{splitfromleft(1,3)}}', '12345', '123.45'],
    ['*', '{{SplitFromRight(1,3)}}', '12345', '12.345'],
    ['*', '{{splitFromLeft(1,5)}}', '12345', '12345'],
    ['*', '{{splitFromLeft(1,0)}}', '12345', '12345'],
    ['*', '{{SliceFromLeft(1,3)}}', '1234567890', '123.456.789.0'],
    ['*', '{{SliceFromRight(1,3)}}', '1234567890', '1.234.567.890'],
    ['*', '{{sliceFromLeft(1,2)}}', '123456', '12.34.56'],
    ['*', '{{sliceFromRight(1,2)}}', '123456', '12.34.56'],
    ['*', '{{sliceFromLeft(1,9)}}', '123456', '123456'],
    ['*', '{{split(1,-)}}', '-abc-def--ghi-', 'abc.def.ghi'],
    ['*', '{{split(1,-)}}', 'abc-def--ghi-', 'abc.def.ghi'],
    ['*', '{{split(1,-)}}', 'abc', 'abc'],
    ['*', '{{split(1,--)}}', 'a--b-c', 'a.b-c'],
    ['*.*', '{{split(2,-)}}.{{splitfromleft(1,2)}}', 'foo.-abc-def--ghij-', 'abc.def.ghij.fo.o'],
    // split with an empty delimiter cuts into UTF-8 characters (here as bytes: "é" is C3 A9).
    ['*', '{{split(1,)}}', 'ab\u00c3\u00a9', 'a.b.\u00c3\u00a9'],
    ['*', '{{split(1,)}}', 'a\u00ffb', 'a.\u00ff.b'],
  ])('%s → %s: %s gives %s', (source, destination, subject, expected) => {
    expect(apply(source, destination, subject)).toBe(expected);
  });

  it('partitions with 32-bit FNV-1a of the tokens, as nats-server', () => {
    // FNV-1a("a") = 0xe40c292c, FNV-1a("foobar") = 0xbf9cf968.
    expect(apply('*', 'p.{{partition(1000,1)}}', 'a')).toBe(`p.${0xe40c292c % 1000}`);
    expect(apply('*.*', 'p.{{partition(7,1,2)}}.$1.$2', 'foo.bar')).toBe(`p.${0xbf9cf968 % 7}.foo.bar`);
    expect(apply('*.*', 'p.{{partition(7,2,1)}}.$1.$2', 'bar.foo')).toBe(`p.${0xbf9cf968 % 7}.bar.foo`);
    // A negative count is Go's uint32 of it.
    expect(apply('*', '{{partition(-1,1)}}', 'a')).toBe(String(0xe40c292c % 0xffffffff));
    // nats-server divides by zero there; nothing is given.
    expect(apply('*', '{{partition(0,1)}}', 'a')).toBeUndefined();
  });

  it('gives nothing for a subject the source does not match, or one that is not literal', () => {
    expect(apply('foo', 'bar', 'foo.x')).toBeUndefined();
    expect(apply('orders.*', 'repub.$1', 'orders.a.b')).toBeUndefined();
    expect(apply('orders.*', 'repub.$1', 'orders')).toBeUndefined();
    expect(apply('orders.*', 'repub.$1', 'other.a')).toBeUndefined();
    expect(apply('orders.>', 'repub.>', 'orders')).toBeUndefined();
    expect(apply('orders.*', 'repub.$1', 'orders.*')).toBeUndefined();
    expect(apply('orders.>', 'repub.>', 'orders..a')).toBeUndefined();
    expect(apply('>', 'repub.>', '')).toBeUndefined();
  });

  it('builds only the transforms nats-server builds', () => {
    expect(SubjectTransform.from('foo.*.*', 'bar.$2')).toBeUndefined();
    expect(SubjectTransform.from('foo.*', 'foo.{{unimplemented(1)}}')).toBeUndefined();
    expect(SubjectTransform.from('foo.*', 'foo.{{ wildcard5) }}')).toBeUndefined();
    expect(SubjectTransform.from('foo.*', 'foo.{{splitLeft(2,2}}')).toBeUndefined();
    expect(SubjectTransform.from('*', '{{splitfromleft(1,1)}}')).toBeDefined();
  });
});
