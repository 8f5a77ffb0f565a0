import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { passwordMatches } from './password.js';

describe('passwordMatches', () => {
  it('compares plain text exactly', () => {
    expect(passwordMatches('s3cret', 's3cret')).toBe(true);
    expect(passwordMatches('s3cret', 's3cre')).toBe(false);
    expect(passwordMatches('s3cret', undefined)).toBe(false);
  });

  it('checks bcrypt hashes, again and again (verified pairs are remembered)', () => {
    const hash = bcrypt.hashSync('s3cret', 4);
    expect(passwordMatches(hash, 's3cret')).toBe(true);
    expect(passwordMatches(hash, 's3cret')).toBe(true);
    expect(passwordMatches(hash, 'wrong')).toBe(false);
    expect(passwordMatches(hash, hash)).toBe(false);
  });

  it('with nothing configured, matches only nothing given', () => {
    expect(passwordMatches(undefined, undefined)).toBe(true);
    expect(passwordMatches('', '')).toBe(true);
    expect(passwordMatches(undefined, 'x')).toBe(false);
  });
});
