import { accessSync, constants } from 'node:fs';
import type { ConfigEntry } from './conf-nodes.js';
import { Diagnostics, notSupported, readBool, readMap, readSecondsMs, readString, refused, unknownField } from './entry-reader.js';
import type { SourcePos } from './errors.js';
import { DEFAULTS, type TlsConfig } from './options.js';

/**
 * A `tls { cert_file, key_file, ca_file, verify, insecure, timeout }` block. Files are
 * checked for readability now, relative to the working directory as nats-server does, so a
 * typo is reported with its line rather than at the first handshake.
 */
export function readTls(e: ConfigEntry, d: Diagnostics, block: string): TlsConfig | undefined {
  const map = readMap(e, d);
  if (map === undefined) return undefined;
  const errorsBefore = d.errors.length;
  const tls: TlsConfig = { verify: false, timeoutMs: DEFAULTS.tlsTimeoutMs, insecure: false };
  const files: Array<[string, string, SourcePos]> = [];
  for (const x of map.entries.values()) {
    const key = x.key.toLowerCase();
    switch (key) {
      case 'cert_file':
      case 'key_file':
      case 'ca_file': {
        const path = readString(x, d);
        if (path === undefined) break;
        files.push([key, path, x.keyPos]);
        if (key === 'cert_file') tls.certFile = path;
        else if (key === 'key_file') tls.keyFile = path;
        else tls.caFile = path;
        break;
      }
      case 'verify':
        tls.verify = readBool(x, d) ?? tls.verify;
        break;
      case 'insecure':
        tls.insecure = readBool(x, d) ?? tls.insecure;
        break;
      case 'timeout': {
        const timeout = readSecondsMs(x, d);
        if (timeout !== undefined && timeout !== 0) tls.timeoutMs = timeout;
        break;
      }
      case 'verify_and_map':
        if (block === 'tls') {
          if (readBool(x, d) === true) {
            tls.verify = true;
            tls.verifyAndMap = true;
          }
          break;
        }
        if (readBool(x, d) === true) {
          refused(x, d, 'mapping certificates to users is implemented for the client listener only, and plain verification would admit other identities');
        }
        break;
      case 'verify_cert_and_check_known_urls':
        if (readBool(x, d) === true) {
          refused(x, d, 'mapping certificates to users is not implemented, and plain verification would admit other identities');
        }
        break;
      case 'pinned_certs':
        refused(x, d, 'certificate pinning is not implemented, and ignoring it would accept any trusted certificate');
        break;
      case 'allow_non_tls':
        d.error(x.keyPos, '"allow_non_tls" is a top-level option (beside tls {}), not part of a tls block');
        break;
      case 'cipher_suites':
      case 'curve_preferences':
      case 'connection_rate_limit':
        notSupported(x, d, block);
        break;
      default:
        unknownField(x, d, block);
    }
  }
  if (tls.certFile === undefined) d.error(e.keyPos, `missing "cert_file" in ${block}`);
  if (tls.keyFile === undefined) d.error(e.keyPos, `missing "key_file" in ${block}`);
  for (const [key, path, pos] of files) checkReadable(key, path, pos, d);
  return d.errors.length === errorsBefore ? tls : undefined;
}

/** Records an error when `path` cannot be read; `what` names it (`cert_file`, `--tlscert`). */
export function checkReadable(what: string, path: string, pos: SourcePos | undefined, d: Diagnostics): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    d.error(pos, `cannot read ${what} "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
