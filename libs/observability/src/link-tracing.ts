import { readTraceparentHeader, withTraceparentHeader } from './trace-header.js';
import type { TraceAttributes, TraceSpan, Tracing } from './tracing.js';

// Spans of the server-to-server roles (route, gateway, leaf) for traced messages, reached only
// when tracing is on. The trace crosses to the other server in the message's `traceparent`
// header, rewritten to name our send span.

/** Which role traces which kind of link: spans are named `<link> send` / `<link> receive`. */
export interface LinkTraceScope {
  /** The role, e.g. `route-mesh`. */
  readonly role: string;
  /** The link kind, e.g. `route`: also the attribute prefix `nats_ts.<link>.`. */
  readonly link: string;
}

/** The other server of a link, as the spans name it. */
export interface TracedLinkPeer {
  readonly remoteId: string;
  readonly remoteName: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

function linkAttributes(scope: LinkTraceScope, memberId: string, peer: TracedLinkPeer, account: string, subject: string): TraceAttributes {
  const prefix = `nats_ts.${scope.link}.`;
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'nats.account': account,
    'nats_ts.role': scope.role,
    'nats_ts.member_id': memberId,
    [`${prefix}remote_id`]: peer.remoteId,
    [`${prefix}remote_name`]: peer.remoteName,
    [`${prefix}remote_address`]: `${peer.remoteAddress}:${peer.remotePort}`,
  };
}

/** The send span of a message going out on a link under `traceparent`; undefined when that parent is not sampled. */
export function startLinkSendSpan(
  tracing: Tracing,
  scope: LinkTraceScope,
  memberId: string,
  peer: TracedLinkPeer,
  account: string,
  subject: string,
  traceparent: string,
): TraceSpan | undefined {
  return tracing.startSpan(`${scope.link} send`, 'producer', traceparent, linkAttributes(scope, memberId, peer, account, subject));
}

/**
 * The header block to send under `span`: a message with headers goes out with its traceparent
 * naming the span, so the other server continues the trace; one without headers goes unchanged
 * (we add no header block the publisher did not send).
 */
export function headerForSpan(span: TraceSpan | undefined, header: Uint8Array | undefined): Uint8Array | undefined {
  return span !== undefined && header !== undefined && header.length > 0 ? withTraceparentHeader(header, span.traceparent) : header;
}

/** The receive span of a message from a link whose header block (message[0, headerSize)) has a `traceparent`; undefined otherwise. */
export function startLinkReceiveSpan(
  tracing: Tracing,
  scope: LinkTraceScope,
  memberId: string,
  peer: TracedLinkPeer,
  account: string,
  subject: string,
  headerSize: number,
  message: Uint8Array,
): TraceSpan | undefined {
  const parent = headerSize > 0 ? readTraceparentHeader(message, 0, headerSize) : undefined;
  if (parent === undefined) return undefined;
  return tracing.startSpan(`${scope.link} receive`, 'consumer', parent, linkAttributes(scope, memberId, peer, account, subject));
}
