import type { ClosedState } from '@nats-ts/server-link';
import type { ClientConnection } from './client-connection.js';
import type { ClientSubscription } from './interest.js';

/**
 * What /connz reports of one client connection: read from a live connection per request, and
 * kept for a closed one. The closed ring holds these, not the connections themselves, whose
 * socket, parser and buffers would otherwise stay alive for the ring's 10,000 entries.
 */
export interface ConnectionSummary {
  readonly cid: number;
  readonly websocket: boolean;
  readonly ip: string;
  readonly port: number;
  readonly start: number;
  readonly lastActivity: number;
  /** Set once closed. */
  readonly stopTime: number | undefined;
  readonly closeReason: ClosedState | undefined;
  readonly rttMs: number;
  readonly pendingBytes: number;
  readonly inMsgs: number;
  readonly outMsgs: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly subs: readonly ClientSubscription[];
  readonly name: string | undefined;
  readonly lang: string | undefined;
  readonly version: string | undefined;
  readonly tls: { readonly version: string; readonly cipher: string } | undefined;
  readonly authorizedUser: string | undefined;
  readonly account: string | undefined;
}

export function summarizeConnection(c: ClientConnection): ConnectionSummary {
  return {
    cid: c.cid,
    websocket: c.transport.kind === 'websocket',
    ip: c.transport.remoteAddress,
    port: c.transport.remotePort,
    start: c.start,
    lastActivity: c.lastActivity,
    stopTime: c.isClosed ? c.stopTime : undefined,
    closeReason: c.closeReason,
    rttMs: c.rttMs,
    pendingBytes: c.isClosed ? 0 : c.out.length + c.transport.pendingBytes(),
    inMsgs: c.inMsgs,
    outMsgs: c.outMsgs,
    inBytes: c.inBytes,
    outBytes: c.outBytes,
    subs: [...c.subs.values()],
    name: c.opts.name || undefined,
    lang: c.opts.lang || undefined,
    version: c.opts.version || undefined,
    tls: c.transport.tlsDetails(),
    authorizedUser: c.auth?.user || undefined,
    account: c.account?.name,
  };
}
