import { describe, expect, it } from 'vitest';
import { isValidPublishSubject } from './subjects.js';

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
