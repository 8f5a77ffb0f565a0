import { isValidSubject, subjectHasWildcard, subjectIsSubsetMatch } from './subject.js';
import { Sublist } from './sublist.js';
import type { SublistEntry } from './sublist-result.js';

export interface SubjectPermission {
  allow?: string[];
  deny?: string[];
}

export interface Permissions {
  publish?: SubjectPermission;
  subscribe?: SubjectPermission;
}

/** Cache sizes as in nats-server: publish verdicts, and delivery-time deny verdicts. */
const PUBLISH_CACHE_MAX = 128;
const PUBLISH_CACHE_PRUNE = 32;
const DELIVERY_DENY_CACHE_MAX = 256;
const DELIVERY_DENY_CACHE_PRUNE = 32;

interface PermissionEntry extends SublistEntry {
  readonly subject: string;
  readonly queue: string | undefined;
}

/**
 * Splits a subscribe permission of the form "subject" or "subject queue" (queue may itself be
 * a pattern such as "v1.*"). Anything else is a configuration error.
 */
function parseSubscribeEntry(text: string): PermissionEntry {
  const fields = text.trim().split(/\s+/);
  if (fields.length > 2 || !isValidSubject(fields[0]!)) {
    throw new Error(`invalid subscribe permission ${JSON.stringify(text)}`);
  }
  return { subject: fields[0]!, queue: fields[1] };
}

function sublistOf(entries: readonly PermissionEntry[]): Sublist<PermissionEntry> {
  const sublist = new Sublist<PermissionEntry>();
  for (const entry of entries) sublist.insert(entry);
  return sublist;
}

/** Does `queue` fall under one of the queue groups named by matching permission entries? */
function queueMatches(queue: string, groups: readonly (readonly PermissionEntry[])[]): boolean {
  for (const group of groups) {
    const allowed = group[0]!.queue!;
    // '*' and '>' are legal in queue names, so an exact match comes first.
    if (queue === allowed || (subjectHasWildcard(allowed) && subjectIsSubsetMatch(queue, allowed))) return true;
  }
  return false;
}

function pruneOldest<K, V>(map: Map<K, V>, count: number): void {
  for (const key of map.keys()) {
    if (count-- <= 0) break;
    map.delete(key);
  }
}

/**
 * A client's publish and subscribe permissions, with nats-server 2.9 semantics:
 * - publish: an `allow` list, when given (even empty), must match; `deny` must not.
 * - subscribe: a non-empty `allow` list must match; `deny` must not. Entries "subject queue"
 *   restrict queue subscriptions to the named (or pattern-matching) queue groups.
 * - A wildcard subscription wider than a deny entry is accepted, but from then on deliveries
 *   on denied subjects must be dropped: see {@link isDeliveryDenied}.
 * Response permissions (allow_responses) are tracked separately by ResponsePermissions.
 */
export class PermissionChecker {
  private readonly publishAllow: Sublist<PermissionEntry> | undefined;
  private readonly publishDeny: Sublist<PermissionEntry> | undefined;
  private readonly subscribeAllow: Sublist<PermissionEntry> | undefined;
  private readonly subscribeDeny: Sublist<PermissionEntry> | undefined;
  private readonly subscribeDenyTexts: readonly string[];
  private readonly subscribeAllowTexts: readonly string[];
  private readonly publishVerdicts = new Map<string, boolean>();
  /** Built on the first wildcard subscription that reaches into a deny entry. */
  private deliveryDeny: Sublist<PermissionEntry> | undefined;
  private readonly deliveryVerdicts = new Map<string, boolean>();

  constructor(perms: Permissions | undefined) {
    const publish = perms?.publish;
    const subscribe = perms?.subscribe;
    // Each publish entry is taken whole as a subject, as nats-server does.
    const asSubjects = (texts: readonly string[]): PermissionEntry[] =>
      texts.map((subject) => ({ subject, queue: undefined }));
    this.publishAllow = publish?.allow !== undefined ? sublistOf(asSubjects(publish.allow)) : undefined;
    this.publishDeny = publish?.deny?.length ? sublistOf(asSubjects(publish.deny)) : undefined;
    this.subscribeAllow = subscribe?.allow?.length ? sublistOf(subscribe.allow.map(parseSubscribeEntry)) : undefined;
    this.subscribeDeny = subscribe?.deny?.length ? sublistOf(subscribe.deny.map(parseSubscribeEntry)) : undefined;
    this.subscribeDenyTexts = subscribe?.deny ?? [];
    this.subscribeAllowTexts = subscribe?.allow ?? [];
  }

