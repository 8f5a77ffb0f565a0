import { renderPrometheusText } from '@nats-ts/observability';
import { describe, expect, it } from 'vitest';
import { nodeMetrics } from './node-metrics.js';
import type { MemberInfo, Role } from '@nats-ts/bus';

describe('nodeMetrics', () => {
  it('maps the /varz counts a process reports, and only those', () => {
    const families = nodeMetrics({ server_id: 'N', in_msgs: 5, out_msgs: 7, in_bytes: 50, out_bytes: 70, connections: 2, subscriptions: 3, slow_consumers: 1, routes: 0, cluster: {} }, undefined);
    expect(Object.fromEntries(families.map((f) => [f.name, [f.type, f.samples[0]!.value]]))).toEqual({
      nats_ts_in_messages_total: ['counter', 5],
      nats_ts_out_messages_total: ['counter', 7],
      nats_ts_in_bytes_total: ['counter', 50],
      nats_ts_out_bytes_total: ['counter', 70],
      nats_ts_connections: ['gauge', 2],
      nats_ts_subscriptions: ['gauge', 3],
      nats_ts_slow_consumers_total: ['counter', 1],
      nats_ts_routes: ['gauge', 0],
    });
  });

  it('counts bus peers, links by direction and the remote members of linked peers by role', () => {
    const member = (role: Role): MemberInfo => ({ memberId: `${role}-id`, nodeId: 'N', role, version: '1' });
    const text = renderPrometheusText(
      nodeMetrics({}, [
        { peerId: 'p1', url: 'h:1', inbound: true, outbound: true, linked: true, members: [member('client-gateway'), member('route-mesh')] },
        { peerId: 'p2', url: 'h:2', inbound: true, outbound: true, linked: true, members: [member('client-gateway')] },
        { peerId: 'p3', url: 'h:3', inbound: false, outbound: true, linked: false, members: [member('leaf-proxy')] },
      ]),
    );
    expect(text).toContain('nats_ts_bus_peers 3\n');
    expect(text).toContain('nats_ts_bus_peers_linked 2\n');
    expect(text).toContain('nats_ts_bus_links{direction="inbound"} 2\nnats_ts_bus_links{direction="outbound"} 3\n');
    expect(text).toContain('nats_ts_bus_remote_members{role="client-gateway"} 2\nnats_ts_bus_remote_members{role="route-mesh"} 1\n');
    expect(text).not.toContain('leaf-proxy');
  });
});
