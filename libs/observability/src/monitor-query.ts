import { MonitoringRequestError } from './monitoring-reply.js';

// Query parameter decoding with nats-server's rules and error texts (Go's strconv), so a bad
// parameter answers 400 with the same message.

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const SIGNED_DECIMAL = /^[+-]?[0-9]+$/;
const UNSIGNED_DECIMAL = /^[0-9]+$/;

function syntaxError(kind: string, param: string, goFunction: string, text: string): MonitoringRequestError {
  return new MonitoringRequestError(`Error decoding ${kind} for '${param}': strconv.${goFunction}: parsing ${JSON.stringify(text)}: invalid syntax`);
}

function rangeError(kind: string, param: string, goFunction: string, text: string): MonitoringRequestError {
  return new MonitoringRequestError(`Error decoding ${kind} for '${param}': strconv.${goFunction}: parsing ${JSON.stringify(text)}: value out of range`);
}

/** A boolean parameter (Go's ParseBool spellings); false when absent or empty. */
export function queryBool(query: Record<string, string>, param: string): boolean {
  const text = query[param];
  if (text === undefined || text === '') return false;
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  throw syntaxError('boolean', param, 'ParseBool', text);
}

/** An integer parameter; 0 when absent or empty. Values beyond ±2^53 are out of range. */
export function queryInt(query: Record<string, string>, param: string): number {
  const text = query[param];
  if (text === undefined || text === '') return 0;
  if (!SIGNED_DECIMAL.test(text)) throw syntaxError('int', param, 'Atoi', text);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw rangeError('int', param, 'Atoi', text);
  return value;
}

/** An unsigned integer parameter (e.g. `cid`); 0 when absent or empty. Values beyond 2^53 are out of range. */
export function queryUint(query: Record<string, string>, param: string): number {
  const text = query[param];
  if (text === undefined || text === '') return 0;
  if (!UNSIGNED_DECIMAL.test(text)) throw syntaxError('uint64', param, 'ParseUint', text);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw rangeError('uint64', param, 'ParseUint', text);
  return value;
}

/** The `subs` parameter of /connz and /routez: "detail" (any case) or a boolean. */
export function querySubscriptions(query: Record<string, string>): 'none' | 'list' | 'detail' {
  if (query.subs?.toLowerCase() === 'detail') return 'detail';
  return queryBool(query, 'subs') ? 'list' : 'none';
}
