/**
 * A client's CONNECT: the options it sets and the credentials it presents, decoded as
 * nats-server 2.9 decodes them.
 */
import type { ClientCredentials } from '@nats-ts/auth';

export interface ConnectOptions {
  verbose: boolean;
  pedantic: boolean;
  echo: boolean;
  headers: boolean;
  noResponders: boolean;
  protocol: number;
  name: string;
  lang: string;
  version: string;
}

/** Before CONNECT, and for fields CONNECT leaves out, nats-server's client defaults apply. */
export const DEFAULT_CONNECT: ConnectOptions = {
  verbose: true,
  pedantic: true,
  echo: true,
  headers: false,
  noResponders: false,
  protocol: 0,
  name: '',
  lang: '',
  version: '',
};

const BOOLEAN_FIELDS = { verbose: 'verbose', pedantic: 'pedantic', echo: 'echo', headers: 'headers', no_responders: 'noResponders' } as const;
const STRING_FIELDS = { name: 'name', lang: 'lang', version: 'version' } as const;
const CREDENTIAL_FIELDS = { user: 'user', pass: 'pass', auth_token: 'authToken', nkey: 'nkey', sig: 'sig', jwt: 'jwt' } as const;
const OTHER_STRING_FIELDS = ['account'];

/**
 * Decodes CONNECT over the current options, as Go's json.Unmarshal does over nats-server's:
 * absent (or null) fields keep their value, a field of the wrong type or a non-object fails.
 */
export function parseConnect(
  json: Buffer,
  current: ConnectOptions,
  currentCreds: ClientCredentials,
): { opts: ConnectOptions; credentials: ClientCredentials } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    return undefined;
  }
  const opts = { ...current };
  const credentials = { ...currentCreds };
  if (parsed === null) return { opts, credentials };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const fields = parsed as Record<string, unknown>;
  for (const [key, prop] of Object.entries(BOOLEAN_FIELDS)) {
    const v = fields[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') return undefined;
    opts[prop] = v;
  }
  for (const [key, prop] of Object.entries(STRING_FIELDS)) {
    const v = fields[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return undefined;
    opts[prop] = v;
  }
  for (const [key, prop] of Object.entries(CREDENTIAL_FIELDS)) {
    const v = fields[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return undefined;
    credentials[prop] = v;
  }
  for (const key of OTHER_STRING_FIELDS) {
    const v = fields[key];
    if (v !== undefined && v !== null && typeof v !== 'string') return undefined;
  }
  const tls = fields.tls_required;
  if (tls !== undefined && tls !== null && typeof tls !== 'boolean') return undefined;
  const protocol = fields.protocol;
  if (protocol !== undefined && protocol !== null) {
    if (typeof protocol !== 'number' || !Number.isInteger(protocol)) return undefined;
    opts.protocol = protocol;
  }
  return { opts, credentials };
}

/** Keeps passwords out of trace logs, as nats-server does. */
export function redactPassword(connect: string): string {
  return connect.replace(/("pass"\s*:\s*")((?:[^"\\]|\\.)*)(")/, '$1[REDACTED]$3');
}
