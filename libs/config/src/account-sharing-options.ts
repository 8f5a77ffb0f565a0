import { describeNode, type ConfigEntry, type ConfigNode, type MapNode } from './conf-nodes.js';
import type { Draft } from './draft.js';
import { readDurationMs, refused, unknownField, type Diagnostics } from './entry-reader.js';
import { formatPos, type SourcePos } from './errors.js';
import {
  DEFAULTS,
  type AccountSharingConfig,
  type ServiceExportConfig,
  type ServiceImportConfig,
  type ServiceLatencyConfig,
  type ServiceResponseType,
  type StreamExportConfig,
  type StreamImportConfig,
} from './options.js';
import { isLiteralSubject, isSubsetMatch, isValidSubject, subjectsCollide } from './subject-rules.js';

/**
 * An account's `exports` and `imports` as nats-server 2.9 reads them. Entries are read with
 * the account; references between accounts (who exports what to whom) are checked once every
 * account is known, by checkSharing.
 */

const RESPONSE_TYPES: Readonly<Record<string, ServiceResponseType>> = {
  single: 'Singleton',
  singleton: 'Singleton',
  stream: 'Stream',
  chunk: 'Chunked',
  chunked: 'Chunked',
};

export function emptySharing(): AccountSharingConfig {
  return { streamExports: [], serviceExports: [], streamImports: [], serviceImports: [], mappings: [] };
}

/** `exports: [ { stream | service, accounts, response_type, response_threshold } ]`. */
export function readExports(e: ConfigEntry, sharing: AccountSharingConfig, draft: Draft, d: Diagnostics): void {
  if (e.node.kind !== 'array') {
    d.error(e.keyPos, `"exports" must be an array, found ${describeNode(e.node)}`);
    return;
  }
  for (const item of e.node.items) {
    if (item.kind !== 'map') {
      d.error(item.pos, `export entries must be maps with a stream or a service, found ${describeNode(item)}`);
      continue;
    }
    readExport(item, sharing, draft, d);
  }
}

function readExport(block: MapNode, sharing: AccountSharingConfig, draft: Draft, d: Diagnostics): void {
  let stream: string | undefined;
  let service: string | undefined;
  let accounts: string[] | undefined;
  let responseType: ConfigEntry | undefined;
  let threshold: ConfigEntry | undefined;
  let latency: ConfigEntry | undefined;
  let ok = true;
  for (const x of block.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'stream':
      case 'service': {
        const subject = readSubject(x, d);
        if (subject === undefined) ok = false;
        else if (x.key.toLowerCase() === 'stream') stream = subject;
        else service = subject;
        break;
      }
      case 'accounts':
        accounts = readAccountNames(x, d);
        if (accounts === undefined) ok = false;
        break;
      case 'response':
      case 'response_type':
        responseType = x;
        break;
      case 'threshold':
      case 'response_threshold':
      case 'response_max_time':
      case 'response_time':
        threshold = x;
        break;
      case 'latency':
        latency = x;
        break;
      case 'account_token_position':
        // Ignoring it would open the export to every account.
        refused(x, d, 'exports that name the importing account in a subject token are not implemented');
        ok = false;
        break;
      default:
        unknownField(x, d, 'export');
        ok = false;
    }
  }
  if (stream !== undefined && service !== undefined) {
    d.error(block.pos, `an export is a stream or a service, not both (stream "${stream}", service "${service}")`);
    return;
  }
  if (stream === undefined && service === undefined) {
    if (ok) d.error(block.pos, 'an export needs a "stream" or a "service" subject');
    return;
  }
  if (stream !== undefined) {
    for (const directive of [responseType, threshold]) {
      if (directive !== undefined) d.error(directive.keyPos, 'Detected response directive on non-service');
    }
    if (latency !== undefined) d.error(latency.keyPos, 'Detected latency directive on non-service');
    if (!ok || responseType !== undefined || threshold !== undefined || latency !== undefined) return;
    const exported: StreamExportConfig = { subject: stream };
    if (accounts !== undefined) exported.accounts = accounts;
    sharing.streamExports.push(exported);
    draft.sharingPositions.set(exported, block.pos);
    return;
  }
  const type = responseType === undefined ? 'Singleton' : readResponseType(responseType, d);
  const thresholdMs = threshold === undefined ? DEFAULTS.serviceResponseThresholdMs : readThreshold(threshold, d);
  const tracking = latency === undefined ? undefined : readLatency(latency, d);
  if (!ok || type === undefined || thresholdMs === undefined || tracking === null) return;
  const exported: ServiceExportConfig = { subject: service!, responseType: type, responseThresholdMs: thresholdMs };
  if (accounts !== undefined) exported.accounts = accounts;
  if (tracking !== undefined) {
    // As nats-server: results on a subject of the account's services would loop back into them.
    const services = [...sharing.serviceExports.map((x) => x.subject), exported.subject];
    if (!isValidSubject(tracking.subject) || !isLiteralSubject(tracking.subject) || services.some((x) => isSubsetMatch(tracking.subject, x))) {
      d.error(latency!.keyPos, `Error adding service latency sampling for "${exported.subject}" on subject "${tracking.subject}": invalid publish subject`);
      return;
    }
    exported.latency = tracking;
  }
  sharing.serviceExports.push(exported);
  draft.sharingPositions.set(exported, block.pos);
}

