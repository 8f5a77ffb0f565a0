import { KIND_BIT } from './interest-kind.js';
import type { RouterEntry, RouterOrigin } from './router-entry.js';

/**
 * Queue selection, once per server and message. A publisher on this server (a client, an
 * internal subscriber) picks across the whole group: a member beside it first (as nats-server
 * prefers local queue subscribers), else one behind a route, leaf or another process of this
 * server in proportion to its members, else the group in another cluster. A message that came
 * over a link names the groups this server was chosen for; each goes to one eligible member,
 * in proportion to members.
 */

/** Whether an entry may take the message: its kind is in `mask`, its owner is `owner` (when given), and a subscriber accepts it. */
export function eligible(entry: RouterEntry, origin: RouterOrigin, mask: number, owner: string | undefined): boolean {
  if ((mask & KIND_BIT[entry.kind]) === 0) return false;
  if (owner !== undefined && entry.owner !== owner) return false;
  return entry.link !== undefined || entry.accepts(origin);
}

/** The member of a group a message published on this server goes to, or undefined when none may take it. */
export function pickForPublisher(group: readonly RouterEntry[], origin: RouterOrigin, mask: number): RouterEntry | undefined {
  const n = group.length;
  const start = (Math.random() * n) | 0;
  let remoteWeight = 0;
  let gatewayWeight = 0;
  for (let i = 0; i < n; i++) {
    const entry = group[(start + i) % n]!;
    if (!eligible(entry, origin, mask, undefined)) continue;
    if (entry.link === undefined) return entry;
    if (entry.kind === 'gateway') gatewayWeight += Math.max(1, entry.weight);
    else remoteWeight += Math.max(1, entry.weight);
  }
  if (remoteWeight > 0) return weighted(group, origin, mask & ~KIND_BIT.gateway, undefined, remoteWeight);
  if (gatewayWeight > 0) return weighted(group, origin, KIND_BIT.gateway & mask, undefined, gatewayWeight);
  return undefined;
}

/** The member of a group named by the sending server, among the eligible ones, or undefined when none may take it. */
export function pickNamed(group: readonly RouterEntry[], origin: RouterOrigin, mask: number, owner: string | undefined): RouterEntry | undefined {
  let total = 0;
  for (let i = 0; i < group.length; i++) {
    const entry = group[i]!;
    if (eligible(entry, origin, mask, owner)) total += Math.max(1, entry.weight);
  }
  return total === 0 ? undefined : weighted(group, origin, mask, owner, total);
}

function weighted(group: readonly RouterEntry[], origin: RouterOrigin, mask: number, owner: string | undefined, total: number): RouterEntry | undefined {
  let r = Math.random() * total;
  let last: RouterEntry | undefined;
  for (let i = 0; i < group.length; i++) {
    const entry = group[i]!;
    if (!eligible(entry, origin, mask, owner)) continue;
    last = entry;
    r -= Math.max(1, entry.weight);
    if (r < 0) return entry;
  }
  return last;
}
