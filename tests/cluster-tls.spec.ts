// Routes over TLS (`cluster { tls {...} }`): nats-ts and nats-server verify each other both ways
// and form one mesh; a plain-text peer gets no route.
import { connect as netConnect } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTestCerts, type TestCerts } from './support/certs.js';
import { stopAllServers, type RunningServer } from './support/servers.js';
import { Received, clusterPort, clusterUrl, connectTo, getJson, sleep, startClusterMember, waitForMesh, waitForRouteInterest } from './cluster-helpers.js';

describe('cluster routes over TLS', () => {
  let pki: TestCerts;
  let servers: RunningServer[];
  let conns: NatsConnection[] = [];

  beforeAll(async () => {
    pki = generateTestCerts();
    const tls = `tls { cert_file: "${pki.nodeCert}", key_file: "${pki.nodeKey}", ca_file: "${pki.caCert}", timeout: 2 }`;
    const ts1 = await startClusterMember('nats-ts', { clusterExtra: tls });
    const ref = await startClusterMember('nats-server', { routes: [clusterUrl(ts1)], clusterExtra: tls });
    const ts2 = await startClusterMember('nats-ts', { routes: [clusterUrl(ref)], clusterExtra: tls });
    servers = [ts1, ref, ts2];
    await waitForMesh(servers);
    conns = await Promise.all(servers.map((s) => connectTo(s)));
  });

  afterAll(async () => {
    await Promise.all(conns.map((nc) => nc.close()));
    await stopAllServers();
    pki.cleanup();
  });

  it('forms a verified mesh with nats-server and carries messages both ways', async () => {
    const inboxes = conns.map((nc) => new Received(nc, 'secure.*'));
    await Promise.all(conns.map((nc) => nc.flush()));
    await waitForRouteInterest(servers, 'secure.*');
    conns.forEach((nc, i) => nc.publish(`secure.${i}`, `from ${i}`));
    await Promise.all(conns.map((nc) => nc.flush()));
    for (const inbox of inboxes) await inbox.waitFor(3);
    await sleep(100);
    for (const inbox of inboxes) expect([...inbox.texts].sort()).toEqual(['from 0', 'from 1', 'from 2']);
    const varz = await getJson(servers[0]!, '/varz');
    expect(varz.cluster).toMatchObject({ tls_timeout: 2 });
  });

  it('refuses a route whose certificate another CA signed, and one that does not trust ours', async () => {
    const otherPki = generateTestCerts();
    try {
      const tlsWith = (ca: string) => `tls { cert_file: "${otherPki.nodeCert}", key_file: "${otherPki.nodeKey}", ca_file: "${ca}", timeout: 2 }`;
      const untrusted = await startClusterMember('nats-ts', { routes: [clusterUrl(servers[0]!)], clusterExtra: tlsWith(pki.caCert) });
      await servers[0]!.waitForOutput(/TLS route handshake error: peer certificate not trusted/, 10_000);
      await untrusted.stop();
      const distrustful = await startClusterMember('nats-ts', { routes: [clusterUrl(servers[0]!)], clusterExtra: tlsWith(otherPki.caCert) });
      await distrustful.waitForOutput(/TLS route handshake error: self[- ]signed certificate in certificate chain/, 10_000);
      await servers[0]!.waitForOutput(/TLS route handshake error: connection closed by the peer/, 10_000);
      await distrustful.stop();
      expect((await getJson(servers[0]!, '/routez')).num_routes).toBe(2);
    } finally {
      otherPki.cleanup();
    }
  });

  it('gives a plain-text peer no INFO and no route', async () => {
    const socket = netConnect(clusterPort(servers[0]!), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('CONNECT {"name":"NPLAIN","cluster":"TEST"}\r\nINFO {"server_id":"NPLAIN","cluster":"TEST"}\r\n');
    await sleep(500);
    socket.destroy();
    expect(received).not.toContain('INFO {');
    expect((await getJson(servers[0]!, '/routez')).num_routes).toBe(2);
  });
});