/**
 * `latency: "results.subject"` (every request sampled) or `{ sampling: 50% | 50, subject }`;
 * null when refused. Sampling by the requests' trace headers (`headers`) is not implemented.
 */
function readLatency(e: ConfigEntry, d: Diagnostics): ServiceLatencyConfig | null {
  if (e.node.kind === 'string') return { sampling: 100, subject: e.node.value };
  if (e.node.kind !== 'map') {
    d.error(e.keyPos, `Expected latency entry to be a map/struct or string, found ${describeNode(e.node)}`);
    return null;
  }
  let sampling = 100;
  let subject: string | undefined;
  for (const x of e.node.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'sampling': {
        const text = x.node.kind === 'string' ? x.node.value.trim() : x.node.kind === 'integer' ? String(x.node.value) : undefined;
        if (text === undefined) {
          d.error(x.keyPos, `Expected latency sample to be a string or a number, found ${describeNode(x.node)}`);
          return null;
        }
        if (text.toLowerCase() === 'headers') {
          refused(x, d, 'sampling by trace headers is not implemented');
          return null;
        }
        const percent = Number(text.replace(/%$/, ''));
        if (!Number.isInteger(percent)) {
          d.error(x.keyPos, `Failed to parse latency sample: "${text}"`);
          return null;
        }
        if (percent < 1 || percent > 100) {
          d.error(x.keyPos, 'bad sampling percentage, should be 1-100');
          return null;
        }
        sampling = percent;
        break;
      }
      case 'subject':
        if (x.node.kind !== 'string') {
          d.error(x.keyPos, `Expected latency subject to be a string, found ${describeNode(x.node)}`);
          return null;
        }
        subject = x.node.value;
        break;
      default:
        unknownField(x, d, 'latency');
        return null;
    }
  }
  if (subject === undefined) {
    d.error(e.keyPos, 'Latency subject required, but missing');
    return null;
  }
  return { sampling, subject };
}

function readResponseType(e: ConfigEntry, d: Diagnostics): ServiceResponseType | undefined {
  if (e.node.kind !== 'string') {
    d.error(e.keyPos, `Expected response type to be string, found ${describeNode(e.node)}`);
    return undefined;
  }
  const type = RESPONSE_TYPES[e.node.value.toLowerCase()];
  if (type === undefined) d.error(e.keyPos, `Unknown response type: "${e.node.value}"`);
  return type;
}

function readThreshold(e: ConfigEntry, d: Diagnostics): number | undefined {
  if (e.node.kind !== 'string') {
    d.error(e.keyPos, `Expected response threshold to be a parseable time duration, found ${describeNode(e.node)}`);
    return undefined;
  }
  const ms = readDurationMs(e, d, 'refused');
  if (ms !== undefined && ms <= 0) {
    d.error(e.keyPos, `response threshold must be positive, found "${e.node.value}"`);
    return undefined;
  }
  return ms;
}

/** `imports: [ { stream: {account, subject}, prefix | to }, { service: {account, subject}, to, share } ]`. */
export function readImports(e: ConfigEntry, sharing: AccountSharingConfig, draft: Draft, d: Diagnostics): void {
  if (e.node.kind !== 'array') {
    d.error(e.keyPos, `"imports" must be an array, found ${describeNode(e.node)}`);
    return;
  }
  for (const item of e.node.items) {
    if (item.kind !== 'map') {
      d.error(item.pos, `import entries must be maps with a stream or a service, found ${describeNode(item)}`);
      continue;
    }
    readImport(item, sharing, draft, d);
  }
}

interface Source {
  account: string;
  subject: string;
}

