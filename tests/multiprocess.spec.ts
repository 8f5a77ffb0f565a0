// Several client-gateway processes and a real redis-server behaving as one NATS node, checked
// with the official client: pub/sub, queue groups and request/reply across replicas, INFO
// connect_urls, a replica joining later through Redis, a replica killed -9, a Redis restart.
import { connect, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, stopAllRedis, type RunningRedis } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';

let redis: RunningRedis;
let gw1: RoleProcess;
let gw2: RoleProcess;
const clients: NatsConnection[] = [];

function busConfig(): string {
  return `bus { redis: "${redis.url}", heartbeat: "200ms", member_timeout: "1s", redis_ttl: "2s" }`;
}

function startGateway(): Promise<RoleProcess> {
  return startRole('client-gateway', busConfig());
}

async function client(server: RoleProcess, name: string): Promise<NatsConnection> {
  const nc = await connect({ servers: server.clientUrl, name, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  clients.push(nc);
  return nc;
}

/** host:port of a replica, as INFO connect_urls lists it. */
function hostPort(server: RoleProcess): string {
  return new URL(server.clientUrl).host;
}

/** Interest crosses the bus asynchronously (as between routed servers): give it a moment. */
function settle(ms = 200): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** Publishes a numbered message from `from` every 10 ms until stopped; `received` counts what arrives. */
function steadyStream(from: NatsConnection, to: NatsConnection, subject: string): { stop(): Promise<{ sent: number; received: number[] }> } {
  const received: number[] = [];
  to.subscribe(subject, {
    callback: (_err, msg) => {
      received.push(Number(msg.string()));
    },
  });
  let sent = 0;
  const timer = setInterval(() => from.publish(subject, String(sent++)), 10);
  return {
    async stop() {
      clearInterval(timer);
      await from.flush();
      await until(() => received.length >= sent, `${subject}: ${sent} messages (got ${received.length})`, 3_000).catch(() => undefined);
      return { sent, received };
    },
  };
}

/** Status events other than the informational ones (pings, cluster updates). */
function watchDisruptions(nc: NatsConnection): string[] {
  const events: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'disconnect' || s.type === 'reconnecting' || s.type === 'reconnect') events.push(s.type);
  })();
  return events;
}

beforeAll(async () => {
  redis = await startRedis();
  gw1 = await startGateway();
  gw2 = await startGateway();
  await gw1.waitForOutput(/Bus peer \S+ at \S+ linked/);
  await gw2.waitForOutput(/Bus peer \S+ at \S+ linked/);
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await stopAllRoles();
  await stopAllRedis();
});

