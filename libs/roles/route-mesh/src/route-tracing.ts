import { readTraceparentHeader, withTraceparentHeader, type TraceSpan, type Tracing } from '@nats-ts/observability';
import type { RouteConnection } from './route-connection.js';

// Spans of the route role for traced messages, reached only when tracing is on. The trace
// crosses to the peer server in the message's `traceparent` header, rewritten to name our span.

function routeAttributes(conn: RouteConnection, account: string, subject: string, memberId: string): Record<string, string> {
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'nats.account': account,
    'nats_ts.role': 'route-mesh',
    'nats_ts.member_id': memberId,
    'nats_ts.route.remote_id': conn.remoteId,
    'nats_ts.route.remote_name': conn.remoteName,
    'nats_ts.route.remote_address': `${conn.remoteAddress}:${conn.remotePort}`,
  };
}

/**
 * Routes a traced message out to one peer under a send span. A message with headers goes out
 * with its traceparent naming the span, so the peer server continues the trace; one without
 * headers goes unchanged (we add no header block the publisher did not send).
 */
export function sendTracedToRoute(
  tracing: Tracing,
  traceparent: string,
  memberId: string,
  conn: RouteConnection,
  account: string,
  subject: string,
  reply: string | undefined,
  queues: readonly string[],
  header: Uint8Array | undefined,
  payload: Uint8Array,
): void {
  const span = tracing.startSpan('route send', 'producer', traceparent, routeAttributes(conn, account, subject, memberId));
  const carried = span !== undefined && header !== undefined && header.length > 0 ? withTraceparentHeader(header, span.traceparent) : header;
  conn.sendMsg(account, subject, reply, queues, carried, payload);
  span?.end();
}

/** The receive span of a message from a peer that brings a `traceparent` header; undefined when it brings none. */
export function startRouteReceiveSpan(
  tracing: Tracing,
  memberId: string,
  conn: RouteConnection,
  account: string,
  subject: string,
  headerSize: number,
  message: Buffer,
): TraceSpan | undefined {
  const parent = headerSize > 0 ? readTraceparentHeader(message, 0, headerSize) : undefined;
  if (parent === undefined) return undefined;
  return tracing.startSpan('route receive', 'consumer', parent, routeAttributes(conn, account, subject, memberId));
}
