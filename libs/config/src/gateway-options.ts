import type { ConfigEntry } from './conf-nodes.js';
import { describeNode } from './conf-nodes.js';
import { applyLinkAuthorization } from './link-authorization.js';
import type { Draft } from './draft.js';
import { Diagnostics, applyListenerKey, readBool, readMap, readNonNegative, readString, unknownField } from './entry-reader.js';
import type { GatewayConfig, RemoteGatewayConfig } from './options.js';
import { readTls } from './tls-options.js';

const BLOCK = 'gateway';

export function emptyGateway(): GatewayConfig {
  return { name: '', host: '', port: 0, gateways: [], rejectUnknownCluster: false, connectRetries: 0 };
}

/**
 * `gateway { name, listen, host, port, advertise, reject_unknown_cluster, authorization,
 * tls, gateways: [{ name, urls, tls }], connect_retries }`, as nats-server reads it.
 */
export function applyGateway(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const map = readMap(e, d);
  if (map === undefined) return;
  draft.positions.set('gateway', e.keyPos);
  const gateway = emptyGateway();
  for (const x of map.entries.values()) {
    if (applyListenerKey(x, gateway, d)) continue;
    switch (x.key.toLowerCase()) {
      case 'name': {
        const name = readString(x, d);
        if (name !== undefined) {
          if (name.includes(' ')) d.error(x.keyPos, `gateway name "${name}" cannot contain spaces`);
          else gateway.name = name;
        }
        break;
      }
      case 'advertise':
      case 'gateway_advertise': {
        const advertise = readString(x, d);
        if (advertise !== undefined) gateway.advertise = advertise;
        break;
      }
      case 'reject_unknown':
      case 'reject_unknown_cluster':
        gateway.rejectUnknownCluster = readBool(x, d) ?? gateway.rejectUnknownCluster;
        break;
      case 'connect_retries':
        gateway.connectRetries = readNonNegative(x, d) ?? gateway.connectRetries;
        break;
      case 'authorization':
        applyLinkAuthorization(x, gateway, d, 'gateway');
        break;
      case 'gateways':
        gateway.gateways = readRemoteGateways(x, d) ?? gateway.gateways;
        break;
      case 'tls': {
        const tls = readTls(x, d, 'gateway tls');
        if (tls !== undefined) gateway.tls = tls;
        break;
      }
      default:
        unknownField(x, d, BLOCK);
    }
  }
  if (gateway.port !== 0 && gateway.name === '') d.error(e.keyPos, 'gateway has no name');
  draft.options.gateway = gateway;
}

/** `gateways: [ { name: B, urls: [...] } ]` (`url` for a single one is accepted too, as nats-server does). */
function readRemoteGateways(e: ConfigEntry, d: Diagnostics): RemoteGatewayConfig[] | undefined {
  if (e.node.kind !== 'array') {
    d.error(e.keyPos, `"${e.key}" must be an array of gateways, found ${describeNode(e.node)}`);
    return undefined;
  }
  const remotes: RemoteGatewayConfig[] = [];
  for (const item of e.node.items) {
    if (item.kind !== 'map') {
      d.error(item.pos, `gateway entries must be maps, found ${describeNode(item)}`);
      continue;
    }
    const remote: RemoteGatewayConfig = { name: '', urls: [] };
    for (const x of item.entries.values()) {
      switch (x.key.toLowerCase()) {
        case 'name':
          remote.name = readString(x, d) ?? remote.name;
          break;
        case 'url': {
          const url = readString(x, d);
          if (url !== undefined) addGatewayUrl(remote, url, x, d);
          break;
        }
        case 'urls':
          readGatewayUrls(x, remote, d);
          break;
        case 'tls': {
          const tls = readTls(x, d, 'gateways tls');
          if (tls !== undefined) remote.tls = tls;
          break;
        }
        default:
          unknownField(x, d, 'gateways');
      }
    }
    if (remote.name === '') d.error(item.pos, 'gateway entry requires a name');
    else remotes.push(remote);
  }
  return remotes;
}

function readGatewayUrls(e: ConfigEntry, remote: RemoteGatewayConfig, d: Diagnostics): void {
  if (e.node.kind !== 'array') {
    const single = readString(e, d);
    if (single !== undefined) addGatewayUrl(remote, single, e, d);
    return;
  }
  for (const item of e.node.items) {
    if (item.kind !== 'string') d.error(item.pos, `gateway URLs must be strings, found ${describeNode(item)}`);
    else addGatewayUrl(remote, item.value.trim(), e, d);
  }
}

function addGatewayUrl(remote: RemoteGatewayConfig, url: string, e: ConfigEntry, d: Diagnostics): void {
  if (!URL.canParse(url) || new URL(url).hostname === '') d.error(e.keyPos, `error parsing gateway url "${url}"`);
  else if (!remote.urls.includes(url)) remote.urls.push(url);
}
