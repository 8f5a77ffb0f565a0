// A hub node made of separate processes (a client-gateway and a leaf-proxy on a static bus): the
// leaf-proxy process opens the node's websocket listener itself, so leafs reach it over ws://
// /leafnode, and messages cross the leaf connection and the bus both ways.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Received, connectTo, eventually, freePort } from './cluster-helpers.js';
import { publishUntilReceived, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';
import { targets, type RunningServer } from './support/servers.js';

interface HubProcesses {
  gateway: RoleProcess;
  leafProxy: RoleProcess;
  websocketPort: number;
}

/** A client-gateway and a leaf-proxy linked by a static bus; only the leaf-proxy has `websocket {}`. */
async function startHub(): Promise<HubProcesses> {
  const [gatewayBus, leafBus, leafPort, websocketPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const bus = (listen: number): string =>
    `bus { listen: "127.0.0.1:${listen}", members: ["127.0.0.1:${gatewayBus}", "127.0.0.1:${leafBus}"], heartbeat: "200ms", member_timeout: "1s" }`;
  const gateway = await startRole('client-gateway', `http: "127.0.0.1:-1"\n${bus(gatewayBus)}`);
  const leafProxy = await startRole(
    'leaf-proxy',
    [
      'http: "127.0.0.1:-1"',
      bus(leafBus),
      // As nats-server: a websocket leaf is accepted only when the leafnodes listener is configured.
      `leafnodes { listen: "127.0.0.1:${leafPort}" }`,
      `websocket { listen: "127.0.0.1:${websocketPort}", no_tls: true }`,
    ].join('\n'),
  );
  return { gateway, leafProxy, websocketPort };
}

async function leafCount(process: RoleProcess): Promise<number> {
  const response = await fetch(`${process.httpUrl}/leafz`, { signal: AbortSignal.timeout(5_000) });
  return ((await response.json()) as { leafnodes: number }).leafnodes;
}

describe('a websocket leaf of a hub whose leaf-proxy runs as a process of its own', () => {
  const connections: NatsConnection[] = [];
  const leafs: RunningServer[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await Promise.all(leafs.splice(0).map((s) => s.stop()));
    await stopAllRoles();
  });

  it.each(targets)('%s leaf: connects over ws:// to the leaf-proxy process, messages cross both ways', async (leafTarget) => {
    const hub = await startHub();
    const leaf = await startLeaf(leafTarget, [`{ url: "ws://127.0.0.1:${hub.websocketPort}" }`]);
    leafs.push(leaf);
    await waitForLeafs(leaf, 1);
    await eventually(async () => expect(await leafCount(hub.leafProxy)).toBe(1), 15_000, 100);

    const onHub = await connect({ servers: hub.gateway.clientUrl });
    const onLeaf = await connectTo(leaf);
    connections.push(onHub, onLeaf);
    const hubInbox = new Received(onHub, 'up');
    const leafInbox = new Received(onLeaf, 'down');
    await onHub.flush();
    await onLeaf.flush();
    await publishUntilReceived(onLeaf, 'up', 'from leaf', hubInbox);
    await publishUntilReceived(onHub, 'down', 'from hub', leafInbox);
  });

  it('refuses the paths it does not serve: there is no client role in the leaf-proxy process', async () => {
    const hub = await startHub();
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${hub.websocketPort}/`);
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      ws.once('open', () => reject(new Error('a client was accepted by the leaf-proxy process')));
      ws.once('error', reject);
    });
    expect(status).toBe(404);
  });
});
