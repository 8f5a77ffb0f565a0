/**
 * One entry of a queue group among those `eligible` accepts, chosen in proportion to its weight
 * (members behind it), as nats-server picks among routes and leafs. Undefined when none is.
 */
export function pickWeighted<T extends { readonly weight: number }>(group: readonly T[], eligible: (entry: T) => boolean): T | undefined {
  let total = 0;
  for (let i = 0; i < group.length; i++) if (eligible(group[i]!)) total += Math.max(1, group[i]!.weight);
  if (total === 0) return undefined;
  let r = Math.random() * total;
  let last: T | undefined;
  for (let i = 0; i < group.length; i++) {
    const entry = group[i]!;
    if (!eligible(entry)) continue;
    last = entry;
    r -= Math.max(1, entry.weight);
    if (r < 0) return entry;
  }
  return last;
}
