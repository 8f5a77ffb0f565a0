import { describeNode, type ConfigEntry, type ConfigNode } from './conf-nodes.js';
import { unknownField, type Diagnostics } from './entry-reader.js';
import { formatPos } from './errors.js';
import type { MappingDestinationConfig, SubjectMappingConfig } from './options.js';
import { isValidSubject } from './subject-rules.js';

/**
 * `mappings { "src": "dest", "src": [ { destination, weight, cluster } ], "src": { ... } }` as
 * nats-server 2.9 reads them (top level for `$G`, or in an account). The destination's
 * placeholders are judged when the router builds the transform, which reports this position.
 */
export function readMappings(e: ConfigEntry, d: Diagnostics): SubjectMappingConfig[] {
  const out: SubjectMappingConfig[] = [];
  if (e.node.kind !== 'map') {
    d.error(e.keyPos, `"${e.key}" must be a map of subject mappings, found ${describeNode(e.node)}`);
    return out;
  }
  for (const x of e.node.entries.values()) {
    if (x.usedAsVariable) continue;
    if (!isValidSubject(x.key)) {
      d.error(x.keyPos, `Subject "${x.key}" is not a valid subject`);
      continue;
    }
    const destinations = readDestinations(x, d);
    if (destinations !== undefined) out.push({ source: x.key, destinations, at: formatPos(x.keyPos) });
  }
  return out;
}

function readDestinations(e: ConfigEntry, d: Diagnostics): MappingDestinationConfig[] | undefined {
  const node = e.node;
  let destinations: MappingDestinationConfig[];
  if (node.kind === 'string') {
    destinations = [{ subject: node.value, weight: 100 }];
  } else if (node.kind === 'map') {
    const one = readDestination(node, d);
    if (one === undefined) return undefined;
    destinations = [one];
  } else if (node.kind === 'array') {
    destinations = [];
    let ok = true;
    for (const item of node.items) {
      const one = readDestination(item, d);
      if (one === undefined) ok = false;
      else destinations.push(one);
    }
    if (!ok) return undefined;
  } else {
    d.error(e.keyPos, `mapping for "${e.key}" must be a subject, a destination map or an array of them, found ${describeNode(node)}`);
    return undefined;
  }
  const problem = checkDestinations(destinations);
  if (problem !== undefined) {
    d.error(e.keyPos, `Error adding mapping for "${e.key}": ${problem}`);
    return undefined;
  }
  return destinations;
}

function readDestination(node: ConfigNode, d: Diagnostics): MappingDestinationConfig | undefined {
  if (node.kind !== 'map') {
    d.error(node.pos, 'Expected an entry for the mapping destination');
    return undefined;
  }
  let subject: string | undefined;
  let weight: number | undefined;
  let cluster: string | undefined;
  for (const x of node.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'dest':
      case 'destination':
        if (x.node.kind !== 'string') {
          d.error(x.keyPos, `"${x.key}" must be a subject string, found ${describeNode(x.node)}`);
          return undefined;
        }
        subject = x.node.value;
        break;
      case 'weight':
        weight = readWeight(x, d);
        if (weight === undefined) return undefined;
        break;
      case 'cluster':
        if (x.node.kind !== 'string') {
          d.error(x.keyPos, `"cluster" must be a string, found ${describeNode(x.node)}`);
          return undefined;
        }
        cluster = x.node.value;
        break;
      default:
        unknownField(x, d, 'mapping destination');
        if (!x.usedAsVariable) return undefined;
    }
  }
  if (subject === undefined) {
    d.error(node.pos, 'mapping destination needs a "destination" subject');
    return undefined;
  }
  if (weight === undefined) {
    d.error(node.pos, `Missing weight for mapping destination "${subject}"`);
    return undefined;
  }
  const destination: MappingDestinationConfig = { subject, weight };
  if (cluster !== undefined) destination.cluster = cluster;
  return destination;
}

/** `weight: 80%`, `"80%"` or `80`, within 0..100. */
function readWeight(e: ConfigEntry, d: Diagnostics): number | undefined {
  const node = e.node;
  let weight: number;
  if (node.kind === 'integer' && /^[0-9]+%?$/.test(node.raw)) {
    weight = Number(node.raw.replace('%', ''));
  } else if (node.kind === 'string' && /^[0-9]+%?$/.test(node.value)) {
    weight = Number(node.value.replace('%', ''));
  } else {
    const written = node.kind === 'integer' ? node.raw : node.kind === 'string' ? node.value : describeNode(node);
    d.error(e.keyPos, `Invalid weight "${written}" for mapping destination`);
    return undefined;
  }
  if (weight > 100) {
    d.error(e.keyPos, `Invalid weight ${weight} for mapping destination`);
    return undefined;
  }
  return weight;
}

/** nats-server's AddWeightedMappings checks: each subject once and valid, weights adding to at most 100 per cluster. */
function checkDestinations(destinations: readonly MappingDestinationConfig[]): string | undefined {
  const seen = new Set<string>();
  const totals = new Map<string, number>();
  for (const dest of destinations) {
    if (seen.has(dest.subject)) return `duplicate entry for "${dest.subject}"`;
    seen.add(dest.subject);
    if (!isValidSubject(dest.subject)) return `invalid mapping destination subject "${dest.subject}"`;
    const key = dest.cluster ?? '';
    const total = (totals.get(key) ?? 0) + dest.weight;
    if (total > 100) return 'total weight needs to be <= 100';
    totals.set(key, total);
  }
  return undefined;
}
