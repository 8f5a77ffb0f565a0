// Helpers for the cluster suites: start servers joined by routes, wait for the mesh and for
// interest to cross it, and collect what subscribers receive.
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { expect } from 'vitest';
import { startServer, type RunningServer, type Target } from './support/servers.js';

export const CLUSTER_NAME = 'TEST';

export interface ClusterMemberOptions {
  /** Cluster URLs of the servers to route to (nats-route://127.0.0.1:port). */
  routes?: string[];
  /** Fixed cluster port (to restart a server where its peers look for it); a free one by default. */
  clusterPort?: number;
  /** Fixed client port. */
  clientPort?: number;
  /** Extra lines inside the cluster block. */
  clusterExtra?: string;
  /** Extra configuration lines. */
  extra?: string;
}

/** Starts a server with a cluster listener on loopback and monitoring; its cluster URL is `clusterUrl(server)`. */
export function startClusterMember(target: Target, options: ClusterMemberOptions = {}): Promise<RunningServer> {
  const routes = (options.routes ?? []).map((url) => JSON.stringify(url)).join(', ');
  const config = [
    'http: "127.0.0.1:-1"',
    options.clientPort !== undefined ? `port: ${options.clientPort}` : '',
    'cluster {',
    `  name: ${CLUSTER_NAME}`,
    `  listen: "127.0.0.1:${options.clusterPort ?? -1}"`,
    routes !== '' ? `  routes: [${routes}]` : '',
    options.clusterExtra ?? '',
    '}',
    options.extra ?? '',
  ].join('\n');
  return startServer(target, config);
}

/** The route URL other servers use to reach this one. */
export function clusterUrl(server: RunningServer): string {
  const url = server.portsFile.cluster?.find((u) => u.includes('127.0.0.1')) ?? server.portsFile.cluster?.[0];
  if (url === undefined) throw new Error(`${server.target} reported no cluster listener`);
  return url.replace(/^nats:/, 'nats-route:');
}

/** A port free right now on loopback (for configurations that must name each other's ports up front). */
export { freePort } from './support/free-port.js';

export function clusterPort(server: RunningServer): number {
  return Number(new URL(clusterUrl(server)).port);
}

export type Json = Record<string, any>;

export async function getJson(server: RunningServer, path: string): Promise<Json> {
  const response = await fetch(`${server.httpUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

/** Polls until `check` passes (it throws otherwise), for at most `timeoutMs`. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 10_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(intervalMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until each server has a route to each of the others (a full mesh). */
export async function waitForMesh(servers: RunningServer[], timeoutMs = 15_000): Promise<void> {
  await eventually(async () => {
    for (const server of servers) {
      const routez = await getJson(server, '/routez');
      expect(routez.num_routes, `${server.target} on ${server.port}`).toBe(servers.length - 1);
    }
  }, timeoutMs);
}

/** Waits until every server in `servers` has heard, over a route, of interest in `subject`. */
export async function waitForRouteInterest(servers: RunningServer[], subject: string, present = true, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => {
    for (const server of servers) {
      const routez = await getJson(server, '/routez?subs=1');
      const heard = (routez.routes as Json[]).some((route) => ((route.subscriptions_list as string[] | undefined) ?? []).includes(subject));
      expect(heard, `${server.target} on ${server.port} hears of ${subject}`).toBe(present);
    }
  }, timeoutMs);
}

export async function connectTo(server: RunningServer, options: Parameters<typeof connect>[0] = {}): Promise<NatsConnection> {
  return connect({ servers: server.clientUrl, ...options });
}

/** Client connections a test suite opens to its servers, all closed at the end. */
export class ClientPool {
  private readonly connections: NatsConnection[] = [];

  constructor(private readonly servers: () => readonly RunningServer[]) {}

  /** A connection to the suite's server number `index`. */
  async open(index: number): Promise<NatsConnection> {
    const nc = await connectTo(this.servers()[index]!);
    this.connections.push(nc);
    return nc;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
  }
}

/** What one subscription has received. */
export class Received {
  readonly messages: Msg[] = [];
  readonly subscription: Subscription;

  constructor(nc: NatsConnection, subject: string, options: { queue?: string; max?: number } = {}) {
    this.subscription = nc.subscribe(subject, {
      ...options,
      callback: (err, msg) => {
        if (!err) this.messages.push(msg);
      },
    });
  }

  get texts(): string[] {
    return this.messages.map((msg) => msg.string());
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    await eventually(() => expect(this.messages.length).toBeGreaterThanOrEqual(count), timeoutMs, 20);
  }
}
