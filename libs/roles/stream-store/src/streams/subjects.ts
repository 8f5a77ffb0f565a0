import { isValidSubject, subjectHasWildcard } from '@nats-ts/routing';

/** A valid subject without wildcard tokens (nats-server's IsValidPublishSubject). */
export function isValidPublishSubject(subject: string): boolean {
  return isValidSubject(subject) && !subjectHasWildcard(subject);
}
