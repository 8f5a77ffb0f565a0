import type { TraceSpan, Tracing } from '@nats-ts/observability';
import type { BusMessage, MemberInfo } from './types.js';

// Spans of a traced message's hop between bus processes: a producer span where it leaves, a
// consumer span where it arrives (covering the receiving members' handling), linked by the
// traceparent the message frame carries.

function hopAttributes(msg: BusMessage, from: MemberInfo, to: MemberInfo | string, peerUrl: string, peerId: string): Record<string, string> {
  const attributes: Record<string, string> = {
    'messaging.system': 'nats',
    'messaging.destination.name': msg.subject,
    'nats.account': msg.account,
    'nats_ts.bus.transport': 'tcp',
    'nats_ts.bus.peer': peerUrl,
    'nats_ts.bus.peer_id': peerId,
    'nats_ts.bus.from_member': from.memberId,
    'nats_ts.bus.from_role': from.role,
  };
  if (typeof to === 'string') attributes['nats_ts.bus.to_member'] = to;
  else {
    attributes['nats_ts.bus.to_member'] = to.memberId;
    attributes['nats_ts.bus.to_role'] = to.role;
  }
  return attributes;
}

/** The message to put on the link: a copy carrying the send span's context when the message is sampled. */
export function traceBusSend(tracing: Tracing, msg: BusMessage, from: MemberInfo, to: MemberInfo, peerUrl: string, peerId: string): BusMessage {
  const span = tracing.startSpan('bus send', 'producer', msg.traceparent, hopAttributes(msg, from, to, peerUrl, peerId));
  if (span === undefined) return msg;
  span.end();
  return { ...msg, traceparent: span.traceparent };
}

/** Starts the receive span of a message that arrived with trace context and hands its context on to the receiving members. */
export function traceBusReceive(tracing: Tracing, msg: BusMessage, from: MemberInfo, to: string, peerUrl: string, peerId: string): TraceSpan | undefined {
  const span = tracing.startSpan('bus receive', 'consumer', msg.traceparent, hopAttributes(msg, from, to, peerUrl, peerId));
  if (span !== undefined) msg.traceparent = span.traceparent;
  return span;
}
