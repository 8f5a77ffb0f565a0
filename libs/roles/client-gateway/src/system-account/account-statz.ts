import type { ClientConnection } from '../client-connection.js';

/** What an account's closed connections did on this server, kept so its totals survive them. */
export interface AccountTraffic {
  inMsgs: number;
  inBytes: number;
  outMsgs: number;
  outBytes: number;
  slowConsumers: number;
}

export function addClosedTraffic(totals: Map<string, AccountTraffic>, conn: ClientConnection): void {
  const name = conn.account?.name;
  if (name === undefined) return;
  let t = totals.get(name);
  if (t === undefined) {
    t = { inMsgs: 0, inBytes: 0, outMsgs: 0, outBytes: 0, slowConsumers: 0 };
    totals.set(name, t);
  }
  t.inMsgs += conn.inMsgs;
  t.inBytes += conn.inBytes;
  t.outMsgs += conn.outMsgs;
  t.outBytes += conn.outBytes;
  if (conn.closeReason?.startsWith('Slow Consumer') === true) t.slowConsumers++;
}

/**
 * nats-server's AccountStat for one account on this server: its client connections, its leaf
 * connections (counted by the caller from /leafz), and what its clients sent and were sent.
 */
export function accountStat(name: string, connections: Iterable<ClientConnection>, closed: AccountTraffic | undefined, leafnodes: number): Record<string, unknown> {
  let conns = 0;
  const t = { inMsgs: closed?.inMsgs ?? 0, inBytes: closed?.inBytes ?? 0, outMsgs: closed?.outMsgs ?? 0, outBytes: closed?.outBytes ?? 0 };
  for (const conn of connections) {
    if (conn.account?.name !== name || conn.isClosed) continue;
    conns++;
    t.inMsgs += conn.inMsgs;
    t.inBytes += conn.inBytes;
    t.outMsgs += conn.outMsgs;
    t.outBytes += conn.outBytes;
  }
  return {
    acc: name,
    conns,
    leafnodes,
    total_conns: conns + leafnodes,
    sent: { msgs: t.outMsgs, bytes: t.outBytes },
    received: { msgs: t.inMsgs, bytes: t.inBytes },
    slow_consumers: closed?.slowConsumers ?? 0,
  };
}
