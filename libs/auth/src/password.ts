import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

const BCRYPT_PREFIX = /^\$2[abxy]?\$/;

/**
 * bcrypt checks are slow by design and run on the event loop; a verified (hash, password)
 * pair is remembered by digest so reconnect storms do not stall everything else.
 */
const verifiedBcrypt = new Set<string>();
const VERIFIED_BCRYPT_LIMIT = 4096;

/**
 * Whether a given password (or token) matches the configured one, as nats-server compares them:
 * a bcrypt hash (`$2a$…`) is checked as such, anything else as plain text. Nothing configured
 * matches only nothing given.
 */
export function passwordMatches(configured: string | undefined, given: string | undefined): boolean {
  if (configured === undefined || configured === '') return given === undefined || given === '';
  if (given === undefined) return false;
  if (BCRYPT_PREFIX.test(configured)) return bcryptMatches(configured, given);
  return constantTimeEquals(configured, given);
}

function bcryptMatches(hash: string, given: string): boolean {
  const key = createHash('sha256').update(hash).update('\0').update(given).digest('base64');
  if (verifiedBcrypt.has(key)) return true;
  let ok = false;
  try {
    ok = bcrypt.compareSync(given, hash);
  } catch {
    ok = false;
  }
  if (ok) {
    if (verifiedBcrypt.size >= VERIFIED_BCRYPT_LIMIT) verifiedBcrypt.clear();
    verifiedBcrypt.add(key);
  }
  return ok;
}

function constantTimeEquals(a: string, b: string): boolean {
  // Compare digests so neither the content nor the length leaks through timing.
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}
