import type { ConfigEntry } from './conf-nodes.js';
import { describeNode } from './conf-nodes.js';
import { applyLinkAuthorization } from './link-authorization.js';
import type { Draft } from './draft.js';
import { Diagnostics, applyListenerKey, notSupported, readBool, readMap, readNonNegative, readString, unknownField } from './entry-reader.js';
import type { ClusterConfig } from './options.js';
import { readTls } from './tls-options.js';

const BLOCK = 'cluster';

export function emptyCluster(): ClusterConfig {
  return { host: '', port: 0, routes: [], noAdvertise: false, connectRetries: 0 };
}

/** A route URL must name a host (`nats://host:6222`, `nats-route://user:pass@host:6222`). */
export function isRouteUrl(text: string): boolean {
  return URL.canParse(text) && new URL(text).hostname !== '';
}

/** `cluster { name, listen, host, port, routes, advertise, no_advertise, authorization, tls }`. */
export function applyCluster(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const map = readMap(e, d);
  if (map === undefined) return;
  const cluster = emptyCluster();
  for (const x of map.entries.values()) {
    if (applyListenerKey(x, cluster, d)) continue;
    switch (x.key.toLowerCase()) {
      case 'name': {
        const name = readString(x, d);
        if (name !== undefined) cluster.name = name;
        break;
      }
      case 'authorization':
        applyLinkAuthorization(x, cluster, d, 'cluster');
        break;
      case 'routes':
        cluster.routes = readRoutes(x, d) ?? cluster.routes;
        break;
      case 'tls': {
        const tls = readTls(x, d, 'cluster tls');
        if (tls !== undefined) cluster.tls = tls;
        break;
      }
      case 'cluster_advertise':
      case 'advertise': {
        const advertise = readString(x, d);
        if (advertise !== undefined) cluster.advertise = advertise;
        break;
      }
      case 'no_advertise':
        cluster.noAdvertise = readBool(x, d) ?? cluster.noAdvertise;
        draft.options.noAdvertise = cluster.noAdvertise;
        break;
      case 'connect_retries':
        cluster.connectRetries = readNonNegative(x, d) ?? cluster.connectRetries;
        break;
      case 'permissions':
        notSupported(x, d, BLOCK);
        break;
      default:
        unknownField(x, d, BLOCK);
    }
  }
  draft.options.cluster = cluster;
}

function readRoutes(e: ConfigEntry, d: Diagnostics): string[] | undefined {
  if (e.node.kind !== 'array') {
    d.error(e.keyPos, `"${e.key}" must be an array of URLs, found ${describeNode(e.node)}`);
    return undefined;
  }
  const routes: string[] = [];
  for (const item of e.node.items) {
    if (item.kind !== 'string') {
      d.error(item.pos, `route entries must be URL strings, found ${describeNode(item)}`);
      continue;
    }
    const url = item.value.trim();
    if (routes.includes(url)) {
      d.warn(item.pos, `invalid use of field "${url}": duplicate route entry detected`);
    } else if (!isRouteUrl(url)) {
      d.error(item.pos, `error parsing route url "${url}"`);
    } else {
      routes.push(url);
    }
  }
  return routes;
}
