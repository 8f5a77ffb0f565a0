import type { ConfigEntry } from './conf-nodes.js';
import type { Draft } from './draft.js';
import { Diagnostics, applyListenerKey, readDurationMs, readMap, readString, readStringList, unknownField } from './entry-reader.js';
import type { BusConfig } from './options.js';

const BLOCK = 'bus';

export const BUS_DEFAULTS = {
  name: 'nats-ts',
  heartbeatMs: 1_000,
  memberTimeoutMs: 5_000,
  redisTtlMs: 15_000,
} as const;

/** `host:port`, `tcp://host:port` or `[v6]:port`, as bus members are listed. */
function isBusAddress(text: string): boolean {
  const match = /^(?:tcp:\/\/)?(?:\[[^\]]+\]|[^:[\]/]+):(\d+)$/i.exec(text.trim());
  const port = match === null ? NaN : Number(match[1]);
  return port > 0 && port <= 65535;
}

function isRedisUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
}

/**
 * `bus { listen, advertise, members: [...], redis, name, heartbeat, member_timeout, redis_ttl }`:
 * nats-ts's own block (nats-server has none) for running the roles of one node as separate
 * processes over the TCP bus. Without it every role of a process meets on the in-process bus.
 */
export function applyBus(e: ConfigEntry, draft: Draft, d: Diagnostics): void {
  const map = readMap(e, d);
  if (map === undefined) return;
  draft.positions.set(BLOCK, e.keyPos);
  const bus: BusConfig = {
    host: '',
    port: -1,
    members: [],
    name: BUS_DEFAULTS.name,
    heartbeatMs: BUS_DEFAULTS.heartbeatMs,
    memberTimeoutMs: BUS_DEFAULTS.memberTimeoutMs,
    redisTtlMs: BUS_DEFAULTS.redisTtlMs,
  };
  for (const x of map.entries.values()) {
    if (applyListenerKey(x, bus, d)) continue;
    switch (x.key.toLowerCase()) {
      case 'advertise': {
        const advertise = readString(x, d);
        if (advertise === undefined) break;
        if (isBusAddress(advertise)) bus.advertise = advertise;
        else d.error(x.keyPos, `bus advertise "${advertise}" must be host:port`);
        break;
      }
      case 'members': {
        const members = readStringList(x, d);
        if (members === undefined) break;
        for (const member of members) {
          if (!isBusAddress(member)) d.error(x.keyPos, `bus member "${member}" must be host:port`);
        }
        bus.members = members.map((m) => m.trim());
        break;
      }
      case 'redis': {
        const url = readString(x, d);
        if (url === undefined) break;
        if (isRedisUrl(url)) bus.redis = url;
        else d.error(x.keyPos, `bus redis "${url}" must be a redis:// or rediss:// URL`);
        break;
      }
      case 'name': {
        const name = readString(x, d);
        if (name !== undefined && /^[\w.-]+$/.test(name)) bus.name = name;
        else if (name !== undefined) d.error(x.keyPos, `bus name "${name}" may only contain letters, digits, '_', '-' and '.'`);
        break;
      }
      case 'heartbeat':
        bus.heartbeatMs = readPositiveDuration(x, d) ?? bus.heartbeatMs;
        break;
      case 'member_timeout':
        bus.memberTimeoutMs = readPositiveDuration(x, d) ?? bus.memberTimeoutMs;
        break;
      case 'redis_ttl':
        bus.redisTtlMs = readPositiveDuration(x, d) ?? bus.redisTtlMs;
        break;
      default:
        unknownField(x, d, BLOCK);
    }
  }
  draft.options.bus = bus;
}

/** With every source applied: the bus listens where clients do unless told otherwise. */
export function finalizeBus(draft: Draft, d: Diagnostics): void {
  const bus = draft.options.bus;
  if (bus === undefined) return;
  if (bus.host === '') bus.host = draft.options.host;
  if (bus.port === 0) bus.port = -1;
  if (bus.redis !== undefined && bus.members.length > 0) {
    d.error(draft.positions.get(BLOCK), 'bus: use either members (a static list) or redis, not both');
  }
  if (bus.memberTimeoutMs <= bus.heartbeatMs) {
    d.error(
      draft.positions.get(BLOCK),
      `bus member_timeout (${bus.memberTimeoutMs}ms) must be longer than its heartbeat (${bus.heartbeatMs}ms)`,
    );
  }
}

function readPositiveDuration(e: ConfigEntry, d: Diagnostics): number | undefined {
  const ms = readDurationMs(e, d, 'refused');
  if (ms !== undefined && ms <= 0) {
    d.error(e.keyPos, `"${e.key}" in bus must be a positive duration`);
    return undefined;
  }
  return ms;
}