describe('client-gateway replicas on the TCP bus, found through Redis', () => {
  it('lists the replicas in INFO connect_urls', async () => {
    const c1 = await client(gw1, 'info-1');
    const c2 = await client(gw2, 'info-2');
    expect(c1.info?.connect_urls).toEqual([hostPort(gw1), hostPort(gw2)]);
    expect(c2.info?.connect_urls).toEqual([hostPort(gw2), hostPort(gw1)]);
  });

  it('delivers across replicas both ways, with headers and reply subjects', async () => {
    const c1 = await client(gw1, 'pub-1');
    const c2 = await client(gw2, 'pub-2');
    const at2 = collect(c2, 'across.>');
    const at1 = collect(c1, 'back');
    await settle();
    const h = headers();
    h.set('X-Test', 'yes');
    c1.publish('across.one', 'to two', { headers: h, reply: 'reply.here' });
    c2.publish('back', 'to one');
    await until(() => at2.length === 1 && at1.length === 1, 'both messages');
    expect(at2[0]!.string()).toBe('to two');
    expect(at2[0]!.headers?.get('X-Test')).toBe('yes');
    expect(at2[0]!.reply).toBe('reply.here');
    expect(at1[0]!.string()).toBe('to one');
  });

  it('delivers each queue group message exactly once across replicas', async () => {
    const c1 = await client(gw1, 'queue-1');
    const c2 = await client(gw2, 'queue-2');
    const members = [collect(c1, 'jobs', 'workers'), collect(c1, 'jobs', 'workers'), collect(c2, 'jobs', 'workers'), collect(c2, 'jobs', 'workers')];
    const remoteOnly = [collect(c2, 'remote.jobs', 'far'), collect(c2, 'remote.jobs', 'far')];
    const plain = collect(c2, 'jobs');
    await settle();
    for (let i = 0; i < 500; i++) {
      c1.publish('jobs', `a${i}`);
      c2.publish('jobs', `b${i}`);
      c1.publish('remote.jobs', `r${i}`);
    }
    const total = (groups: Msg[][]) => groups.reduce((n, g) => n + g.length, 0);
    await until(() => total(members) === 1000 && total(remoteOnly) === 500 && plain.length === 1000, 'queue deliveries');
    await settle();
    const payloads = members.flat().map((m) => m.string());
    expect(new Set(payloads).size).toBe(1000);
    expect(total(members)).toBe(1000);
    expect(new Set(remoteOnly.flat().map((m) => m.string())).size).toBe(500);
    expect(total(remoteOnly)).toBe(500);
  });

  it('answers requests across replicas, and says no responders when nobody listens anywhere', async () => {
    const c1 = await client(gw1, 'req-1');
    const c2 = await client(gw2, 'req-2');
    c2.subscribe('service.echo', {
      callback: (_err, msg) => {
        msg.respond(`echo ${msg.string()}`);
      },
    });
    await settle();
    for (let i = 0; i < 20; i++) {
      const reply = await c1.request('service.echo', String(i), { timeout: 2_000 });
      expect(reply.string()).toBe(`echo ${i}`);
    }
    await expect(c1.request('service.nobody', 'x', { timeout: 2_000 })).rejects.toThrow(/no responders|503/i);
  });

  it('finds a replica started later through Redis; clients hear of it in an async INFO', async () => {
    const c1 = await client(gw1, 'late-1');
    const gw3 = await startGateway();
    const c3 = await client(gw3, 'late-3');
    const at3 = collect(c3, 'late.news');
    await settle();
    c1.publish('late.news', 'hello three');
    await until(() => at3.length === 1, 'the late replica to receive');
    await until(() => (c1.info?.connect_urls ?? []).includes(hostPort(gw3)), 'connect_urls to list the new replica');
    expect(c3.info?.connect_urls).toEqual(expect.arrayContaining([hostPort(gw1), hostPort(gw2), hostPort(gw3)]));
    await gw3.stop();
    await until(() => !(c1.info?.connect_urls ?? []).includes(hostPort(gw3)), 'connect_urls to drop the stopped replica');
  });

  it('moves the clients of a replica killed -9 to another, and nobody else notices', async () => {
    const victim = await startGateway();
    const moving = await client(victim, 'moving');
    await until(() => (moving.info?.connect_urls ?? []).length >= 3, 'the victim to know the other replicas');
    const received = collect(moving, 'failover');
    const movingEvents = watchDisruptions(moving);
    const p = await client(gw1, 'steady-pub');
    const s = await client(gw2, 'steady-sub');
    const pEvents = watchDisruptions(p);
    const sEvents = watchDisruptions(s);
    const stream = steadyStream(p, s, 'steady.kill');
    await settle(300);

    await victim.kill();
    await until(() => movingEvents.includes('reconnect'), 'the victim\'s client to reconnect');
    expect(moving.getServer()).not.toBe(hostPort(victim));
    // The moved client resubscribes on its new replica; publish until its interest arrives.
    await until(
      () => {
        p.publish('failover', 'after');
        return received.length > 0;
      },
      'the moved client to receive again',
      15_000,
    );
    const { sent, received: streamed } = await stream.stop();
    expect(streamed.length).toBe(sent);
    expect(streamed).toEqual([...streamed].sort((a, b) => a - b));
    expect([...pEvents, ...sEvents]).toEqual([]);
  });

  it('keeps traffic between existing members flowing while Redis stops and restarts', async () => {
    const p = await client(gw1, 'redis-pub');
    const s = await client(gw2, 'redis-sub');
    const stream = steadyStream(p, s, 'steady.redis');
    await settle(300);
    await redis.stop();
    await gw1.waitForOutput(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/, 5_000);
    await settle(1_500);
    await redis.start();
    await gw1.waitForOutput(/Redis at redis:\/\/127\.0\.0\.1:\d+ is reachable again/, 10_000);
    const { sent, received } = await stream.stop();
    expect(sent).toBeGreaterThan(100);
    expect(received.length).toBe(sent);
  });
});
