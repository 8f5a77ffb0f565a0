import { randomBytes } from 'node:crypto';
import { formatGoTime } from '@nats-ts/observability';
import type { RouterOrigin } from './router-entry.js';

/** A service export's `latency`: the percent of requests measured and where the metric goes. */
export interface ServiceLatencySpec {
  readonly sampling: number;
  readonly subject: string;
}

/** One sampled request, waiting for its first response. */
export interface LatencyMeasurement {
  readonly latency: ServiceLatencySpec;
  /** The requester, and whether the import shares its details (`share`) or only its account and round trip. */
  readonly requestor: RouterOrigin;
  readonly share: boolean;
  /** When the request came in: wall clock (ms) and monotonic (ns). */
  readonly startMs: number;
  readonly startNs: bigint;
}

const SERVICE_LATENCY_TYPE = 'io.nats.server.metric.v1.service_latency';
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Whether to measure a request: nats-server's shouldSample draws 0..99 and takes those up to the percent. */
export function sampled(latency: ServiceLatencySpec): boolean {
  return latency.sampling >= 100 || Math.floor(Math.random() * 100) <= latency.sampling;
}

/**
 * nats-server 2.9's ServiceLatency for a request answered by `responder` on this server
 * (server/accounts.go sendTrackingLatency): the service time less the responder's round trip,
 * the total with the requester's; undefined when the responder is not a client here (nats-server
 * then merges a measurement of the responder's server, which nats-ts does not make).
 */
export function latencyMetric(m: LatencyMeasurement, responder: RouterOrigin): Record<string, unknown> | undefined {
  const responderInfo = responder.clientInfo?.(true);
  const requestorInfo = m.requestor.clientInfo?.(m.share);
  if (responderInfo === undefined || requestorInfo === undefined) return undefined;
  const serviceRtt = Number(process.hrtime.bigint() - m.startNs);
  const requestRtt = typeof requestorInfo.rtt === 'number' ? requestorInfo.rtt : 0;
  const responderRtt = typeof responderInfo.rtt === 'number' ? responderInfo.rtt : 0;
  // As nats-server: the system time counts only with a responder's round trip known.
  const system = responderRtt > 0 ? Number(process.hrtime.bigint() - m.startNs) - serviceRtt : 0;
  return {
    type: SERVICE_LATENCY_TYPE,
    id: eventId(),
    timestamp: formatGoTime(Date.now()),
    status: 200,
    requestor: requestorInfo,
    responder: responderInfo,
    start: formatGoTime(m.startMs - requestRtt / 1e6),
    service: Math.max(0, serviceRtt - responderRtt),
    system: Math.max(0, system),
    total: requestRtt + serviceRtt + Math.max(0, system),
  };
}

/** A 22-character base-62 event id, shaped like the NUIDs nats-server gives its events. */
function eventId(): string {
  let id = '';
  for (const b of randomBytes(22)) id += ID_ALPHABET[b % 62];
  return id;
}
