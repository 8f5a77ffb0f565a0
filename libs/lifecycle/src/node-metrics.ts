import type { BusPeerStatus } from '@nats-ts/bus';
import type { MetricFamily, MetricType } from '@nats-ts/observability';

interface VarzMetric {
  field: string;
  name: string;
  type: MetricType;
  help: string;
}

// The /varz counts each role already keeps, under Prometheus names; a field that no role of this
// process reports (e.g. connections in a route-mesh process) is left out.
const VARZ_METRICS: readonly VarzMetric[] = [
  { field: 'in_msgs', name: 'nats_ts_in_messages_total', type: 'counter', help: 'Messages received from clients, routes, gateways and leaf nodes.' },
  { field: 'out_msgs', name: 'nats_ts_out_messages_total', type: 'counter', help: 'Messages sent to clients, routes, gateways and leaf nodes.' },
  { field: 'in_bytes', name: 'nats_ts_in_bytes_total', type: 'counter', help: 'Payload bytes received.' },
  { field: 'out_bytes', name: 'nats_ts_out_bytes_total', type: 'counter', help: 'Payload bytes sent.' },
  { field: 'connections', name: 'nats_ts_connections', type: 'gauge', help: 'Client connections open.' },
  { field: 'total_connections', name: 'nats_ts_connections_total', type: 'counter', help: 'Client connections accepted since start.' },
  { field: 'subscriptions', name: 'nats_ts_subscriptions', type: 'gauge', help: 'Subscriptions in the sublists of this process.' },
  { field: 'slow_consumers', name: 'nats_ts_slow_consumers_total', type: 'counter', help: 'Connections closed or messages dropped as slow consumers.' },
  { field: 'routes', name: 'nats_ts_routes', type: 'gauge', help: 'Route connections to other servers of the cluster.' },
  { field: 'leafnodes', name: 'nats_ts_leafnodes', type: 'gauge', help: 'Leaf node connections.' },
];

/** Prometheus metrics of one process, from its merged /varz document and its TCP bus peers (when it has a TCP bus). */
export function nodeMetrics(varz: unknown, busPeers: readonly BusPeerStatus[] | undefined): MetricFamily[] {
  const document = (varz !== null && typeof varz === 'object' ? varz : {}) as Record<string, unknown>;
  const families: MetricFamily[] = [];
  for (const metric of VARZ_METRICS) {
    const value = document[metric.field];
    if (typeof value === 'number') families.push({ name: metric.name, help: metric.help, type: metric.type, samples: [{ value }] });
  }
  if (busPeers !== undefined) families.push(...busMetrics(busPeers));
  return families;
}

function busMetrics(peers: readonly BusPeerStatus[]): MetricFamily[] {
  let inbound = 0;
  let outbound = 0;
  let linked = 0;
  const membersByRole = new Map<string, number>();
  for (const peer of peers) {
    if (peer.inbound) inbound++;
    if (peer.outbound) outbound++;
    if (!peer.linked) continue;
    linked++;
    for (const member of peer.members) membersByRole.set(member.role, (membersByRole.get(member.role) ?? 0) + 1);
  }
  return [
    { name: 'nats_ts_bus_peers', help: 'Bus peers (other processes of this node) known.', type: 'gauge', samples: [{ value: peers.length }] },
    { name: 'nats_ts_bus_peers_linked', help: 'Bus peers linked both ways whose members are visible here.', type: 'gauge', samples: [{ value: linked }] },
    {
      name: 'nats_ts_bus_links',
      help: 'Open bus links by direction (outbound: dialed by this process).',
      type: 'gauge',
      samples: [
        { labels: { direction: 'inbound' }, value: inbound },
        { labels: { direction: 'outbound' }, value: outbound },
      ],
    },
    {
      name: 'nats_ts_bus_remote_members',
      help: 'Role members reached over the bus, by role.',
      type: 'gauge',
      samples: [...membersByRole].sort(([a], [b]) => a.localeCompare(b)).map(([role, value]) => ({ labels: { role }, value })),
    },
  ];
}
