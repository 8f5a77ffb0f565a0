// W3C Trace Context `traceparent` (version 00): "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>".

export interface TraceparentFields {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

export const TRACEPARENT_LENGTH = 55;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** The fields of a traceparent value; undefined when it is malformed or invalid (all-zero ids, version ff). */
export function parseTraceparent(value: string): TraceparentFields | undefined {
  const m = TRACEPARENT.exec(value.trim());
  if (m === null || m[1] === 'ff') return undefined;
  if (m[2] === ZERO_TRACE_ID || m[3] === ZERO_SPAN_ID) return undefined;
  return { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) };
}

export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}
