import type { ConfigEntry } from './conf-nodes.js';
import { Diagnostics, notSupported, readMap, readSecondsMs, readString, unknownField } from './entry-reader.js';

/** The credentials a route or gateway peer must present: one user, no tokens. */
export interface LinkCredentials {
  user?: string;
  password?: string;
  authTimeoutMs?: number;
}

/**
 * `authorization { user, password, timeout }` of a `cluster` or `gateway` block, with
 * nats-server's errors for what those blocks refuse (several users, tokens). Route
 * permissions are accepted and warned about as not supported yet.
 */
export function applyLinkAuthorization(e: ConfigEntry, target: LinkCredentials, d: Diagnostics, block: 'cluster' | 'gateway'): void {
  const map = readMap(e, d);
  if (map === undefined) return;
  const where = `${block} authorization`;
  for (const x of map.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'user':
      case 'username': {
        const user = readString(x, d);
        if (user !== undefined) target.user = user;
        break;
      }
      case 'pass':
      case 'password': {
        const password = readString(x, d);
        if (password !== undefined) target.password = password;
        break;
      }
      case 'timeout': {
        const timeout = readSecondsMs(x, d);
        if (timeout !== undefined) target.authTimeoutMs = timeout;
        break;
      }
      case 'users':
        d.error(x.keyPos, `${where} does not allow multiple users`);
        break;
      case 'token':
        d.error(x.keyPos, `${where} does not support tokens`);
        break;
      case 'permissions':
      case 'default_permissions':
      case 'default_permission':
        if (block === 'cluster') {
          notSupported(x, d, where);
          break;
        }
        unknownField(x, d, where);
        break;
      default:
        unknownField(x, d, where);
    }
  }
}
