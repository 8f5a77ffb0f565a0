/**
 * One entry of a queue group among those `eligible(entry, a, b)` accepts, chosen in proportion
 * to its weight (members behind it), as nats-server picks among routes and leafs. Undefined when
 * none is eligible. `eligible` is a module-level function and `a`, `b` its arguments, so a pick
 * allocates nothing.
 */
export function pickWeighted<T extends { readonly weight: number }, A, B>(
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
