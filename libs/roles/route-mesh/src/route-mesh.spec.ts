import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingMember } from '@nats-ts/bus/test-support';
import { RawPeer, eventually, sleep } from '@nats-ts/server-link/test-support';
import { InProcessBus, type BusMessage } from '@nats-ts/bus';
import { loadOptions } from '@nats-ts/config';
import { Logger } from '@nats-ts/observability';
import { RouteMesh } from './route-mesh.js';
import { buildRoutez } from './routez.js';

const PEER_ID = 'NFAKEPEER1';

function peerInfo(id = PEER_ID, extra: Record<string, unknown> = {}): string {
  return `INFO ${JSON.stringify({ server_id: id, server_name: id, version: '2.9.10', proto: 2, host: '127.0.0.1', port: 1, headers: true, max_payload: 1048576, cluster: 'T', lnoc: true, ...extra })} \r\n`;
}

function peerConnect(extra: Record<string, unknown> = {}, id = PEER_ID): string {
  return `CONNECT ${JSON.stringify({ echo: true, verbose: false, pedantic: false, tls_required: false, headers: true, name: id, cluster: 'T', lnoc: true, ...extra })}\r\n`;
}

describe('RouteMesh', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A configuration file (for settings that have no flag), removed after the test. */
  function configFile(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'route-mesh-spec-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'server.conf');
    writeFileSync(file, text);
    return file;
  }

  async function startMesh(args: string[] = []): Promise<{ mesh: RouteMesh; port: number; client: RecordingMember }> {
    const bus = new InProcessBus();
    const client = new RecordingMember();
    client.endpoint = await bus.join({ nodeId: 'NSELF', role: 'client-gateway', version: 'test' }, client);
    client.endpoint.announceState({ clientUrls: ['127.0.0.1:4222'] });
    const { options } = loadOptions(['-a', '127.0.0.1', '--cluster', 'nats://127.0.0.1:-1', '--cluster_name', 'T', ...args]);
    const mesh = new RouteMesh({ options, logger: new Logger({ logtime: false }), bus, serverId: 'NSELF', compatVersion: '2.9.10', productVersion: 'test' });
    const bound = await mesh.start();
    cleanups.push(() => mesh.shutdown(), () => client.endpoint.close());
    return { mesh, port: bound.port, client };
  }

  async function registeredPeer(port: number, id = PEER_ID, infoExtra: Record<string, unknown> = {}): Promise<RawPeer> {
    const peer = await RawPeer.dial(port);
    cleanups.push(() => peer.close());
    await peer.waitFor(/^INFO .* \r\n/);
    peer.send(peerConnect({}, id) + peerInfo(id, infoExtra));
    return peer;
  }

  it('greets an accepted route with nats-server\'s route INFO and registers it from CONNECT and INFO', async () => {
    const { mesh, port, client } = await startMesh();
    client.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1, add: true });
    client.endpoint.announceInterest({ account: '$G', subject: 'work', queue: 'q', weight: 1, add: true });
    client.endpoint.announceInterest({ account: '$G', subject: 'work', queue: 'q', weight: 1, add: true });
    const peer = await registeredPeer(port);
    const info = peer.infos()[0]!;
    expect(Object.keys(info)).toEqual([
      'server_id', 'server_name', 'version', 'proto', 'go', 'host', 'port', 'headers', 'max_payload', 'nonce', 'cluster', 'connect_urls', 'lnoc',
    ]);
    expect(info).toMatchObject({ server_id: 'NSELF', version: '2.9.10', proto: 2, host: '127.0.0.1', port, headers: true, cluster: 'T', connect_urls: ['127.0.0.1:4222'], lnoc: true });
    // Local interest follows registration: plain once, the queue group with its weight.
    await peer.waitFor('RS+ $G foo\r\n');
    await peer.waitFor('RS+ $G work q 2\r\n');
    await eventually(() => expect(buildRoutez(mesh, 'NSELF', {}).num_routes).toBe(1));
    expect(buildRoutez(mesh, 'NSELF', {}).routes[0]).toMatchObject({ remote_id: PEER_ID, did_solicit: false, is_configured: false });
  });

  it('announces the peer\'s interest on the bus and withdraws it when the route closes', async () => {
    const { mesh, port, client } = await startMesh();
    const peer = await registeredPeer(port);
    peer.send('RS+ $G foo\r\nRS+ $G foo\r\nRS+ $G work q 2\r\nRS+ $G work q 5\r\nRS+ NOPE $SYS.REQ.SERVER.PING\r\n');
    await eventually(() => expect(client.interests).toEqual(['+$G foo 1', '+$G work q 2', '+$G work q 5']));
    peer.send('RS- $G work q\r\n');
    await eventually(() => expect(client.interests.at(-1)).toBe('-$G work q 0'));
    const routez = buildRoutez(mesh, 'NSELF', { subs: 'detail' });
    expect(routez.routes[0]!.subscriptions_list_detail).toEqual([{ subject: 'foo', sid: '$G foo', msgs: 0, cid: routez.routes[0]!.rid }]);
    peer.close();
    await eventually(() => expect(client.interests.at(-1)).toBe('-$G foo 0'));
    await eventually(() => expect(mesh.peers.size).toBe(0));
  });

  it('sends bus messages to peers with interest as RMSG/HMSG, with the queue groups chosen for them', async () => {
    const { port, client } = await startMesh();
    const peer = await registeredPeer(port);
    peer.send('RS+ $G orders.*\r\nRS+ $G work q 1\r\nPING\r\n');
    await peer.waitFor('PONG\r\n');
    const to = client.memberIdOf('route-mesh');
    const send = (msg: Partial<BusMessage> & { subject: string }) =>
      client.endpoint.send(to, { account: '$G', headerSize: 0, data: Buffer.from('hi'), originMemberId: client.endpoint.self.memberId, ...msg });
    send({ subject: 'orders.new', reply: '_INBOX.1' });
    send({ subject: 'work', queues: ['q'] });
    send({ subject: 'work', reply: 'r', queues: ['q'], data: Buffer.from('NATS/1.0\r\n\r\nhi'), headerSize: 12 });
    send({ subject: 'nobody' });
    send({ subject: 'work' });
    await peer.waitFor('HMSG');
    await sleep(50);
    const messages = peer.text.slice(peer.text.indexOf('PONG\r\n') + 6);
    expect(messages).toBe('RMSG $G orders.new _INBOX.1 2\r\nhi\r\nRMSG $G work | q 2\r\nhi\r\nHMSG $G work + r q 12 14\r\nNATS/1.0\r\n\r\nhi\r\n');
  });

  it('hands messages from a peer to the members with interest, queue groups to one member', async () => {
    const { port, client } = await startMesh();
    client.endpoint.announceInterest({ account: '$G', subject: 'foo.>', weight: 1, add: true });
    client.endpoint.announceInterest({ account: '$G', subject: 'work', queue: 'q', weight: 1, add: true });
    const peer = await registeredPeer(port);
    await peer.waitFor('RS+ $G work q 1\r\n');
    peer.send('RMSG $G foo.bar rep 5\r\nhello\r\n');
    peer.send('HMSG $G foo.baz 12 14\r\nNATS/1.0\r\n\r\nhi\r\n');
    peer.send('RMSG $G work | q 1\r\nx\r\n');
    peer.send('RMSG $G work 1\r\ny\r\n');
    peer.send('RMSG OTHER foo.bar 1\r\nz\r\n');
    peer.send('PING\r\n');
    await peer.waitFor('PONG\r\n');
    expect(client.messages).toEqual([
      { subject: 'foo.bar', reply: 'rep', payload: 'hello' },
      { subject: 'foo.baz', payload: 'hi', header: 'NATS/1.0\r\n\r\n' },
      { subject: 'work', payload: 'x', queues: ['q'] },
    ]);
  });

  it('refuses clients, gateways and other clusters on the route port with nats-server\'s errors', async () => {
    const { port } = await startMesh();
    const cases: [string, string][] = [
      [peerConnect({ lang: 'go' }), "-ERR 'attempted to connect to route port'\r\n"],
      [peerConnect({ gateway: 'X' }), `-ERR 'Rejecting connection from gateway "X" on the Route port'\r\n`],
      [peerConnect({ cluster: 'WRONG' }), `-ERR 'Rejecting connection, cluster name "WRONG" does not match "T"'\r\n`],
      ['PUB foo 1\r\n', "-ERR 'Unknown Protocol Operation'\r\n"],
    ];
    for (const [input, expected] of cases) {
      const peer = await RawPeer.dial(port);
      cleanups.push(() => peer.close());
      peer.send(input);
      await peer.waitFor(expected);
      await peer.waitClosed();
    }
    // Malformed arguments close the route without an error, as nats-server does.
    const malformed = await RawPeer.dial(port);
    cleanups.push(() => malformed.close());
    malformed.send('RMSG $G x\r\n');
    await malformed.waitClosed();
    expect(malformed.text).not.toContain('-ERR');
  });

  it('requires the cluster credentials, CONNECT first', async () => {
    const { port } = await startMesh(['--cluster', 'nats://ruser:rpass@127.0.0.1:-1']);
    const early = await RawPeer.dial(port);
    cleanups.push(() => early.close());
    expect((await early.waitFor(/^INFO .* \r\n/), early.infos()[0]!.auth_required)).toBe(true);
    early.send(peerInfo());
    await early.waitFor("-ERR 'Authorization Violation'\r\n");
    const wrong = await RawPeer.dial(port);
    cleanups.push(() => wrong.close());
    wrong.send(peerConnect({ user: 'ruser', pass: 'nope' }));
    await wrong.waitFor("-ERR 'Authorization Violation'\r\n");
    await wrong.waitClosed();
    const right = await RawPeer.dial(port);
    cleanups.push(() => right.close());
    right.send(peerConnect({ user: 'ruser', pass: 'rpass' }) + peerInfo() + 'PING\r\n');
    await right.waitFor('PONG\r\n');
    expect(right.closed).toBe(false);
  });

  it('closes a second connection from a registered server without an error, and one from itself', async () => {
    const { mesh, port } = await startMesh();
    await registeredPeer(port);
    await eventually(() => expect(mesh.peers.size).toBe(1));
    const duplicate = await RawPeer.dial(port);
    cleanups.push(() => duplicate.close());
    duplicate.send(peerConnect() + peerInfo());
    await duplicate.waitClosed();
    expect(duplicate.text).not.toContain('-ERR');
    const self = await RawPeer.dial(port);
    cleanups.push(() => self.close());
    self.send(peerConnect({}, 'NSELF') + peerInfo('NSELF'));
    await self.waitClosed();
    expect(mesh.peers.size).toBe(1);
  });

  it('gossips a new peer to the others, without nonce and with the address it came from', async () => {
    const { port } = await startMesh();
    const first = await registeredPeer(port, 'NPEER1');
    await first.waitFor('PING\r\n');
    await registeredPeer(port, 'NPEER2', { port: 7777 });
    await first.waitFor('"server_id":"NPEER2"');
    const gossip = /INFO (\{[^\r]*"server_id":"NPEER2"[^\r]*\})\r\n/.exec(first.text);
    expect(gossip).not.toBeNull();
    const info = JSON.parse(gossip![1]!) as Record<string, unknown>;
    expect(info).not.toHaveProperty('nonce');
    expect(info.ip).toBe('nats-route://127.0.0.1:7777/');
  });

  it('dials configured routes with CONNECT then INFO, and tells the bus the peer\'s client URLs', async () => {
    const listener: Server = createServer();
    const accepted: RawPeer[] = [];
    listener.on('connection', (socket) => accepted.push(new RawPeer(socket)));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => listener.close(resolve)), () => accepted.forEach((p) => p.close()));
    const peerPort = (listener.address() as { port: number }).port;
    const { mesh, client } = await startMesh(['--routes', `nats-route://u:p@127.0.0.1:${peerPort}`]);
    await eventually(() => expect(accepted).toHaveLength(1));
    const peer = accepted[0]!;
    await peer.waitFor(/^CONNECT .*\r\nINFO .* \r\n/);
    const connectJson = JSON.parse(/^CONNECT (.*)\r\n/.exec(peer.text)![1]!) as Record<string, unknown>;
    expect(Object.keys(connectJson)).toEqual(['echo', 'verbose', 'pedantic', 'user', 'pass', 'tls_required', 'headers', 'name', 'cluster', 'lnoc']);
    expect(connectJson).toMatchObject({ echo: true, user: 'u', pass: 'p', name: 'NSELF', cluster: 'T', lnoc: true });
    peer.send(peerInfo(PEER_ID, { connect_urls: ['127.0.0.1:5222'] }));
    await eventually(() => expect(client.states.at(-1)).toEqual({ clientUrls: ['127.0.0.1:5222'], cluster: 'T' }));
    expect(buildRoutez(mesh, 'NSELF', {}).routes[0]).toMatchObject({ did_solicit: true, is_configured: true });
    // The peer goes away: its URLs go with it, and the configured route is dialed again.
    peer.close();
    await eventually(() => expect(client.states.at(-1)).toEqual({ clientUrls: [], cluster: 'T' }));
    await eventually(() => expect(accepted).toHaveLength(2), 4000);
  });

  it('pings a peer and closes the route as stale when it stops answering', async () => {
    const { mesh, port, client } = await startMesh(['-c', configFile('ping_interval: "100ms"\nping_max: 2\n')]);
    const peer = await registeredPeer(port);
    peer.send('RS+ $G quiet\r\n');
    await eventually(() => expect(client.interests).toEqual(['+$G quiet 1']));
    await peer.waitFor("PING\r\nPING\r\n-ERR 'Stale Connection'\r\n", 3000);
    await peer.waitClosed();
    await eventually(() => expect(client.interests.at(-1)).toBe('-$G quiet 0'));
    expect(mesh.peers.size).toBe(0);
  });
});
