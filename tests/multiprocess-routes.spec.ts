// One nats-ts node made of separate processes (two client-gateway replicas and a route-mesh, found
// through Redis) routed to a reference nats-server: the route role carries the whole node's
// interest, and messages, queue groups and requests cross both the bus and the route.
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, stopAllRedis, type RunningRedis } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

let redis: RunningRedis;
let gw1: RoleProcess;
let gw2: RoleProcess;
let mesh: RoleProcess;
let reference: RunningServer;
const clients: NatsConnection[] = [];

async function client(url: string, name: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, name });
  clients.push(nc);
  return nc;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function collect(nc: NatsConnection, subject: string, queue?: string): Msg[] {
  const received: Msg[] = [];
  nc.subscribe(subject, {
    queue,
    callback: (_err, msg) => {
      received.push(msg);
    },
  });
  return received;
}

/** Publishes probes until `received` has one: interest crosses the bus and the route asynchronously. */
async function publishUntilReceived(from: NatsConnection, subject: string, received: Msg[]): Promise<void> {
  await until(
    () => {
      if (received.length === 0) from.publish(subject, 'probe');
      return received.length > 0;
    },
    `interest in ${subject} to cross`,
  );
}

beforeAll(async () => {
  redis = await startRedis();
  const bus = `bus { redis: "${redis.url}", heartbeat: "200ms", member_timeout: "1s" }`;
  gw1 = await startRole('client-gateway', bus);
  gw2 = await startRole('client-gateway', bus);
  mesh = await startRole('route-mesh', `${bus}\ncluster { name: TEST, listen: "127.0.0.1:-1" }`);
  reference = await startServer('nats-server', `cluster { name: TEST, listen: "127.0.0.1:-1", routes: ["${mesh.clusterUrl}"] }`);
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await stopAllServers();
  await stopAllRoles();
  await stopAllRedis();
});

describe('a nats-ts node of separate processes, routed to nats-server', () => {
  it('carries messages between the route and both replicas, each way', async () => {
    const ns = await client(reference.clientUrl, 'ns');
    const c1 = await client(gw1.clientUrl, 'gw1');
    const c2 = await client(gw2.clientUrl, 'gw2');
    const atNs = collect(ns, 'to.ns');
    const at1 = collect(c1, 'to.gw');
    const at2 = collect(c2, 'to.gw');
    await publishUntilReceived(c1, 'to.ns', atNs);
    await publishUntilReceived(ns, 'to.gw', at1);
    await publishUntilReceived(ns, 'to.gw', at2);
    atNs.length = 0;
    at1.length = 0;
    at2.length = 0;
    c1.publish('to.ns', 'from gw1');
    c2.publish('to.ns', 'from gw2');
    ns.publish('to.gw', 'from nats-server');
    await until(() => atNs.length === 2 && at1.length === 1 && at2.length === 1, 'deliveries');
    expect(atNs.map((m) => m.string()).sort()).toEqual(['from gw1', 'from gw2']);
    expect(at1[0]!.string()).toBe('from nats-server');
    expect(at2[0]!.string()).toBe('from nats-server');
  });

  it('delivers each queue group message once across nats-server and both replicas', async () => {
    const ns = await client(reference.clientUrl, 'q-ns');
    const c1 = await client(gw1.clientUrl, 'q-gw1');
    const c2 = await client(gw2.clientUrl, 'q-gw2');
    const groups = [collect(ns, 'q.work', 'w'), collect(c1, 'q.work', 'w'), collect(c2, 'q.work', 'w')];
    // Only the replicas' members, published from nats-server: the route delivers to one of them.
    const probe = collect(c2, 'q.probe');
    await publishUntilReceived(ns, 'q.probe', probe);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 300; i++) {
      ns.publish('q.work', `ns${i}`);
      c1.publish('q.work', `a${i}`);
      c2.publish('q.work', `b${i}`);
    }
    const total = () => groups.reduce((n, g) => n + g.length, 0);
    await until(() => total() >= 900, 'queue deliveries');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(total()).toBe(900);
    expect(new Set(groups.flat().map((m) => m.string())).size).toBe(900);
  });

  it('answers requests across the route and the bus', async () => {
    const ns = await client(reference.clientUrl, 'r-ns');
    const c1 = await client(gw1.clientUrl, 'r-gw1');
    const c2 = await client(gw2.clientUrl, 'r-gw2');
    ns.subscribe('svc.ns', {
      callback: (_err, msg) => {
        msg.respond('from nats-server');
      },
    });
    c1.subscribe('svc.gw1', {
      callback: (_err, msg) => {
        msg.respond('from gw1');
      },
    });
    const ask = async (nc: NatsConnection, subject: string): Promise<string> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          return (await nc.request(subject, 'q', { timeout: 1_000 })).string();
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    expect(await ask(c2, 'svc.ns')).toBe('from nats-server');
    expect(await ask(ns, 'svc.gw1')).toBe('from gw1');
  });

  it('lists the replicas and the routed server in INFO connect_urls', async () => {
    const c1 = await client(gw1.clientUrl, 'urls');
    const expected = [gw1.clientUrl, gw2.clientUrl, reference.clientUrl].map((u) => new URL(u).host);
    await until(() => expected.every((u) => (c1.info?.connect_urls ?? []).includes(u)), `connect_urls to list ${expected.join(', ')}`);
  });
});
