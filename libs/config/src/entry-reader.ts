import { describeNode, type ConfigEntry, type ConfigNode, type MapNode } from './conf-nodes.js';
import { parseDuration } from './duration.js';
import { formatPos, type SourcePos } from './errors.js';

/** Errors and warnings collected while turning parsed nodes into options. */
export class Diagnostics {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];

  error(pos: SourcePos | undefined, message: string): void {
    this.errors.push(pos === undefined ? message : `${formatPos(pos)}: ${message}`);
  }

  warn(pos: SourcePos | undefined, message: string): void {
    this.warnings.push(pos === undefined ? message : `${formatPos(pos)}: ${message}`);
  }
}

/*
 * Typed reads of one entry. Each returns undefined after recording an error at the key's
 * position (where nats-server reports it) when the value does not fit.
 */

function wrongType(e: ConfigEntry, d: Diagnostics, expected: string): undefined {
  d.error(e.keyPos, `"${e.key}" must be ${expected}, found ${describeNode(e.node)}`);
  return undefined;
}

export function readString(e: ConfigEntry, d: Diagnostics): string | undefined {
  return e.node.kind === 'string' ? e.node.value : wrongType(e, d, 'a string');
}

export function readBool(e: ConfigEntry, d: Diagnostics): boolean | undefined {
  return e.node.kind === 'bool' ? e.node.value : wrongType(e, d, 'a boolean');
}

export function readMap(e: ConfigEntry, d: Diagnostics): MapNode | undefined {
  return e.node.kind === 'map' ? e.node : wrongType(e, d, 'a map');
}

export function readInteger(e: ConfigEntry, d: Diagnostics, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (e.node.kind !== 'integer') return wrongType(e, d, 'an integer');
  const value = e.node.value;
  if (value < min || value > max) {
    d.error(e.keyPos, `"${e.key}" must be between ${min} and ${max}, found ${e.node.raw}`);
    return undefined;
  }
  return value;
}

export const readPort = (e: ConfigEntry, d: Diagnostics): number | undefined => readInteger(e, d, -1, 65535);

/** A size or count that may not be negative. */
export const readNonNegative = (e: ConfigEntry, d: Diagnostics, max?: number): number | undefined =>
  readInteger(e, d, 0, max);

/** A string, or an array of strings. */
export function readStringList(e: ConfigEntry, d: Diagnostics): string[] | undefined {
  if (e.node.kind === 'string') return [e.node.value];
  if (e.node.kind !== 'array') return wrongType(e, d, 'a string or an array of strings');
  const out: string[] = [];
  let ok = true;
  for (const item of e.node.items) {
    if (item.kind === 'string') {
      out.push(item.value);
    } else {
      d.error(item.pos, `"${e.key}" entries must be strings, found ${describeNode(item)}`);
      ok = false;
    }
  }
  return ok ? out : undefined;
}

/** How a duration key treats a plain number, as nats-server does key by key. */
export type IntegerDuration = 'seconds' | 'seconds-with-warning' | 'refused';

/**
 * A Go duration string (`"2s"`, `"1m30s"`) in ms. Plain numbers count as seconds where
 * nats-server allows it; beware that an unquoted `1m` is the size one million, not a minute.
 */
export function readDurationMs(e: ConfigEntry, d: Diagnostics, integers: IntegerDuration): number | undefined {
  const node = e.node;
  if (node.kind === 'string') {
    try {
      return parseDuration(node.value);
    } catch (err) {
      d.error(e.keyPos, `error parsing ${e.key}: ${(err as Error).message}`);
      return undefined;
    }
  }
  const numeric = node.kind === 'integer' || (node.kind === 'float' && integers === 'seconds');
  if (!numeric || integers === 'refused') return wrongType(e, d, 'a duration string such as "2s"');
  if (integers === 'seconds-with-warning') warnSecondsDuration(e, node, d);
  return node.value * 1000;
}

