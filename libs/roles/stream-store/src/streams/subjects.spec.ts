import { describe, expect, it } from 'vitest';
import { isValidPublishSubject, subjectsCollide } from './subjects.js';

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

describe('isValidPublishSubject', () => {
  it.each([
    ['foo.bar', true],
    ['$JS.edge.API', true],
    ['foo.*', false],
    ['foo.>', false],
    ['foo..bar', false],
    ['foo bar', false],
    ['', false],
  ])('%j: %s', (subject, valid) => {
    expect(isValidPublishSubject(subject)).toBe(valid);
  });
});