function readImport(block: MapNode, sharing: AccountSharingConfig, draft: Draft, d: Diagnostics): void {
  let stream: Source | undefined;
  let service: Source | undefined;
  let prefix: ConfigEntry | undefined;
  let to: ConfigEntry | undefined;
  let share = false;
  let ok = true;
  for (const x of block.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'stream':
      case 'service': {
        const source = readSource(x, d);
        if (source === undefined) ok = false;
        else if (x.key.toLowerCase() === 'stream') stream = source;
        else service = source;
        break;
      }
      case 'prefix':
        prefix = x;
        break;
      case 'to':
        to = x;
        break;
      case 'share':
        if (x.node.kind === 'bool') share = x.node.value;
        else {
          d.error(x.keyPos, `"share" must be a boolean, found ${describeNode(x.node)}`);
          ok = false;
        }
        break;
      default:
        unknownField(x, d, 'import');
        ok = false;
    }
  }
  if (stream !== undefined && service !== undefined) {
    d.error(block.pos, 'an import is a stream or a service, not both');
    return;
  }
  if (stream === undefined && service === undefined) {
    if (ok) d.error(block.pos, 'an import needs a "stream" or a "service" map with an account and a subject');
    return;
  }
  const prefixValue = prefix === undefined ? undefined : readSubject(prefix, d);
  const toValue = to === undefined ? undefined : readSubject(to, d);
  if ((prefix !== undefined && prefixValue === undefined) || (to !== undefined && toValue === undefined)) return;
  if (service !== undefined) {
    if (prefix !== undefined) {
      d.error(prefix.keyPos, 'a service import takes "to", not "prefix"');
      return;
    }
    if (!ok) return;
    const imported: ServiceImportConfig = { account: service.account, subject: service.subject, to: toValue ?? service.subject, share, at: formatPos(block.pos) };
    sharing.serviceImports.push(imported);
    draft.sharingPositions.set(imported, block.pos);
    return;
  }
  if (prefix !== undefined && to !== undefined) {
    d.error(to.keyPos, "Stream import can not have a 'prefix' and a 'to' property");
    return;
  }
  if (prefixValue !== undefined && !isLiteralSubject(prefixValue)) {
    d.error(prefix!.keyPos, `Error adding stream import "${stream!.subject}": stream import prefix can not contain wildcard tokens`);
    return;
  }
  if (!ok) return;
  const subject = stream!.subject;
  const mapped = prefixValue !== undefined ? `${prefixValue}.${subject}` : (toValue ?? subject);
  const imported: StreamImportConfig = { account: stream!.account, subject, to: mapped, at: formatPos(block.pos) };
  sharing.streamImports.push(imported);
  draft.sharingPositions.set(imported, block.pos);
}

/** `{ account: A, subject: "x.>" }`. */
function readSource(e: ConfigEntry, d: Diagnostics): Source | undefined {
  if (e.node.kind !== 'map') {
    d.error(e.keyPos, `${e.key} entry should be an account map, found ${describeNode(e.node)}`);
    return undefined;
  }
  let account: string | undefined;
  let subject: string | undefined;
  let ok = true;
  for (const x of e.node.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'account':
        if (x.node.kind === 'string') account = x.node.value;
        else {
          d.error(x.keyPos, `"account" must be a string, found ${describeNode(x.node)}`);
          ok = false;
        }
        break;
      case 'subject':
        subject = readSubject(x, d);
        if (subject === undefined) ok = false;
        break;
      default:
        unknownField(x, d, e.key);
        ok = false;
    }
  }
  if (!ok) return undefined;
  if (account === undefined || account === '' || subject === undefined) {
    d.error(e.keyPos, 'Expect an account name and a subject');
    return undefined;
  }
  return { account, subject };
}

function readSubject(e: ConfigEntry, d: Diagnostics): string | undefined {
  if (e.node.kind !== 'string') {
    d.error(e.keyPos, `"${e.key}" must be a subject string, found ${describeNode(e.node)}`);
    return undefined;
  }
  if (!isValidSubject(e.node.value)) {
    d.error(e.keyPos, `"${e.key}": "${e.node.value}" is not a valid subject`);
    return undefined;
  }
  return e.node.value;
}

function readAccountNames(e: ConfigEntry, d: Diagnostics): string[] | undefined {
  if (e.node.kind !== 'array') {
    d.error(e.keyPos, `"accounts" must be an array of account names, found ${describeNode(e.node)}`);
    return undefined;
  }
  const names: string[] = [];
  for (const item of e.node.items as readonly ConfigNode[]) {
    if (item.kind !== 'string') {
      d.error(item.pos, `account names must be strings, found ${describeNode(item)}`);
      return undefined;
    }
    names.push(item.value);
  }
  return names;
}

