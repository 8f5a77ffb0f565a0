// Leaf connections over TLS (started after the hub's plaintext INFO, both sides verifying) and
// over WebSocket (the hub's websocket listener, path /leafnode), between nats-ts and nats-server.
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { Received, connectTo, freePort } from './cluster-helpers.js';
import { leafPort, publishUntilReceived, startHub, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { generateTestCerts, type TestCerts } from './support/certs.js';
import { targets, type RunningServer, type Target } from './support/servers.js';

const PAIRS: Array<[Target, Target]> = (
  [
    ['nats-ts', 'nats-ts'],
    ['nats-server', 'nats-ts'],
    ['nats-ts', 'nats-server'],
  ] as Array<[Target, Target]>
).filter(([hub, leaf]) => targets.includes(hub) && targets.includes(leaf));

describe.each(PAIRS)('leaf transports: %s hub, %s leaf', (hubTarget, leafTarget) => {
  const connections: NatsConnection[] = [];
  const servers: RunningServer[] = [];
  let certs: TestCerts;

  beforeAll(() => {
    certs = generateTestCerts();
  });
  afterAll(() => certs.cleanup());

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function client(server: RunningServer): Promise<NatsConnection> {
    const nc = await connectTo(server);
    connections.push(nc);
    return nc;
  }

  async function crossBothWays(hub: RunningServer, leaf: RunningServer): Promise<void> {
    await waitForLeafs(hub, 1);
    await waitForLeafs(leaf, 1);
    const onHub = await client(hub);
    const onLeaf = await client(leaf);
    const hubInbox = new Received(onHub, 'up');
    const leafInbox = new Received(onLeaf, 'down');
    await onHub.flush();
    await onLeaf.flush();
    await publishUntilReceived(onLeaf, 'up', 'from leaf', hubInbox);
    await publishUntilReceived(onHub, 'down', 'from hub', leafInbox);
  }

  it('connects over TLS, the hub verifying the leaf certificate', async () => {
    const hubTls = `  tls { cert_file: "${certs.serverCert}", key_file: "${certs.serverKey}", ca_file: "${certs.caCert}", verify: true }`;
    const hub = await startHub(hubTarget, hubTls);
    servers.push(hub);
    const remoteTls = `tls { cert_file: "${certs.clientCert}", key_file: "${certs.clientKey}", ca_file: "${certs.caCert}" }`;
    const leaf = await startLeaf(leafTarget, [`{ url: "tls://127.0.0.1:${leafPort(hub)}", ${remoteTls} }`]);
    servers.push(leaf);
    await crossBothWays(hub, leaf);
  });

  it('connects over WebSocket (ws://) through the hub\'s websocket listener', async () => {
    const wsPort = await freePort();
    const hub = await startHub(hubTarget, '', `websocket {\n  listen: "127.0.0.1:${wsPort}"\n  no_tls: true\n}`);
    servers.push(hub);
    const leaf = await startLeaf(leafTarget, [`{ url: "ws://127.0.0.1:${wsPort}" }`]);
    servers.push(leaf);
    await crossBothWays(hub, leaf);
  });
});
