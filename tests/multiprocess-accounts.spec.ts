// Accounts that share, in a nats-ts node of separate processes (two client-gateway replicas and a
// route-mesh, found through Redis) routed to a reference nats-server: an imported service or
// stream crosses the bus and the route as on one server.
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, stopAllRedis, type RunningRedis } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

const ACCOUNTS = `
accounts {
  A: {
    users: [ { user: a, password: a } ]
    exports: [ { service: "help.>" }, { stream: "news.>" } ]
  }
  B: {
    users: [ { user: b, password: b } ]
    imports: [
      { service: { account: A, subject: "help.>" }, to: "a.help.>" }
      { stream: { account: A, subject: "news.>" }, prefix: "a" }
    ]
  }
}
`;

let redis: RunningRedis;
let gw1: RoleProcess;
let gw2: RoleProcess;
let reference: RunningServer;
const clients: NatsConnection[] = [];

async function as(url: string, user: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, user, pass: user });
  clients.push(nc);
  return nc;
}

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function collect(nc: NatsConnection, subject: string): Msg[] {
  const received: Msg[] = [];
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      received.push(msg);
    },
  });
  return received;
}

function respond(nc: NatsConnection, subject: string, who: string): void {
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      msg.respond(`${who}: ${msg.subject}`);
    },
  });
}

/** Requests until one is answered (interest crosses the bus and the route asynchronously). */
async function requestUntilAnswered(nc: NatsConnection, subject: string): Promise<string> {
  let answer = '';
  await until(async () => {
    try {
      answer = (await nc.request(subject, '', { timeout: 500 })).string();
      return true;
    } catch {
      return false;
    }
  }, `an answer on ${subject}`);
  return answer;
}

/** Publishes on `subject` until `received` has a message, then publishes `count` more and checks each arrived once. */
async function publishAndCount(from: NatsConnection, subject: string, received: Msg[], count: number): Promise<void> {
  await until(() => {
    if (received.length === 0) from.publish(subject, 'probe');
    return received.length > 0;
  }, `${subject} to cross`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  received.length = 0;
  for (let i = 0; i < count; i++) from.publish(subject, String(i));
  await from.flush();
  await until(() => received.length >= count, `${count} messages on ${subject}`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(received.map((m) => m.string())).toEqual(Array.from({ length: count }, (_, i) => String(i)));
}

beforeAll(async () => {
  redis = await startRedis();
  const bus = `bus { redis: "${redis.url}", heartbeat: "200ms", member_timeout: "1s" }\n${ACCOUNTS}`;
  gw1 = await startRole('client-gateway', bus);
  gw2 = await startRole('client-gateway', bus);
  const mesh = await startRole('route-mesh', `${bus}\ncluster { name: TEST, listen: "127.0.0.1:-1" }`);
  reference = await startServer('nats-server', `${ACCOUNTS}\ncluster { name: TEST, listen: "127.0.0.1:-1", routes: ["${mesh.clusterUrl}"] }`);
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await stopAllServers();
  await stopAllRoles();
  await stopAllRedis();
});

describe('accounts in a nats-ts node of separate processes, routed to nats-server', () => {
  it("answers a request into the imported service with the exporter's responder in another process, and on nats-server", async () => {
    respond(await as(gw2.clientUrl, 'a'), 'help.gw2.>', 'gw2');
    respond(await as(reference.clientUrl, 'a'), 'help.ns.>', 'ns');
    const requester = await as(gw1.clientUrl, 'b');
    expect(await requestUntilAnswered(requester, 'a.help.gw2.x')).toBe('gw2: help.gw2.x');
    expect(await requestUntilAnswered(requester, 'a.help.ns.x')).toBe('ns: help.ns.x');
    const fromNs = await as(reference.clientUrl, 'b');
    expect(await requestUntilAnswered(fromNs, 'a.help.gw2.y')).toBe('gw2: help.gw2.y');
  });

  it("delivers the exporter's stream once to the importer in another process, and from nats-server", async () => {
    const atGw2 = collect(await as(gw2.clientUrl, 'b'), 'a.news.>');
    await publishAndCount(await as(gw1.clientUrl, 'a'), 'news.gw1', atGw2, 10);
    await publishAndCount(await as(reference.clientUrl, 'a'), 'news.ns', atGw2, 10);
    const atNs = collect(await as(reference.clientUrl, 'b'), 'a.news.>');
    await publishAndCount(await as(gw1.clientUrl, 'a'), 'news.gw1', atNs, 10);
  });
});
