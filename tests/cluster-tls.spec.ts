// Routes over TLS (`cluster { tls {...} }`): nats-ts and nats-server verify each other both ways
// and form one mesh; a plain-text peer gets no route.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllServers, type RunningServer } from './support/servers.js';
import { Received, clusterPort, clusterUrl, connectTo, getJson, sleep, startClusterMember, waitForMesh, waitForRouteInterest } from './cluster-helpers.js';

/** A CA and one node certificate usable as both TLS server and client, as route certificates must be. */
function routePki(): { dir: string; ca: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nats-ts-route-pki-'));
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-sha256', '-subj', '/CN=route test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(join(dir, 'node.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'node-key.pem', '-out', 'node.csr', '-subj', '/CN=route node']);
  openssl(['x509', '-req', '-in', 'node.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'node.pem', '-days', '2', '-sha256', '-extfile', 'node.ext']);
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'node.pem'), key: join(dir, 'node-key.pem') };
}

describe('cluster routes over TLS', () => {
  let pki: ReturnType<typeof routePki>;
  let servers: RunningServer[];
  let conns: NatsConnection[] = [];

  beforeAll(async () => {
    pki = routePki();
    const tls = `tls { cert_file: "${pki.cert}", key_file: "${pki.key}", ca_file: "${pki.ca}", timeout: 2 }`;
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
    rmSync(pki.dir, { recursive: true, force: true });
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
