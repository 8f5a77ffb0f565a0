// Gateways over TLS (`gateway { tls {...} }`): nats-ts clusters and a nats-server cluster verify
// each other both ways; a peer with a certificate from another CA, or speaking plain text, is
// refused with a log line and no harm to the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, Received, eventually, freePort, getJson, sleep } from './cluster-helpers.js';
import { gatewayConfig, launchSuperCluster, waitForGatewayInterest, waitForGateways, type PlannedServer } from './gateway-helpers.js';
import { generateTestCerts, type TestCerts } from './support/certs.js';
import { RawClient } from './support/raw.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

function tlsBlock(pki: TestCerts): string {
  return `  tls { cert_file: "${pki.nodeCert}", key_file: "${pki.nodeKey}", ca_file: "${pki.caCert}", timeout: 2 }`;
}

describe('super-cluster over TLS: nats-ts clusters A and B, nats-server cluster C', () => {
  let pki: TestCerts;
  let otherPki: TestCerts;
  let planned: PlannedServer[] = [];
  let servers: RunningServer[] = [];
  const clients = new ClientPool(() => servers);
  const connectToServer = (i: number) => clients.open(i);

  beforeAll(async () => {
    pki = generateTestCerts();
    otherPki = generateTestCerts();
    const launched = await launchSuperCluster(
      [
        { name: 'A', target: 'nats-ts', size: 1 },
        { name: 'B', target: 'nats-ts', size: 1 },
        { name: 'C', target: 'nats-server', size: 1 },
      ],
      (plan) => plan.forEach((p) => (p.gatewayExtra = tlsBlock(pki))),
    );
    planned = launched.planned;
    servers = launched.servers;
    await waitForGateways(servers, planned.map((p) => p.cluster));
  }, 60_000);

  afterAll(async () => {
    await clients.closeAll();
    await stopAllServers();
    pki.cleanup();
    otherPki.cleanup();
  });

  /** 20 messages each way between the servers `x` and `y` (of clusters named `xName` and `yName`), all in order. */
  async function exchangeBothWays(x: number, xName: string, y: number, yName: string): Promise<void> {
    const [onX, onY] = [await connectToServer(x), await connectToServer(y)];
    const toY = new Received(onY, `tls.to.${yName}`);
    const toX = new Received(onX, `tls.to.${xName}`);
    await Promise.all([onX.flush(), onY.flush()]);
    await waitForGatewayInterest([servers[x]!], yName);
    await waitForGatewayInterest([servers[y]!], xName);
    for (let i = 0; i < 20; i++) {
      onX.publish(`tls.to.${yName}`, `${xName}${i}`);
      onY.publish(`tls.to.${xName}`, `${yName}${i}`);
    }
    await toY.waitFor(20);
    await toX.waitFor(20);
    expect(toY.texts).toEqual(Array.from({ length: 20 }, (_, i) => `${xName}${i}`));
    expect(toX.texts).toEqual(Array.from({ length: 20 }, (_, i) => `${yName}${i}`));
  }

  it('carries messages between the two nats-ts clusters, and says TLS in /varz', async () => {
    await exchangeBothWays(0, 'A', 1, 'B');
    const varz = await getJson(servers[0]!, '/varz');
    expect(varz.gateway).toMatchObject({ tls_required: true, tls_verify: true, tls_timeout: 2, auth_timeout: 3 });
  });

  it('carries messages both ways between nats-ts and nats-server (each side dials the other over TLS)', async () => {
    await exchangeBothWays(0, 'A', 2, 'C');
    expect(servers[2]!.output()).not.toMatch(/TLS gateway handshake error/);
  });

  it('refuses a gateway whose certificate another CA signed, and one that does not trust ours, with clear logs', async () => {
    const startIntruder = async (ca: string) =>
      startServer(
        'nats-ts',
        gatewayConfig({
          target: 'nats-ts',
          cluster: 'X',
          gatewayPort: await freePort(),
          clusterPort: await freePort(),
          routes: [],
          gateways: { A: [`nats://127.0.0.1:${planned[0]!.gatewayPort}`], C: [`nats://127.0.0.1:${planned[2]!.gatewayPort}`] },
          gatewayExtra: `  tls { cert_file: "${otherPki.nodeCert}", key_file: "${otherPki.nodeKey}", ca_file: "${ca}", timeout: 2 }`,
        }),
      );
    const untrusted = await startIntruder(pki.caCert);
    await servers[0]!.waitForOutput(/TLS gateway handshake error: peer certificate not trusted/, 10_000);
    await servers[2]!.waitForOutput(/TLS gateway handshake error/, 10_000);
    await untrusted.stop();
    const distrustful = await startIntruder(otherPki.caCert);
    await distrustful.waitForOutput(/TLS gateway handshake error: self[- ]signed certificate in certificate chain/, 10_000);
    await servers[0]!.waitForOutput(/TLS gateway handshake error: connection closed by the peer/, 10_000);
    expect((await getJson(distrustful, '/gatewayz')).outbound_gateways).toEqual({});
    await distrustful.stop();
    const gatewayz = await getJson(servers[0]!, '/gatewayz');
    expect(gatewayz.inbound_gateways.X).toBeUndefined();
    expect(gatewayz.outbound_gateways.X).toBeUndefined();
    // A still serves the super-cluster.
    const [a, b] = [await connectToServer(0), await connectToServer(1)];
    const onB = new Received(b, 'tls.after');
    await b.flush();
    await waitForGatewayInterest([servers[0]!], 'B');
    a.publish('tls.after', 'still here');
    await onB.waitFor(1);
  });

  it('gives a plain-text peer no INFO and logs why', async () => {
    const raw = await RawClient.connect(planned[0]!.gatewayPort, { skipInfo: true });
    raw.send('CONNECT {"echo":false,"verbose":false,"pedantic":false,"tls_required":false,"headers":false,"name":"NPLAIN","cluster":"","gateway":"P"}\r\n');
    expect(await raw.waitClosed(5_000)).toBe(true);
    expect(raw.bytes().toString('latin1')).not.toContain('INFO {');
    await eventually(() => expect(servers[0]!.output()).toMatch(/TLS gateway handshake (error|timeout)/));
    await sleep(100);
    expect((await getJson(servers[0]!, '/gatewayz')).inbound_gateways.P).toBeUndefined();
  });
});
