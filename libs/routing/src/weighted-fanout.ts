import { clearArray } from '@nats-ts/protocol';
import type { SublistEntry, SublistResult } from './sublist-result.js';

/**
 * Fan-out of a message that arrived over a route, gateway or leaf connection to the bus members
 * with interest: each member once, with the queue groups it was chosen for.
 */

/** A bus member a message may go to; reused across messages to collect its queue groups. */
export class MemberTarget {
  /** Message counter value when last chosen (so one message picks a member once). */
  mark = 0;
  readonly queues: string[] = [];

  constructor(
    readonly memberId: string,
    /** A route-mesh or supercluster-gateway: its interest is other servers', not this node's own. */
    readonly remote = false,
  ) {}
}

/** A member's interest in the account's sublist, with its weight (a queue group's member count). */
export interface TargetedInterest extends SublistEntry {
  readonly target: MemberTarget;
  readonly weight: number;
}

/** One entry of a queue group, chosen in proportion to its weight (members behind it), as nats-server does. */
export function pickWeighted<T extends { readonly weight: number }>(group: readonly T[]): T {
  const n = group.length;
  if (n === 1) return group[0]!;
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.max(1, group[i]!.weight);
  let r = Math.random() * total;
  for (let i = 0; i < n; i++) {
    r -= Math.max(1, group[i]!.weight);
    if (r < 0) return group[i]!;
  }
  return group[n - 1]!;
}

/**
 * pickWeighted among the entries `eligible(entry, a, b)` accepts; undefined when none is.
 * `eligible` is a module-level function and `a`, `b` its arguments, so a pick allocates nothing.
 */
export function pickWeightedWhere<T extends { readonly weight: number }, A, B>(
  group: readonly T[],
  eligible: (entry: T, a: A, b: B) => boolean,
  a: A,
  b: B,
): T | undefined {
  let total = 0;
  for (let i = 0; i < group.length; i++) if (eligible(group[i]!, a, b)) total += Math.max(1, group[i]!.weight);
  if (total === 0) return undefined;
  let r = Math.random() * total;
  let last: T | undefined;
  for (let i = 0; i < group.length; i++) {
    const entry = group[i]!;
    if (!eligible(entry, a, b)) continue;
    last = entry;
    r -= Math.max(1, entry.weight);
    if (r < 0) return entry;
  }
  return last;
}

/**
 * Appends to `out` every member with plain interest and, for each queue group named in `queues`,
 * one member picked by weight, each member once (`mark` is the message's counter value) with the
 * groups it was chosen for in its `queues`. Allocates nothing.
 */
export function collectMemberTargets<T extends TargetedInterest>(
  result: SublistResult<T>,
  queues: readonly string[],
  mark: number,
  out: MemberTarget[],
): void {
  const plain = result.plain;
  for (let i = 0; i < plain.length; i++) markTarget(plain[i]!.target, mark, out);
  if (queues.length === 0) return;
  const groups = result.queues;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    const name = group[0]!.queue!;
    if (!queues.includes(name)) continue;
    const target = pickWeighted(group).target;
    markTarget(target, mark, out);
    target.queues.push(name);
  }
}

function markTarget(target: MemberTarget, mark: number, out: MemberTarget[]): void {
  if (target.mark === mark) return;
  target.mark = mark;
  clearArray(target.queues);
  out.push(target);
}
