import type { X509Certificate } from 'node:crypto';

/** One attribute of a distinguished name; `type` upper-cased (`CN`, `OU`, `DC`, ...). */
export interface NameAttribute {
  type: string;
  value: string;
}

/** A distinguished name as RDNs, most specific first (the order of `CN=alice,OU=eng,O=acme`); each RDN one or more attributes. */
export type DistinguishedName = NameAttribute[][];

/** What a client certificate names, for `verify_and_map`. */
export interface CertificateNames {
  emails: string[];
  dnsNames: string[];
  uris: string[];
  subject: DistinguishedName;
}

export const NO_CERTIFICATE: CertificateNames = { emails: [], dnsNames: [], uris: [], subject: [] };

/** OpenSSL's names for attributes that the DN strings of users spell otherwise. */
const TYPE_ALIASES: Record<string, string> = { EMAILADDRESS: 'E' };

function attributeType(type: string): string {
  const upper = type.trim().toUpperCase();
  return TYPE_ALIASES[upper] ?? upper;
}

/** The names of a verified client certificate: SAN e-mails, DNS names and URIs, and the subject. */
export function certificateNames(cert: X509Certificate): CertificateNames {
  const names: CertificateNames = { emails: [], dnsNames: [], uris: [], subject: [] };
  for (const entry of splitOutsideQuotes(cert.subjectAltName ?? '', ', ')) {
    const colon = entry.indexOf(':');
    if (colon < 0) continue;
    const kind = entry.slice(0, colon);
    const raw = entry.slice(colon + 1);
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    if (kind === 'email') names.emails.push(value);
    else if (kind === 'DNS') names.dnsNames.push(value);
    else if (kind === 'URI') names.uris.push(value);
  }
  // Node prints the subject one RDN per line, in certificate order (least specific first),
  // attributes of a multi-valued RDN joined by " + ", values escaped as RFC 2253 says.
  const rdns: DistinguishedName = [];
  for (const line of cert.subject.split('\n')) {
    if (line === '') continue;
    const rdn = splitUnescaped(line, '+').map((part) => attribute(part.trim()));
    if (rdn.some((a) => a === undefined)) return { ...names, subject: [] };
    rdns.push(rdn as NameAttribute[]);
  }
  names.subject = rdns.reverse();
  return names;
}

/** A DN as a user is listed by it (`CN=alice,OU=eng,O=acme`); undefined when it is not one. */
export function parseDistinguishedName(text: string): DistinguishedName | undefined {
  const rdns: DistinguishedName = [];
  for (const rdnText of splitUnescaped(text, ',')) {
    const rdn: NameAttribute[] = [];
    for (const part of splitUnescaped(rdnText, '+')) {
      const a = attribute(part.trim());
      if (a === undefined) return undefined;
      rdn.push(a);
    }
    rdns.push(rdn);
  }
  return rdns.length > 0 ? rdns : undefined;
}

/** The same RDNs in the same order. */
export function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  return a.length === b.length && a.every((rdn, i) => sameRdn(rdn, b[i]!));
}

/** The same RDNs in any order (a user listed with the subject's parts reordered). */
export function sameRdns(a: DistinguishedName, b: DistinguishedName): boolean {
  if (a.length !== b.length) return false;
  const unmatched = [...b];
  for (const rdn of a) {
    const at = unmatched.findIndex((other) => sameRdn(rdn, other));
    if (at < 0) return false;
    unmatched.splice(at, 1);
  }
  return true;
}

function sameRdn(a: NameAttribute[], b: NameAttribute[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => y.type === x.type && y.value === x.value));
}

function attribute(text: string): NameAttribute | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  return { type: attributeType(text.slice(0, eq)), value: unescapeValue(text.slice(eq + 1).trim()) };
}

/** RFC 4514 escapes: `\,` and the like, and `\2C` hex pairs. */
function unescapeValue(value: string): string {
  if (!value.includes('\\')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      const hex = value.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
      i++;
      bytes.push(...Buffer.from(value[i]!, 'utf8'));
      continue;
    }
    bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Node quotes a SAN entry holding the separator as a JSON string (`DNS:"a, b"`). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  if (start < text.length) parts.push(text.slice(start));
  return parts;
}
