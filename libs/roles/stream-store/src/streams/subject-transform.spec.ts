import { describe, expect, it } from 'vitest';
import { isValidSubjectTransform } from './subject-transform.js';

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
