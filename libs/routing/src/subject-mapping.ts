import { subjectHasWildcard, subjectMatches } from './subject.js';
import { SubjectTransform } from './subject-transform.js';

/** One `mappings` entry as configured: a source subject and its destinations by weight. */
export interface MappingSpec {
  readonly source: string;
  readonly destinations: readonly { readonly subject: string; readonly weight: number; readonly cluster?: string }[];
  /** Where it was written, for the error naming it. */
  readonly at: string;
}

/** A destination picked when a random percent falls under its cumulative weight. */
interface WeightedTransform {
  readonly transform: SubjectTransform;
  /** Cumulative, 1..100. */
  readonly upTo: number;
}

interface Mapping {
  readonly source: string;
  readonly wildcard: boolean;
  readonly destinations: readonly WeightedTransform[];
  /** Destinations for one cluster only, replacing the others there. */
  readonly single: boolean;
}

/** Cached mapped subjects kept at most; the cache is emptied past it. */
const CACHE_MAX = 4096;

/**
 * An account's subject mappings (nats-server 2.9's `mappings`): a published subject matching a
 * source is replaced, before interest is matched, by one of its destinations picked by weight;
 * weights under 100 leave the rest on the source subject itself, unless the source is listed,
 * then the rest is dropped. Subjects that map to one destination only are cached.
 */
export class SubjectMapper {
  private readonly mappings: Mapping[];
  /** Published subject → its mapped subject, for subjects whose mapping is not weighted; '' when none applies. */
  private readonly cache = new Map<string, string>();

  private constructor(mappings: Mapping[]) {
    this.mappings = mappings;
  }

  /**
   * The mapper for `specs` in cluster `cluster` (its cluster-scoped destinations replace the
   * others there). Throws an Error naming where a mapping was written when nats-server would
   * refuse it.
   */
  static from(specs: readonly MappingSpec[], cluster: string | undefined): SubjectMapper {
    return new SubjectMapper(specs.map((spec) => buildMapping(spec, cluster)));
  }

  /**
   * The subject to route `subject` as: itself when no mapping applies, undefined when its
   * mapping drops it (weights under 100 with the source among the destinations).
   */
  map(subject: string): string | undefined {
    const cached = this.cache.get(subject);
    if (cached !== undefined) return cached === '' ? subject : cached;
    const mappings = this.mappings;
    for (let i = 0; i < mappings.length; i++) {
      const m = mappings[i]!;
      if (m.wildcard ? !subjectMatches(subject, m.source) : subject !== m.source) continue;
      if (m.single) {
        const mapped = m.destinations[0]!.transform.apply(subject) ?? subject;
        this.remember(subject, mapped);
        return mapped;
      }
      const percent = (Math.random() * 100) | 0;
      const destinations = m.destinations;
      for (let j = 0; j < destinations.length; j++) {
        const d = destinations[j]!;
        if (percent < d.upTo) return d.transform.apply(subject) ?? subject;
      }
      return undefined;
    }
    this.remember(subject, '');
    return subject;
  }

  private remember(subject: string, mapped: string): void {
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(subject, mapped);
  }
}

function buildMapping(spec: MappingSpec, cluster: string | undefined): Mapping {
  const inCluster = cluster === undefined ? [] : spec.destinations.filter((d) => d.cluster === cluster);
  const chosen = inCluster.length > 0 ? inCluster : spec.destinations.filter((d) => d.cluster === undefined);
  const weighted: { transform: SubjectTransform; weight: number }[] = [];
  for (const d of chosen) {
    const transform = SubjectTransform.from(spec.source, d.subject);
    if (transform === undefined) {
      throw new Error(`${spec.at}: Error adding mapping for "${spec.source}" to "${d.subject}": invalid mapping destination`);
    }
    weighted.push({ transform, weight: d.weight });
  }
  let total = 0;
  for (const w of weighted) total += w.weight;
  // As nats-server: the rest of 100 stays on the source, unless the source is a destination.
  if (total !== 100 && !chosen.some((d) => d.subject === spec.source)) {
    weighted.push({ transform: SubjectTransform.from(spec.source, tokenizeWildcards(spec.source))!, weight: weighted.length === 0 ? 100 : 100 - total });
  }
  weighted.sort((a, b) => a.weight - b.weight);
  let upTo = 0;
  const destinations = weighted.map((w) => ({ transform: w.transform, upTo: (upTo += w.weight) }));
  return {
    source: spec.source,
    wildcard: subjectHasWildcard(spec.source),
    destinations,
    single: destinations.length === 1 && destinations[0]!.upTo === 100,
  };
}

/** nats-server's transformTokenize: each `*` of a subject as its placeholder, `foo.*.*` → `foo.$1.$2`. */
export function tokenizeWildcards(subject: string): string {
  let n = 0;
  return subject
    .split('.')
    .map((token) => (token === '*' ? `$${++n}` : token))
    .join('.');
}
