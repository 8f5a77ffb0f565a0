// Prometheus /metrics of role processes: two client-gateway replicas on the TCP bus are scraped
// over HTTP after traffic crosses between them, and the exposition is read back line by line.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';

const clients: NatsConnection[] = [];

afterAll(async () => {
  await Promise.all(clients.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await stopAllRoles();
});

interface Scrape {
  contentType: string | null;
  types: Map<string, string>;
  /** `name` or `name{labels}` → value. */
  samples: Map<string, number>;
}

async function scrape(server: RoleProcess): Promise<Scrape> {
  const response = await fetch(`${server.httpUrl}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.trimEnd().split('\n')) {
    const type = /^# TYPE (\S+) (counter|gauge)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!sample) throw new Error(`malformed exposition line: ${line}`);
    samples.set(sample[1]!, Number(sample[2]));
  }
  return { contentType: response.headers.get('content-type'), types, samples };
}

function gateway(busPort: number, members: number[]): Promise<RoleProcess> {
  const list = members.map((p) => `"127.0.0.1:${p}"`).join(', ');
  return startRole('client-gateway', `http: "127.0.0.1:-1"\nbus { listen: "127.0.0.1:${busPort}", members: [${list}], heartbeat: "200ms", member_timeout: "1s" }`);
}

describe('/metrics of role processes', () => {
  it('reports messages, bytes, connections, subscriptions, slow consumers and bus links', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await gateway(portA, [portA, portB]);
    const b = await gateway(portB, [portA, portB]);
    const pub = await connect({ servers: a.clientUrl });
    const sub = await connect({ servers: b.clientUrl });
    clients.push(pub, sub);
    let received = 0;
    let counted = 0;
    sub.subscribe('metrics.>', {
      callback: (_err, msg) => {
        received++;
        if (msg.subject === 'metrics.count') counted++;
      },
    });
    sub.subscribe('metrics.other');
    await sub.flush();
    // Until the subscription's interest has crossed the bus, then ten counted messages.
    const deadline = Date.now() + 10_000;
    while (received === 0) {
      if (Date.now() > deadline) throw new Error('no message crossed the bus');
      pub.publish('metrics.probe', 'x');
      await pub.flush();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (let i = 0; i < 10; i++) pub.publish('metrics.count', '0123456789');
    await pub.flush();
    while (counted < 10) await new Promise((resolve) => setTimeout(resolve, 20));

    const sa = await scrape(a);
    const sb = await scrape(b);
    expect(sa.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sb.types.get('nats_ts_out_messages_total')).toBe('counter');
    expect(sb.types.get('nats_ts_connections')).toBe('gauge');
    expect(sb.samples.get('nats_ts_out_messages_total')).toBe(received);
    expect(sb.samples.get('nats_ts_out_bytes_total')).toBeGreaterThanOrEqual(100);
    expect(sa.samples.get('nats_ts_in_messages_total')).toBeGreaterThanOrEqual(11);
    expect(sa.samples.get('nats_ts_in_bytes_total')).toBeGreaterThanOrEqual(100);
    expect(sb.samples.get('nats_ts_connections')).toBe(1);
    expect(sb.samples.get('nats_ts_connections_total')).toBe(1);
    expect(sb.samples.get('nats_ts_subscriptions')).toBe(2);
    expect(sb.samples.get('nats_ts_slow_consumers_total')).toBe(0);
    for (const s of [sa, sb]) {
      expect(s.samples.get('nats_ts_bus_peers')).toBe(1);
      expect(s.samples.get('nats_ts_bus_peers_linked')).toBe(1);
      expect(s.samples.get('nats_ts_bus_links{direction="inbound"}')).toBe(1);
      expect(s.samples.get('nats_ts_bus_links{direction="outbound"}')).toBe(1);
      expect(s.samples.get('nats_ts_bus_remote_members{role="client-gateway"}')).toBe(1);
    }
  });
});
