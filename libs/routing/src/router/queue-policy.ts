import { KIND_BIT } from './interest-kind.js';
import type { RouterEntry, RouterOrigin } from './router-entry.js';

/**
 * Queue selection, once per server and message. A publisher on this server (a client, an
 * internal subscriber) picks across the whole group: a member beside it first (as nats-server
 * prefers local queue subscribers), else one behind a route, leaf or another process of this
 * server in proportion to its members, else the group in the nearest other cluster. A message
 * that came over a link names the groups this server was chosen for; each goes to one eligible
 * member, in proportion to members (to the nearest cluster when only gateways may take it), one
 * behind a leaf connection only when no other may take a message from a leaf (nats-server
 * prefers any other member to another leaf).
 */

/** Whether an entry may take the message: its kind is in `mask`, its owner is `owner` (when given), and its subscriber or link accepts it. */
export function eligible(entry: RouterEntry, origin: RouterOrigin, mask: number, owner: string | undefined, subject: string): boolean {
  if ((mask & KIND_BIT[entry.kind]) === 0) return false;
  if (owner !== undefined && entry.owner !== owner) return false;
  const link = entry.link;
  if (link === undefined) return entry.accepts(origin);
  return link.accepts === undefined || link.accepts(origin, subject);
}

/** The member of a group a message published on this server goes to, or undefined when none may take it. */
export function pickForPublisher(group: readonly RouterEntry[], origin: RouterOrigin, mask: number, subject: string): RouterEntry | undefined {
  const n = group.length;
  const start = (Math.random() * n) | 0;
  let remoteWeight = 0;
  let anyGateway = false;
  for (let i = 0; i < n; i++) {
    const entry = group[(start + i) % n]!;
    if (!eligible(entry, origin, mask, undefined, subject)) continue;
    if (entry.link === undefined) return entry;
    if (entry.kind === 'gateway') anyGateway = true;
    else remoteWeight += Math.max(1, entry.weight);
  }
  if (remoteWeight > 0) return weighted(group, origin, mask & ~KIND_BIT.gateway, undefined, subject, remoteWeight);
  if (anyGateway) return nearest(group, origin, KIND_BIT.gateway & mask, undefined, subject);
  return undefined;
}

/** The member of a group named by the sending server, among the eligible ones, or undefined when none may take it. */
export function pickNamed(group: readonly RouterEntry[], origin: RouterOrigin, mask: number, owner: string | undefined, subject: string): RouterEntry | undefined {
  // From a leaf, as nats-server: another leaf connection takes a group only when no other member may.
  if (origin.originKind === 'leaf') {
    const other = pickEligible(group, origin, mask & ~KIND_BIT.leaf, owner, subject);
    if (other !== undefined) return other;
  }
  return pickEligible(group, origin, mask, owner, subject);
}

function pickEligible(group: readonly RouterEntry[], origin: RouterOrigin, mask: number, owner: string | undefined, subject: string): RouterEntry | undefined {
  let total = 0;
  let onlyGateways = true;
  for (let i = 0; i < group.length; i++) {
    const entry = group[i]!;
    if (!eligible(entry, origin, mask, owner, subject)) continue;
    total += Math.max(1, entry.weight);
    if (entry.kind !== 'gateway') onlyGateways = false;
  }
  if (total === 0) return undefined;
  return onlyGateways ? nearest(group, origin, mask, owner, subject) : weighted(group, origin, mask, owner, subject, total);
}

/** The eligible gateway entry with the lowest round trip (the first of equals, in the group's order). */
function nearest(group: readonly RouterEntry[], origin: RouterOrigin, mask: number, owner: string | undefined, subject: string): RouterEntry | undefined {
  let best: RouterEntry | undefined;
  let bestRtt = Infinity;
  for (let i = 0; i < group.length; i++) {
    const entry = group[i]!;
    if (entry.kind !== 'gateway' || !eligible(entry, origin, mask, owner, subject)) continue;
    const rtt = (entry.link !== undefined ? entry.rttMs : undefined) ?? 0;
    if (rtt < bestRtt) {
      best = entry;
      bestRtt = rtt;
    }
  }
  return best;
}

function weighted(
  group: readonly RouterEntry[],
  origin: RouterOrigin,
  mask: number,
  owner: string | undefined,
  subject: string,
  total: number,
): RouterEntry | undefined {
  let r = Math.random() * total;
  let last: RouterEntry | undefined;
  for (let i = 0; i < group.length; i++) {
    const entry = group[i]!;
    if (!eligible(entry, origin, mask, owner, subject)) continue;
    last = entry;
    r -= Math.max(1, entry.weight);
    if (r < 0) return entry;
  }
  return last;
}
