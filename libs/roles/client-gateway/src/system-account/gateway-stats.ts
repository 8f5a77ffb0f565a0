/** What a /gatewayz document says of one connection (the fields STATSZ's gateways need). */
interface GatewayConnection {
  cid?: number;
  in_msgs?: number;
  out_msgs?: number;
  in_bytes?: number;
  out_bytes?: number;
}

interface Gatewayz {
  outbound_gateways?: Record<string, { connection?: GatewayConnection }>;
  inbound_gateways?: Record<string, { connection?: GatewayConnection }[]>;
}

/**
 * STATSZ's `gateways` (nats-server's GatewayStat) from a /gatewayz document: per outbound
 * gateway what was sent on it, and what its cluster's inbound connections received.
 */
export function gatewayStats(gatewayz: unknown): Record<string, unknown>[] {
  const doc = (gatewayz ?? {}) as Gatewayz;
  return Object.entries(doc.outbound_gateways ?? {}).map(([name, outbound]) => {
    const inbound = doc.inbound_gateways?.[name] ?? [];
    const received = { msgs: 0, bytes: 0 };
    for (const c of inbound) {
      received.msgs += c.connection?.in_msgs ?? 0;
      received.bytes += c.connection?.in_bytes ?? 0;
    }
    return {
      gwid: outbound.connection?.cid ?? 0,
      name,
      sent: { msgs: outbound.connection?.out_msgs ?? 0, bytes: outbound.connection?.out_bytes ?? 0 },
      received,
      inbound_connections: inbound.length,
    };
  });
}