/**
 * With every account known: exports name accounts that exist; imports name an account that
 * exports the subject (or a wider one) to the importer; no duplicates; no cycles. nats-server's
 * wording, at the entry's position.
 */
export function checkSharing(draft: Draft, d: Diagnostics): void {
  const byName = new Map<string, AccountSharingConfig>();
  for (const account of draft.options.accounts) byName.set(account.name, account.sharing ?? emptySharing());
  const at = (entry: object): SourcePos | undefined => draft.sharingPositions.get(entry);
  for (const sharing of byName.values()) {
    for (const [kind, exports] of [['stream', sharing.streamExports], ['service', sharing.serviceExports]] as const) {
      for (const exported of exports) {
        for (const name of exported.accounts ?? []) {
          if (!byName.has(name)) d.error(at(exported), `"${name}" account not defined for ${kind} export`);
        }
      }
    }
  }
  for (const [importer, sharing] of byName) {
    const seenStreams: StreamImportConfig[] = [];
    for (const imported of sharing.streamImports) {
      const exporter = byName.get(imported.account);
      if (exporter === undefined) {
        d.error(at(imported), `"${imported.account}" account not defined for stream import`);
      } else if (!authorized(exporter.streamExports, importer, imported.subject)) {
        d.error(at(imported), `Error adding stream import "${imported.subject}": stream import not authorized`);
      } else if (seenStreams.some((s) => s.account === imported.account && s.subject === imported.subject)) {
        d.error(at(imported), `Error adding stream import "${imported.subject}": stream import already exists`);
      } else if (streamCycle(byName, imported.account, importer, imported.to)) {
        d.error(at(imported), `Error adding stream import "${imported.subject}": import forms a cycle`);
      } else {
        seenStreams.push(imported);
      }
    }
    const seenServices: ServiceImportConfig[] = [];
    for (const imported of sharing.serviceImports) {
      const exporter = byName.get(imported.account);
      const dup = seenServices.find((s) => s.to === imported.to);
      if (exporter === undefined) {
        d.error(at(imported), `"${imported.account}" account not defined for service import`);
      } else if (dup !== undefined) {
        d.error(at(imported), `Duplicate service import subject "${imported.to}", previously used in import for account "${dup.account}", subject "${dup.subject}"`);
      } else if (!authorized(exporter.serviceExports, importer, imported.subject)) {
        d.error(at(imported), `Error adding service import "${imported.subject}": service import not authorized`);
      } else if (serviceCycle(byName, importer, imported.account, imported.subject)) {
        d.error(at(imported), `Error adding service import "${imported.subject}": import forms a cycle`);
      } else {
        seenServices.push(imported);
      }
    }
  }
}

/** Whether `importer` may import `subject`: an export equal to it or wider, public or naming the importer. */
function authorized(exports: readonly (StreamExportConfig | ServiceExportConfig)[], importer: string, subject: string): boolean {
  const exported = exports.find((x) => x.subject === subject) ?? exports.find((x) => isSubsetMatch(subject, x.subject));
  if (exported === undefined) return false;
  return exported.accounts === undefined || exported.accounts.includes(importer);
}

/**
 * Whether messages of `exporter` imported into `importer` as `subject` could come back to
 * `exporter` through the importer's own stream exports and other accounts' imports of them.
 */
function streamCycle(byName: ReadonlyMap<string, AccountSharingConfig>, exporter: string, importer: string, subject: string): boolean {
  const visited = new Set<string>();
  const walk = (account: string, at: string): boolean => {
    if (visited.has(account)) return false;
    visited.add(account);
    for (const [next, sharing] of byName) {
      for (const i of sharing.streamImports) {
        if (i.account !== account || !subjectsCollide(i.subject, at)) continue;
        if (next === exporter || walk(next, i.to)) return true;
      }
    }
    return false;
  };
  return walk(importer, subject);
}

/** Whether a request `importer` sends to `exporter` on `subject` could be imported back into `importer`. */
function serviceCycle(byName: ReadonlyMap<string, AccountSharingConfig>, importer: string, exporter: string, subject: string): boolean {
  const visited = new Set<string>();
  const walk = (account: string, at: string): boolean => {
    if (visited.has(account)) return false;
    visited.add(account);
    for (const i of byName.get(account)?.serviceImports ?? []) {
      if (!subjectsCollide(i.to, at)) continue;
      if (i.account === importer || walk(i.account, i.subject)) return true;
    }
    return false;
  };
  return walk(exporter, subject);
}
