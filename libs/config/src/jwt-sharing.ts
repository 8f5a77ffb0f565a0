import { natsJwt } from '@nats-ts/base';
import type { AccountSharingConfig, ServerOptions, ServiceResponseType, TrustConfig } from './options.js';
import { isSubsetMatch } from './subject-rules.js';

/** nats-server's default response threshold of a service export (2 minutes). */
const DEFAULT_RESPONSE_THRESHOLD_MS = 2 * 60_000;

interface JwtExport {
  subject?: string;
  type?: string;
  token_req?: boolean;
  response_type?: string;
  /** Nanoseconds. */
  response_threshold?: number;
}

interface JwtImport {
  subject?: string;
  account?: string;
  token?: string;
  /** A stream import's prefix, or a service import's subject in the exporter (nats-server's `GetTo`). */
  to?: string;
  local_subject?: string;
  type?: string;
  share?: boolean;
}

interface AccountClaims {
  sub: string;
  nats?: { exports?: JwtExport[] | null; imports?: JwtImport[] | null; signing_keys?: (string | { key: string })[] | null };
}

interface ActivationClaims {
  sub: string;
  iss: string;
  exp?: number;
  nats?: { subject?: string; kind?: string; type?: string; issuer_account?: string };
}

/** One operator-mode account's exports and imports, named by its public key. */
export interface JwtAccountSharing {
  name: string;
  sharing: AccountSharingConfig;
}

/**
 * What the account JWTs share, in the shape of the configuration's accounts (so the same
 * machinery builds it): every export, and the imports nats-server 2.9 would add. An import is
 * added when its exporter is known and exports a subject containing it, publicly or, when the
 * export requires a token, with an activation token the exporter (or one of its signing keys)
 * issued to the importer for that subject, unexpired. Others are left out, as nats-server
 * leaves an unauthorized import out.
 */
export function jwtAccountsSharing(accountJwts: ReadonlyMap<string, string>, nowMs: number): JwtAccountSharing[] {
  const accounts = new Map<string, AccountClaims>();
  for (const [key, jwt] of accountJwts) {
    try {
      accounts.set(key, natsJwt().decode<unknown>(jwt) as AccountClaims);
    } catch {
      // An account JWT that does not decode shares nothing; its users are refused.
    }
  }
  const out: JwtAccountSharing[] = [];
  for (const [key, claims] of accounts) {
    const sharing: AccountSharingConfig = { streamExports: [], serviceExports: [], streamImports: [], serviceImports: [], mappings: [] };
    for (const x of claims.nats?.exports ?? []) {
      if (x.subject === undefined) continue;
      if (x.type === 'service') {
        sharing.serviceExports.push({
          subject: x.subject,
          ...(x.token_req === true ? { accounts: [] } : {}),
          responseType: responseType(x.response_type),
          responseThresholdMs: x.response_threshold !== undefined && x.response_threshold > 0 ? Math.round(x.response_threshold / 1e6) : DEFAULT_RESPONSE_THRESHOLD_MS,
        });
      } else {
        sharing.streamExports.push({ subject: x.subject, ...(x.token_req === true ? { accounts: [] } : {}) });
      }
    }
    for (const i of claims.nats?.imports ?? []) {
      const exporter = i.account === undefined ? undefined : accounts.get(i.account);
      if (i.subject === undefined || exporter === undefined || !importAuthorized(i, key, exporter, nowMs)) continue;
      const at = `account JWT ${key}`;
      if (i.type === 'service') {
        const local = i.local_subject !== undefined && i.local_subject !== '' ? i.local_subject : i.subject;
        const exported = i.local_subject !== undefined && i.local_subject !== '' ? i.subject : i.to !== undefined && i.to !== '' ? i.to : i.subject;
        sharing.serviceImports.push({ account: i.account!, subject: exported, to: local, share: i.share === true, at });
      } else {
        const to = i.local_subject !== undefined && i.local_subject !== '' ? i.local_subject : i.to !== undefined && i.to !== '' ? `${i.to}.${i.subject}` : i.subject;
        sharing.streamImports.push({ account: i.account!, subject: i.subject, to, at });
      }
    }
    out.push({ name: key, sharing });
  }
  return out;
}

function responseType(text: string | undefined): ServiceResponseType {
  return text === 'Stream' || text === 'Chunked' ? text : 'Singleton';
}

/** nats-server's checkStreamImportAuthorized / checkServiceImportAuthorized for a JWT import. */
function importAuthorized(i: JwtImport, importer: string, exporter: AccountClaims, nowMs: number): boolean {
  const kind = i.type === 'service' ? 'service' : 'stream';
  const subject = kind === 'service' && (i.local_subject ?? '') === '' && (i.to ?? '') !== '' ? i.to! : i.subject!;
  const exports = (exporter.nats?.exports ?? []).filter((x) => (x.type === 'service' ? 'service' : 'stream') === kind && x.subject !== undefined);
  const exported = exports.find((x) => x.subject === subject) ?? exports.find((x) => isSubsetMatch(subject, x.subject!));
  if (exported === undefined) return false;
  if (exported.token_req !== true) return true;
  return activationValid(i.token, kind, subject, importer, exporter, nowMs);
}

function activationValid(token: string | undefined, kind: string, subject: string, importer: string, exporter: AccountClaims, nowMs: number): boolean {
  if (token === undefined || token === '') return false;
  let act: ActivationClaims;
  try {
    act = natsJwt().decode<unknown>(token) as ActivationClaims;
  } catch {
    return false;
  }
  const nats = act.nats ?? {};
  if ((nats.type ?? 'activation') !== 'activation' || act.sub !== importer) return false;
  if ((nats.kind ?? kind) !== kind) return false;
  if (act.exp !== undefined && act.exp > 0 && act.exp * 1000 <= nowMs) return false;
  const signers = new Set([exporter.sub, ...(exporter.nats?.signing_keys ?? []).map((k) => (typeof k === 'string' ? k : k.key))]);
  const issuedByExporter = act.iss === exporter.sub || ((nats.issuer_account ?? '') === exporter.sub && signers.has(act.iss));
  if (!issuedByExporter) return false;
  return nats.subject !== undefined && isSubsetMatch(subject, nats.subject);
}

/** What interest routers are built from: each account's sharing, the global mappings, the cluster. */
export interface SharingOptions {
  accounts: readonly { name: string; sharing?: AccountSharingConfig }[];
  mappings: ServerOptions['mappings'];
  cluster?: ServerOptions['cluster'];
}

// One SharingOptions per options object, so that the roles of a process, which all pass the same
// options on a start or reload, hand their router the same spec and it is built once.
const sharingByOptions = new WeakMap<Readonly<ServerOptions>, SharingOptions>();

/** The configured accounts' sharing, or in operator mode the account JWTs'. */
export function sharingOptionsOf(options: Readonly<ServerOptions>): SharingOptions {
  if (options.trust === undefined) return options;
  let sharing = sharingByOptions.get(options);
  if (sharing === undefined) {
    sharing = { accounts: options.trust.accountSharing, mappings: options.mappings, ...(options.cluster !== undefined ? { cluster: options.cluster } : {}) };
    sharingByOptions.set(options, sharing);
  }
  return sharing;
}

/** `trust` with other account JWTs (an update pushed to the full resolver): their exports and imports with them. */
export function trustWithAccountJwts(trust: Readonly<TrustConfig>, accountJwts: Map<string, string>, nowMs: number): TrustConfig {
  return { ...trust, accountJwts, accountSharing: jwtAccountsSharing(accountJwts, nowMs) };
}
