import { describe, expect, it } from 'vitest';
import {
  isReservedQueueName,
  isValidLiteralSubject,
  isValidSublistSubject,
  isValidSubject,
  subjectHasWildcard,
  subjectIsSubsetMatch,
  subjectMatches,
  subjectsCollide,
} from './subject.js';

describe('isValidSubject', () => {
  it.each([
    ['', false],
    ['.', false],
    ['.foo', false],
    ['foo.', false],
    ['foo..bar', false],
    ['>.bar', false],
    ['foo.>.bar', false],
    ['foo bar', false],
    ['foo\tbar', false],
    ['foo.\f', false],
    ['foo.\r.bar', false],
    ['foo\n', false],
    ['foo', true],
    ['foo.bar.*', true],
    ['foo.bar.>', true],
    ['*', true],
    ['>', true],
    ['*.*.>', true],
    ['foo*', true],
    ['foo**', true],
    ['foo.**', true],
    ['foo*bar', true],
    ['foo.*bar', true],
    ['foo*.bar', true],
    ['*bar', true],
    ['foo>', true],
    ['foo.>>', true],
    ['foo>bar', true],
    ['foo.>bar', true],
    ['foo>.bar', true],
    ['>bar', true],
    ['caf\u00e9.\u00ff', true],
  ])('%j -> %s', (subject, valid) => {
    expect(isValidSubject(subject)).toBe(valid);
  });
});

describe('isValidLiteralSubject', () => {
  it.each([
    ['', false],
    ['foo', true],
    ['.foo', false],
    ['foo.', false],
    ['foo..bar', false],
    ['foo.bar.*', false],
    ['foo.bar.>', false],
    ['*', false],
    ['>', false],
    ['foo.*.bar', false],
    ['foo*', true],
    ['foo**', true],
    ['foo.**', true],
    ['foo*bar', true],
    ['foo.*bar', true],
    ['foo*.bar', true],
    ['*bar', true],
    ['foo>', true],
    ['foo>>', true],
    ['foo.>>', true],
    ['foo>bar', true],
    ['foo.>bar', true],
    ['foo>.bar', true],
    ['>bar', true],
    // nats-server does not look for whitespace here.
    ['foo bar', true],
  ])('%j -> %s', (subject, valid) => {
    expect(isValidLiteralSubject(subject)).toBe(valid);
  });
});

describe('isValidSublistSubject', () => {
  it.each([
    ['', false],
    ['.foo', false],
    ['foo.', false],
    ['foo..bar', false],
    ['foo.bar..baz', false],
    ['foo.>.bar', false],
    ['a.b..d', false],
    ['foo.*.>', true],
    ['foo.*-', true],
    ['foo.>-', true],
    ['foo\fbar', true],
  ])('%j -> %s', (subject, valid) => {
    expect(isValidSublistSubject(subject)).toBe(valid);
  });
});

describe('subjectHasWildcard', () => {
  it.each([
    ['foo', false],
    ['foo.bar', false],
    ['foo*.bar', false],
    ['foo.>bar', false],
    ['*', true],
    ['>', true],
    ['foo.*', true],
    ['foo.>', true],
    ['foo.*.>', true],
    ['foo.*.bar', true],
    ['foo.bar.>', true],
  ])('%j -> %s', (subject, expected) => {
    expect(subjectHasWildcard(subject)).toBe(expected);
  });
});

describe('subjectMatches', () => {
  it.each([
    ['foo', 'foo', true],
    ['foo', 'bar', false],
    ['foo', '*', true],
    ['foo', '>', true],
    ['foo.bar', '>', true],
    ['foo.bar', 'foo.>', true],
    ['foo.bar', 'bar.>', false],
    ['foo', 'foo.>', false],
    ['stats.test.22', 'stats.>', true],
    ['stats.test.22', 'stats.*.*', true],
    ['foo.bar', 'foo', false],
    ['foo', 'foo.bar', false],
    ['stats.test.foos', 'stats.test.foos', true],
    ['stats.test.foos', 'stats.test.foo', false],
    ['stats.test', 'stats.test.*', false],
    ['stats.test.foos', 'stats.*', false],
    ['stats.test.foos', 'stats.*.*.foos', false],
    ['a.b.c.d', 'a.*.c.>', true],
    ['a.b.c', 'a.*.c.>', false],
    // Wildcard characters that are not whole tokens are plain characters.
    ['*bar', '*bar', true],
    ['xbar', '*bar', false],
    ['foo*', 'foo*', true],
    ['foo*bar', 'foo*bar', true],
    ['foo.***.bar', 'foo.***.bar', true],
    ['>bar', '>bar', true],
    ['foo>', 'foo>', true],
    ['foo.>>>.bar', 'foo.>>>.bar', true],
    ['foo.x', 'foo.>>', false],
    // A wildcard token in the published subject is just a token, as in the sublist.
    ['foo.*', 'foo.*', true],
    ['foo.*', 'foo.bar', false],
    ['foo.>', 'foo.*', true],
    // Subjects with empty tokens never match.
    ['', '>', false],
    ['foo.', 'foo.>', false],
    ['foo..bar', 'foo.>', false],
    ['.foo', '*.foo', false],
    ['foo.bar.', 'foo.>', false],
  ])('%j vs %j -> %s', (literal, pattern, expected) => {
    expect(subjectMatches(literal, pattern)).toBe(expected);
  });
});

describe('subjectIsSubsetMatch', () => {
  it.each([
    ['foo.*', '>', true],
    ['foo.*', '*.*', true],
    ['foo.*', 'foo.*', true],
    ['foo.*', 'foo.bar', false],
    ['foo.>', '>', true],
    ['foo.>', '*.>', true],
    ['foo.>', 'foo.>', true],
    ['foo.>', 'foo.bar', false],
    ['foo.bar', 'foo.*', true],
    ['foo.bar', '*.bar', true],
    ['foo.bar', 'foo', false],
    ['foo', 'foo.>', false],
    ['foo.>', '*.bar', false],
    ['foo..bar', 'foo.*', false],
    ['foo.*', 'foo..bar', false],
  ])('%j within %j -> %s', (subject, test, expected) => {
    expect(subjectIsSubsetMatch(subject, test)).toBe(expected);
  });
});

describe('isReservedQueueName', () => {
  it('reserves only the system queue group', () => {
    expect(isReservedQueueName('_sys_')).toBe(true);
    expect(isReservedQueueName('workers')).toBe(false);
    expect(isReservedQueueName('_SYS_')).toBe(false);
  });
});

describe('subjectsCollide', () => {
  it.each([
    ['foo', 'foo', true],
    ['foo', 'bar', false],
    ['foo.bar', 'foo.*', true],
    ['foo.*', 'foo.bar', true],
    ['foo.bar', 'foo.>', true],
    ['foo', 'foo.>', false],
    ['foo.*', 'foo.*.baz', false],
    ['foo.*', '*.bar', true],
    ['foo.*', 'bar.*', false],
    ['foo.>', '*.bar.baz', true],
    ['foo.*', 'foo.>', true],
    ['foo.*.*', 'foo.>', true],
    ['foo.>', 'bar.>', false],
    ['>', '$JS.API.INFO', true],
    ['orders.>', 'orders.new', true],
    ['orders.>', 'other.>', false],
    ['*', '>', true],
    ['*.*', '*', false],
    ['a.>', '*.b.*', true],
  ])('%s and %s: %s', (a, b, collide) => {
    expect(subjectsCollide(a, b)).toBe(collide);
    expect(subjectsCollide(b, a)).toBe(collide);
  });
});
