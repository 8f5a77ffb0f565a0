import { readTraceparentHeader, type TraceSpan, type Tracing } from '@nats-ts/observability';
import type { ClientSubscription } from './interest.js';

// Spans of the client role for traced messages. Reached only when tracing is on (the gateway
// tests `tracing.enabled` once per message); the header scan happens only then.

/**
 * The receive span of a message a client published, when the message is traced: it brings a
 * sampled `traceparent` header, or the sampling ratio starts a new trace for it.
 */
export function startReceiveSpan(
  tracing: Tracing,
  memberId: string,
  account: string,
  cid: number,
  subject: string,
  headerSize: number,
  data: Uint8Array,
  start: number,
  end: number,
): TraceSpan | undefined {
  const parent = headerSize > 0 ? readTraceparentHeader(data, start, start + headerSize) : undefined;
  if (parent === undefined && !tracing.startsNewTrace()) return undefined;
  return tracing.startSpan('receive', 'server', parent, {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.message.body.size': end - start - headerSize,
    'nats.account': account,
    'nats.client.id': cid,
    'nats_ts.role': 'client-gateway',
    'nats_ts.member_id': memberId,
  });
}

/** A delivery of a traced message to a local subscriber: a span under the message's current span. */
export function traceDelivery(tracing: Tracing, parent: string, memberId: string, cid: number, sub: ClientSubscription, subject: string): void {
  const attributes: Record<string, string | number> = {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'nats.client.id': cid,
    'nats.sid': sub.sid,
    'nats_ts.role': 'client-gateway',
    'nats_ts.member_id': memberId,
  };
  if (sub.queue !== undefined) attributes['nats.queue'] = sub.queue;
  tracing.startSpan('deliver', 'producer', parent, attributes)?.end();
}
