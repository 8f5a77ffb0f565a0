// Gateways over TLS (`gateway { tls {...} }`): nats-ts clusters and a nats-server cluster verify
// each other both ways; a peer with a certificate from another CA, or speaking plain text, is
// refused with a log line and no harm to the server.
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Received, connectTo, eventually, freePort, getJson, sleep } from './cluster-helpers.js';
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
  const connections: NatsConnection[] = [];
  const connectToServer = async (i: number) => {
    const nc = await connectTo(servers[i]!);
    connections.push(nc);
    return nc;
  };

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
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    await stopAllServers();
    pki.cleanup();
    otherPki.cleanup();
  });

  it('carries messages between the two nats-ts clusters, and says TLS in /varz', async () => {
    const [a, b] = [await connectToServer(0), await connectToServer(1)];
    const onB = new Received(b, 'tls.to.b');
    const onA = new Received(a, 'tls.to.a');
    await Promise.all([a.flush(), b.flush()]);
    await waitForGatewayInterest([servers[0]!], 'B');
    await waitForGatewayInterest([servers[1]!], 'A');
    for (let i = 0; i < 20; i++) {
      a.publish('tls.to.b', `a${i}`);
      b.publish('tls.to.a', `b${i}`);
    }
    await onB.waitFor(20);
    await onA.waitFor(20);
    expect(onB.texts).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
    expect(onA.texts).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`));
    const varz = await getJson(servers[0]!, '/varz');
    expect(varz.gateway).toMatchObject({ tls_required: true, tls_verify: true, tls_timeout: 2, auth_timeout: 3 });
  });

  it('carries messages both ways between nats-ts and nats-server (each side dials the other over TLS)', async () => {
    const [a, c] = [await connectToServer(0), await connectToServer(2)];
    const onC = new Received(c, 'tls.to.c');
    const onA = new Received(a, 'tls.from.c');
    await Promise.all([a.flush(), c.flush()]);
    await waitForGatewayInterest([servers[0]!], 'C');
    await waitForGatewayInterest([servers[2]!], 'A');
    for (let i = 0; i < 20; i++) {
      a.publish('tls.to.c', `a${i}`);
      c.publish('tls.from.c', `c${i}`);
    }
    await onC.waitFor(20);
    await onA.waitFor(20);
    expect(onC.texts).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
    expect(onA.texts).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
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
