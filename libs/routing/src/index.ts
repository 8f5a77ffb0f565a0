export {
  isReservedQueueName,
  isValidLiteralSubject,
  isValidSublistSubject,
  isValidSubject,
  subjectHasWildcard,
  subjectIsSubsetMatch,
  subjectMatches,
  subjectsCollide,
} from './subject.js';
export { EMPTY_SUBLIST_RESULT, type SublistEntry, type SublistResult } from './sublist-result.js';
export { InvalidSubjectError, Sublist, type SublistStats } from './sublist.js';
export { PermissionChecker, type Permissions, type SubjectPermission } from './permissions.js';
export {
  DEFAULT_RESPONSE_EXPIRES_MS,
  DEFAULT_RESPONSE_MAX_MSGS,
  ResponsePermissions,
} from './response-permissions.js';
export { Account, AccountRegistry } from './account.js';
export { InterestTotals, type InterestDelta, type InterestTotal } from './interest-totals.js';
export { MemberContributions, type AnnouncedInterest, type ContributionDelta, type MemberContribution } from './member-contributions.js';
export { INTEREST_KINDS, KIND_BIT, LOCAL_KINDS, type InterestKind } from './router/interest-kind.js';
export { forwardMask, mayDeliver } from './router/delivery-policy.js';
export { pickForPublisher, pickNamed } from './router/queue-policy.js';
export type { LinkEntry, RouterEntry, RouterLink, RouterOrigin, SubscriberEntry } from './router/router-entry.js';
export { InterestRouter, type RouterAccount } from './router/interest-router.js';
export { SubjectTransform, isValidSubjectTransform } from './subject-transform.js';
export { SubjectMapper, tokenizeWildcards, type MappingSpec } from './subject-mapping.js';
export type { AccountSharingSpec, SharingSpec } from './router/configure-sharing.js';
export type { SharedInterest, SharedInterestListener } from './router/shared-interest.js';
export type { ResponseType } from './router/response-routes.js';