function warnSecondsDuration(e: ConfigEntry, node: ConfigNode & { kind: 'integer' | 'float' }, d: Diagnostics): void {
  const written = node.kind === 'integer' ? node.raw : String(node.value);
  const suffixNote =
    node.kind === 'integer' && /[a-z]/i.test(node.raw)
      ? ` (an unquoted ${node.raw} is the number ${node.value}, not a duration)`
      : '';
  d.warn(
    e.keyPos,
    `invalid use of field "${e.key}": ${e.key} should be converted to a duration; ${written} is read as ${node.value} seconds${suffixNote}`,
  );
}

/** Seconds as nats-server writes timeouts (`timeout: 2` or `0.5`), or a duration string; in ms. */
export function readSecondsMs(e: ConfigEntry, d: Diagnostics): number | undefined {
  const ms = readDurationMs(e, d, 'seconds');
  if (ms !== undefined && ms < 0) {
    d.error(e.keyPos, `"${e.key}" must not be negative`);
    return undefined;
  }
  return ms;
}

export interface HostPort {
  /** Empty when only a port was given (`listen: 4222` or `listen: ":4222"`). */
  host: string;
  port: number;
}

/** `listen`-style values: a port, or `host:port` (`[::1]:4222` for IPv6). */
export function readHostPort(e: ConfigEntry, d: Diagnostics): HostPort | undefined {
  if (e.node.kind === 'integer') {
    const port = readPort(e, d);
    return port === undefined ? undefined : { host: '', port };
  }
  if (e.node.kind !== 'string') return wrongType(e, d, 'a port or "host:port"');
  const parts = splitHostPort(e.node.value);
  if (parts === undefined) {
    d.error(e.keyPos, `could not parse address string "${e.node.value}", expected host:port`);
    return undefined;
  }
  const [host, portText] = parts;
  const port = /^-?\d+$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= -1 && port <= 65535)) {
    d.error(e.keyPos, `could not parse port "${portText}" in "${e.node.value}"`);
    return undefined;
  }
  return { host, port };
}

function splitHostPort(address: string): [string, string] | undefined {
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0 || address[close + 1] !== ':') return undefined;
    return [address.slice(1, close), address.slice(close + 2)];
  }
  const colon = address.lastIndexOf(':');
  if (colon < 0 || address.indexOf(':') !== colon) return undefined;
  return [address.slice(0, colon), address.slice(colon + 1)];
}

/** A key nats-server does not know here: an error, unless it only held a `$variable`. */
export function unknownField(e: ConfigEntry, d: Diagnostics, block?: string): void {
  if (e.usedAsVariable) return;
  d.error(e.keyPos, `unknown field "${e.key}"${block === undefined ? '' : ` in ${block}`}`);
}

/** A key nats-server knows but this server does not implement yet. */
export function notSupported(e: ConfigEntry, d: Diagnostics, block?: string): void {
  if (e.usedAsVariable) return;
  d.warn(e.keyPos, `"${e.key}"${block === undefined ? '' : ` in ${block}`} is not supported yet, ignored`);
}

/** A key this server cannot honour without weakening security: refusing beats ignoring. */
export function refused(e: ConfigEntry, d: Diagnostics, why: string): void {
  d.error(e.keyPos, `"${e.key}" is not supported: ${why}`);
}

/**
 * The keys every listener block shares: `listen` (a port, or `host:port`; a port alone keeps
 * the host), `port`, and `host` or `net`. False for any other key.
 */
export function applyListenerKey(e: ConfigEntry, listener: { host: string; port: number }, d: Diagnostics): boolean {
  switch (e.key.toLowerCase()) {
    case 'listen': {
      const hp = readHostPort(e, d);
      if (hp !== undefined) {
        if (hp.host !== '') listener.host = hp.host;
        listener.port = hp.port;
      }
      return true;
    }
    case 'port':
      listener.port = readPort(e, d) ?? listener.port;
      return true;
    case 'host':
    case 'net':
      listener.host = readString(e, d) ?? listener.host;
      return true;
    default:
      return false;
  }
}
