// Helpers for the leaf node suites: a hub with a leafnodes listener, a leaf with remotes to it,
// and waiting for the connection and for interest to cross it.
import type { NatsConnection } from '@nats-io/transport-node';
import { expect } from 'vitest';
import { Received, eventually, freePort, getJson } from './cluster-helpers.js';
import { startServer, type RunningServer, type Target } from './support/servers.js';

// nats-server 2.9 leaves the leafnode port out of its ports file: hubs listen on a port chosen here.
const leafPorts = new WeakMap<RunningServer, number>();

/**
 * Starts a hub: monitoring plus `leafnodes { listen }` on loopback (a free port unless `port` is
 * given, to restart a hub where its leafs look for it); `leafBlock` adds lines inside.
 */
export async function startHub(
  target: Target,
  leafBlock = '',
  extra = '',
  options: Parameters<typeof startServer>[2] & { port?: number } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const hub = await startServer(target, ['http: "127.0.0.1:-1"', 'leafnodes {', `  listen: "127.0.0.1:${port}"`, leafBlock, '}', extra].join('\n'), options);
  leafPorts.set(hub, port);
  return hub;
}

/** The hub's leafnode port. */
export function leafPort(hub: RunningServer): number {
  const port = leafPorts.get(hub);
  if (port === undefined) throw new Error(`${hub.target} was not started by startHub`);
  return port;
}

/** Starts a leaf whose remotes are `remotes` (config text of each remote map). */
export function startLeaf(target: Target, remotes: string[], extra = '', options: Parameters<typeof startServer>[2] = {}): Promise<RunningServer> {
  const config = ['http: "127.0.0.1:-1"', 'leafnodes {', '  reconnect: 1', `  remotes: [ ${remotes.join(', ')} ]`, '}', extra].join('\n');
  return startServer(target, config, options);
}

/** Waits until `server` reports `count` leaf connections in /leafz. */
export async function waitForLeafs(server: RunningServer, count: number, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => {
    const leafz = await getJson(server, '/leafz');
    expect(leafz.leafnodes, `${server.target} on ${server.port}`).toBe(count);
  }, timeoutMs, 100);
}

/** Publishes `text` on `subject` every 100 ms until `inbox` has it (interest may still be crossing). */
export async function publishUntilReceived(nc: NatsConnection, subject: string, text: string, inbox: Received, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => {
    if (!inbox.texts.includes(text)) {
      nc.publish(subject, text);
      await nc.flush();
    }
    expect(inbox.texts).toContain(text);
  }, timeoutMs, 100);
}
