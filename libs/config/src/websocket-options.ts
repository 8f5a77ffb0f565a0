import type { ConfigEntry } from './conf-nodes.js';
import type { Draft } from './draft.js';
import {
  Diagnostics,
  applyListenerKey,
  notSupported,
  readBool,
  readDurationMs,
  readMap,
  readString,
  readStringList,
  refused,
  unknownField,
} from './entry-reader.js';
import type { WebsocketConfig } from './options.js';
import { readTls } from './tls-options.js';

const BLOCK = 'websocket';

/** `websocket { listen, host, port, advertise, no_tls, tls, compression, ... }`. */
export function applyWebsocket(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const map = readMap(e, d);
  if (map === undefined) return;
  draft.positions.set('websocket', e.keyPos);
  const ws: WebsocketConfig = {
    host: '',
    port: 0,
    noTls: false,
    compression: false,
    handshakeTimeoutMs: 0,
    sameOrigin: false,
    allowedOrigins: [],
  };
  for (const x of map.entries.values()) {
    if (applyListenerKey(x, ws, d)) continue;
    switch (x.key.toLowerCase()) {
      case 'advertise': {
        const advertise = readString(x, d);
        if (advertise !== undefined) ws.advertise = advertise;
        break;
      }
      case 'no_tls':
        ws.noTls = readBool(x, d) ?? ws.noTls;
        break;
      case 'tls': {
        const tls = readTls(x, d, 'websocket tls');
        if (tls !== undefined) ws.tls = tls;
        break;
      }
      case 'compress':
      case 'compression':
        ws.compression = readBool(x, d) ?? ws.compression;
        break;
      case 'same_origin':
        ws.sameOrigin = readBool(x, d) ?? ws.sameOrigin;
        break;
      case 'allowed_origins':
      case 'allowed_origin':
      case 'allow_origins':
      case 'allow_origin':
      case 'origins':
      case 'origin':
        ws.allowedOrigins = readStringList(x, d) ?? ws.allowedOrigins;
        break;
      case 'handshake_timeout':
        ws.handshakeTimeoutMs = readDurationMs(x, d, 'seconds') ?? ws.handshakeTimeoutMs;
        break;
      case 'authorization':
      case 'authentication':
        refused(x, d, 'websocket-specific credentials are not implemented, and ignoring them could leave websocket clients unauthenticated');
        break;
      case 'no_auth_user':
      case 'jwt_cookie':
        notSupported(x, d, BLOCK);
        break;
      default:
        unknownField(x, d, BLOCK);
    }
  }
  draft.options.websocket = ws;
}
