// Helpers for the super-cluster suites: servers with a gateway block, waiting for gateways and
// for interest to cross them, and a loopback TCP proxy that counts and cuts a gateway link.
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { expect } from 'vitest';
import { eventually, freePort, getJson, type Json } from './cluster-helpers.js';
import { startServer, type RunningServer, type Target } from './support/servers.js';

export interface GatewayMember {
  target: Target;
  cluster: string;
  gatewayPort: number;
  clusterPort: number;
  /** Route URLs of the other servers of its cluster. */
  routes: string[];
  /** name → gateway URLs of every cluster. */
  gateways: Record<string, string[]>;
  /** Extra lines inside the gateway block. */
  gatewayExtra?: string;
  extra?: string;
}

export function gatewayConfig(m: GatewayMember): string {
  const routes = m.routes.map((url) => JSON.stringify(url)).join(', ');
  const gateways = Object.entries(m.gateways)
    .map(([name, urls]) => `    { name: ${name}, urls: [${urls.map((u) => JSON.stringify(u)).join(', ')}] }`)
    .join('\n');
  return [
    'http: "127.0.0.1:-1"',
    'cluster {',
    `  name: ${m.cluster}`,
    `  listen: "127.0.0.1:${m.clusterPort}"`,
    routes !== '' ? `  routes: [${routes}]` : '',
    '}',
    'gateway {',
    `  name: ${m.cluster}`,
    `  listen: "127.0.0.1:${m.gatewayPort}"`,
    m.gatewayExtra ?? '',
    '  gateways: [',
    gateways,
    '  ]',
    '}',
    m.extra ?? '',
  ].join('\n');
}

export interface ClusterPlan {
  name: string;
  target: Target;
  size: number;
}

export interface PlannedServer {
  cluster: string;
  target: Target;
  gatewayPort: number;
  clusterPort: number;
  /** Where the others reach its gateway, when that is not its own port (a proxy): listed and advertised. */
  advertisedPort?: number;
  /** Extra lines inside its gateway block (a tls block). */
  gatewayExtra?: string;
  /** Extra configuration lines (accounts). */
  extra?: string;
}

/** Free ports for every server of every cluster, so each configuration can name the others. */
export async function planSuperCluster(clusters: ClusterPlan[]): Promise<PlannedServer[]> {
  const planned: PlannedServer[] = [];
  for (const c of clusters) {
    for (let i = 0; i < c.size; i++) planned.push({ cluster: c.name, target: c.target, gatewayPort: await freePort(), clusterPort: await freePort() });
  }
  return planned;
}

/** Starts every planned server, each listing every cluster's gateway URLs (advertised ones where set). */
export async function startSuperCluster(planned: PlannedServer[]): Promise<RunningServer[]> {
  const names = [...new Set(planned.map((p) => p.cluster))];
  const urlOf = (p: PlannedServer) => `nats://127.0.0.1:${p.advertisedPort ?? p.gatewayPort}`;
  const started = await Promise.allSettled(
    planned.map((p) => {
      const gateways: Record<string, string[]> = {};
      for (const name of names) gateways[name] = planned.filter((o) => o.cluster === name).map(urlOf);
      const routes = planned.filter((o) => o.cluster === p.cluster && o !== p).map((o) => `nats-route://127.0.0.1:${o.clusterPort}`);
      const advertise = p.advertisedPort !== undefined ? `  advertise: "127.0.0.1:${p.advertisedPort}"` : '';
      const gatewayExtra = [advertise, p.gatewayExtra ?? ''].join('\n');
      return startServer(p.target, gatewayConfig({ ...p, routes, gateways, gatewayExtra }));
    }),
  );
  const failure = started.find((r) => r.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw (failure as PromiseRejectedResult).reason;
  }
  return started.map((r) => (r as PromiseFulfilledResult<RunningServer>).value);
}

/**
 * Plans free ports and starts the super-cluster; `adjust` may change the plan first (advertise
 * a proxy). A port taken meanwhile by another process (EADDRINUSE) means a new plan and another try.
 */
export async function launchSuperCluster(
  clusters: ClusterPlan[],
  adjust: (planned: PlannedServer[]) => void = () => undefined,
): Promise<{ planned: PlannedServer[]; servers: RunningServer[] }> {
  for (let attempt = 1; ; attempt++) {
    const planned = await planSuperCluster(clusters);
    adjust(planned);
    try {
      return { planned, servers: await startSuperCluster(planned) };
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err;
    }
  }
}

/**
 * Runs `start` with `count` free ports; when one was taken meanwhile by another process
 * (EADDRINUSE), with new ports, up to three times. `start` must stop what it started when it fails.
 */
export async function withFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    try {
      return await start(ports);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err;
    }
  }
}

/** Waits until each server has an outbound gateway to each other cluster. */
export async function waitForGateways(servers: RunningServer[], clustersOf: string[], timeoutMs = 20_000): Promise<void> {
  const names = [...new Set(clustersOf)];
  await eventually(async () => {
    for (let i = 0; i < servers.length; i++) {
      const gatewayz = await getJson(servers[i]!, '/gatewayz');
      for (const name of names) {
        if (name === clustersOf[i]) continue;
        expect(gatewayz.outbound_gateways?.[name], `${servers[i]!.target} ${clustersOf[i]} → ${name}`).toBeDefined();
      }
    }
  }, timeoutMs);
}

/** Waits until the outbound gateways of `servers` know that the other cluster has interest in `subject`. */
export async function waitForGatewayInterest(servers: RunningServer[], remote: string, present = true, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => {
    for (const server of servers) {
      const gatewayz = await getJson(server, `/gatewayz?accs=1&gw_name=${remote}`);
      const accounts = (gatewayz.outbound_gateways?.[remote]?.accounts ?? []) as Json[];
      const g = accounts.find((a) => a.name === '$G');
      const subs = (g?.num_subs as number | undefined) ?? 0;
      if (present) expect(subs, `${server.target} hears of interest in ${remote}`).toBeGreaterThan(0);
      else expect(subs).toBe(0);
    }
  }, timeoutMs);
}

/** A loopback TCP proxy: counts the bytes each way and can cut every connection. */
export class CountingProxy {
  bytesToTarget = 0;
  bytesFromTarget = 0;
  /** With `keepBytes`, what went to the target, as text. */
  textToTarget = '';
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  /** Where connections are forwarded; may be set after the proxy has started. */
  targetPort = 0;

  constructor(private readonly keepBytes = false) {}

  async start(port = 0): Promise<number> {
    this.server = createServer((client) => {
      const upstream = tcpConnect({ host: '127.0.0.1', port: this.targetPort });
      this.sockets.add(client);
      this.sockets.add(upstream);
      client.on('data', (chunk: Buffer) => {
        this.bytesToTarget += chunk.length;
        if (this.keepBytes) this.textToTarget += chunk.toString('latin1');
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        this.bytesFromTarget += chunk.length;
        client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('close', close);
      upstream.on('close', close);
      client.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  get connections(): number {
    return this.sockets.size / 2;
  }

  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