  /** May the client publish to `subject` (ignoring response permissions)? */
  canPublish(subject: string): boolean {
    if (this.publishAllow === undefined && this.publishDeny === undefined) return true;
    const cached = this.publishVerdicts.get(subject);
    if (cached !== undefined) return cached;
    let allowed = this.publishAllow === undefined || this.publishAllow.match(subject).plain.length > 0;
    if (allowed && this.publishDeny !== undefined) allowed = this.publishDeny.match(subject).plain.length === 0;
    this.publishVerdicts.set(subject, allowed);
    if (this.publishVerdicts.size > PUBLISH_CACHE_MAX) pruneOldest(this.publishVerdicts, PUBLISH_CACHE_PRUNE);
    return allowed;
  }

  /** May the client subscribe to `subject`, optionally in queue group `queue`? */
  canSubscribe(subject: string, queue?: string): boolean {
    const hasQueue = queue !== undefined && queue !== '';
    let allowed = true;
    if (this.subscribeAllow !== undefined) {
      const result = this.subscribeAllow.match(subject);
      allowed = result.plain.length > 0;
      if (hasQueue && result.queues.length > 0) allowed = queueMatches(queue, result.queues);
    }
    if (allowed && this.subscribeDeny !== undefined) {
      const result = this.subscribeDeny.match(subject);
      allowed = result.plain.length === 0;
      // nats-server 2.9 lets a queue deny entry decide alone when one matches, even after a
      // plain deny entry refused the subject; kept for identical behaviour.
      if (hasQueue && result.queues.length > 0) allowed = !queueMatches(queue, result.queues);
      if (allowed && this.deliveryDeny === undefined && subjectHasWildcard(subject)) {
        this.enableDeliveryFilterIfCovered(subject);
      }
    }
    return allowed;
  }

  /**
   * canSubscribe for a leaf connection, as nats-server: a wildcard subject the allow list does
   * not cover is still allowed when it covers an allowed subject, since what crosses the link is
   * filtered by subject afterwards.
   */
  canSubscribeAcrossLeaf(subject: string, queue?: string): boolean {
    if (this.canSubscribe(subject, queue)) return true;
    if (this.subscribeAllow === undefined || !subjectHasWildcard(subject)) return false;
    const covered = this.subscribeAllowTexts.some((text) => subjectIsSubsetMatch(parseSubscribeEntry(text).subject, subject));
    if (!covered || this.subscribeDeny === undefined) return covered;
    const hasQueue = queue !== undefined && queue !== '';
    const result = this.subscribeDeny.match(subject);
    return hasQueue && result.queues.length > 0 ? !queueMatches(queue, result.queues) : result.plain.length === 0;
  }

  /**
   * Must a message on `subject` be withheld from this client? Only ever true once a wildcard
   * subscription wider than a subscribe deny entry has been accepted; cheap until then.
   */
  isDeliveryDenied(subject: string): boolean {
    if (this.deliveryDeny === undefined) return false;
    const cached = this.deliveryVerdicts.get(subject);
    if (cached !== undefined) return cached;
    const denied = this.deliveryDeny.match(subject).plain.length > 0;
    this.deliveryVerdicts.set(subject, denied);
    if (this.deliveryVerdicts.size > DELIVERY_DENY_CACHE_MAX) {
      pruneOldest(this.deliveryVerdicts, DELIVERY_DENY_CACHE_PRUNE);
    }
    return denied;
  }

  private enableDeliveryFilterIfCovered(subject: string): void {
    // Like nats-server, the raw deny texts are tested, "subject queue" forms included.
    if (!this.subscribeDenyTexts.some((text) => subjectIsSubsetMatch(text, subject))) return;
    // Only plain deny entries filter deliveries; queue-qualified ones never match a subject.
    const plainDenies = this.subscribeDenyTexts.map(parseSubscribeEntry).filter((entry) => entry.queue === undefined);
    this.deliveryDeny = sublistOf(plainDenies);
  }
}
