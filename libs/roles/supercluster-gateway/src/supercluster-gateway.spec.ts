import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingMember } from '@nats-ts/bus/test-support';
import { RawPeer, eventually, sleep } from '@nats-ts/server-link/test-support';
import { InProcessBus } from '@nats-ts/bus';
import { loadOptions } from '@nats-ts/config';
import { Logger } from '@nats-ts/observability';
import { gatewayHash } from '@nats-ts/protocol';
import { buildGatewayz } from './gatewayz.js';
import { SuperclusterGateway } from './supercluster-gateway.js';

const PEER_ID = 'NFAKEGATEWAYB';

function peerInfo(extra: Record<string, unknown> = {}): string {
  return `INFO ${JSON.stringify({ server_id: PEER_ID, server_name: 'B1', version: '2.9.10', proto: 0, go: '', host: '127.0.0.1', port: 1, headers: true, max_payload: 1048576, gateway: 'B', gateway_urls: ['127.0.0.1:1'], gateway_url: '127.0.0.1:1', gateway_nrp: true, gateway_iom: true, ...extra })}\r\n`;
}

function peerConnect(extra: Record<string, unknown> = {}): string {
  return `CONNECT ${JSON.stringify({ echo: false, verbose: false, pedantic: false, tls_required: false, headers: false, name: PEER_ID, cluster: '', gateway: 'B', ...extra })}\r\n`;
}

function command(cmd: number, account: string): string {
  return `INFO ${JSON.stringify({ server_id: '', server_name: '', version: '', proto: 0, go: '', host: '', port: 0, headers: false, max_payload: 0, gateway: 'B', gateway_cmd: cmd, gateway_cmd_payload: Buffer.from(account).toString('base64') })}\r\n`;
}

describe('SuperclusterGateway', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startGateway(gatewayBlock: string): Promise<{ gateway: SuperclusterGateway; port: number; client: RecordingMember }> {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-spec-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'server.conf');
    writeFileSync(file, `gateway { name: A, listen: "127.0.0.1:-1"\n${gatewayBlock} }\n`);
    const bus = new InProcessBus();
    const client = new RecordingMember();
    client.endpoint = await bus.join({ nodeId: 'NSELF', role: 'client-gateway', version: 'test' }, client);
    const { options } = loadOptions(['-c', file]);
    const gateway = new SuperclusterGateway({ options, logger: new Logger({ logtime: false }), bus, serverId: 'NSELF', compatVersion: '2.9.10', productVersion: 'test' });
    const bound = await gateway.start();
    cleanups.push(() => gateway.shutdown(), () => client.endpoint.close());
    return { gateway, port: bound.port, client };
  }

  it('accepts an inbound gateway: INFO first, CONNECT required, then the cluster\'s interest in interest-only mode', async () => {
    const { gateway, port, client } = await startGateway('');
    client.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1, add: true });
    client.endpoint.announceInterest({ account: '$G', subject: 'work', queue: 'q', weight: 1, add: true });
    client.endpoint.announceInterest({ account: '$G', subject: 'work', queue: 'q', weight: 1, add: true });
    const peer = await RawPeer.dial(port);
    cleanups.push(() => peer.close());
    await peer.waitFor(/^INFO .*\r\n/);
    const info = JSON.parse(/^INFO (\{.*\})\r\n/.exec(peer.text)![1]!) as Record<string, unknown>;
    expect(info).toMatchObject({ server_id: 'NSELF', version: '2.9.10', gateway: 'A', gateway_urls: [`127.0.0.1:${port}`], gateway_nrp: true, gateway_iom: true, headers: true });
    peer.send(peerConnect() + peerInfo());
    // Queue groups with weight 1, then the account switch with its plain interest.
    await peer.waitFor(/RS\+ \$G work q 1\r\nINFO [^\r]*"gateway_cmd":2,"gateway_cmd_payload":"JEc="\}\r\nRS\+ \$G foo\r\nINFO [^\r]*"gateway_cmd":3,"gateway_cmd_payload":"JEc="\}\r\n/);
    client.endpoint.announceInterest({ account: '$G', subject: 'bar', weight: 1, add: true });
    client.endpoint.announceInterest({ account: '$G', subject: 'bar', weight: 1, add: false });
    await peer.waitFor('RS+ $G bar\r\nRS- $G bar\r\n');
    await eventually(() => expect(buildGatewayz(gateway, 'NSELF', {}).inbound_gateways.B).toHaveLength(1));

    // Messages come in on an inbound connection; unknown accounts are refused once with A-.
    peer.send('RMSG $G foo reply.x 2\r\nhi\r\nRMSG NOACC foo 2\r\nhi\r\nRMSG NOACC foo 2\r\nhi\r\n');
    await eventually(() => expect(client.messages).toEqual([{ subject: 'foo', reply: 'reply.x', payload: 'hi' }]));
    await peer.waitFor('A- NOACC\r\n');
    expect(peer.text.split('A- NOACC').length).toBe(2);
  });

  it('tells a new inbound gateway about the other clusters it knows (gateway_cmd 1)', async () => {
    const { port } = await startGateway('gateways: [ { name: C, urls: ["nats://127.0.0.1:1"] } ]');
    const peer = await RawPeer.dial(port);
    cleanups.push(() => peer.close());
    peer.send(peerConnect() + peerInfo());
    await peer.waitFor(
      'INFO {"server_id":"NSELF","server_name":"","version":"","proto":0,"go":"","host":"","port":0,"headers":false,"max_payload":0,"gateway":"C","gateway_urls":["127.0.0.1:1"],"gateway_cmd":1}\r\n',
    );
  });

  it('delivers a reply mapped for this cluster under its real subject and drops one mapped for another', async () => {
    const { port, client } = await startGateway('');
    client.endpoint.announceInterest({ account: '$G', subject: '_INBOX.>', weight: 1, add: true });
    const peer = await RawPeer.dial(port);
    cleanups.push(() => peer.close());
    peer.send(peerConnect() + peerInfo());
    await peer.waitFor('"gateway_cmd":3');
    peer.send(`RMSG $G _GR_.${gatewayHash('A')}.abcdef._INBOX.r1 2\r\nok\r\nRMSG $G _GR_.${gatewayHash('C')}.abcdef._INBOX.r2 2\r\nno\r\n`);
    await eventually(() => expect(client.messages).toEqual([{ subject: '_INBOX.r1', payload: 'ok' }]));
    await sleep(50);
    expect(client.messages).toHaveLength(1);
  });

  it('refuses an inbound connection that does not start with CONNECT, or has wrong credentials', async () => {
    const { port } = await startGateway('authorization { user: gw, password: s3cret }');
    const early = await RawPeer.dial(port);
    cleanups.push(() => early.close());
    early.send('RS+ $G foo\r\n');
    await early.waitFor("-ERR 'Authorization Violation'");
    await early.waitClosed();
    const wrong = await RawPeer.dial(port);
    cleanups.push(() => wrong.close());
    wrong.send(peerConnect({ user: 'gw', pass: 'nope' }));
    await wrong.waitFor("-ERR 'Authorization Violation'");
    await wrong.waitClosed();
  });

  describe('outbound', () => {
    async function fakeCluster(): Promise<{ server: Server; port: number; peers: RawPeer[] }> {
      const peers: RawPeer[] = [];
      const server = createServer((socket) => peers.push(new RawPeer(socket)));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      cleanups.push(() => peers.forEach((p) => p.close()));
      return { server, port: (server.address() as { port: number }).port, peers };
    }

    it('dials a configured gateway, answers its INFO with CONNECT and INFO, and follows its interest', async () => {
      const remote = await fakeCluster();
      const { gateway, client } = await startGateway(`gateways: [ { name: B, urls: ["nats://127.0.0.1:${remote.port}"] } ]`);
      await eventually(() => expect(remote.peers).toHaveLength(1));
      const peer = remote.peers[0]!;
      // The peer's own URL, which the redial below may pick as well as the configured one.
      const url = `127.0.0.1:${remote.port}`;
      peer.send(peerInfo({ gateway_urls: [url], gateway_url: url }));
      await peer.waitFor(/^CONNECT \{[^\r]*"headers":false,"name":"NSELF","cluster":"","gateway":"A"\}\r\nINFO \{[^\r]*"gateway":"A"/);
      // Plain interest before the account switch is dropped; queue interest is kept.
      peer.send('RS+ $G early\r\nRS+ $G work q 1\r\n');
      await eventually(() => expect(client.interests).toContain('+$G work q 1'));
      peer.send(`${command(2, '$G')}RS+ $G foo\r\n${command(3, '$G')}`);
      await eventually(() => expect(client.interests).toContain('+$G foo 1'));
      expect(client.interests.some((i) => i.includes('early'))).toBe(false);
      const accounts = buildGatewayz(gateway, 'NSELF', { accs: '1' }).outbound_gateways.B!.accounts;
      expect(accounts).toEqual([{ name: '$G', interest_mode: 'Interest-Only', interest_only_threshold: 1000, num_subs: 2, num_queue_subs: 1 }]);

      // Messages go out where there is interest; a reply with a recent subscription is mapped with
      // this cluster's and server's hashes, others are not.
      const to = client.memberIdOf('supercluster-gateway');
      client.endpoint.announceInterest({ account: '$G', subject: 'rep.1', queue: undefined, weight: 1, add: true });
      client.endpoint.send(to, { account: '$G', subject: 'foo', reply: 'rep.1', headerSize: 0, data: Buffer.from('hi'), originMemberId: client.endpoint.self.memberId });
      client.endpoint.send(to, { account: '$G', subject: 'foo', reply: 'rep.2', headerSize: 0, data: Buffer.from('ho'), originMemberId: client.endpoint.self.memberId });
      client.endpoint.send(to, { account: '$G', subject: 'work', headerSize: 0, data: Buffer.from('w'), originMemberId: client.endpoint.self.memberId, queues: ['q'] });
      client.endpoint.send(to, { account: '$G', subject: 'nobody', headerSize: 0, data: Buffer.from('x'), originMemberId: client.endpoint.self.memberId });
      await peer.waitFor(
        `RMSG $G foo _GR_.${gatewayHash('A')}.${gatewayHash('NSELF')}.rep.1 2\r\nhi\r\nRMSG $G foo rep.2 2\r\nho\r\nRMSG $G work | q 1\r\nw\r\n`,
      );
      await sleep(50);
      expect(peer.text).not.toContain('nobody');

      // A reply for cluster B goes there whatever the interest.
      client.endpoint.send(to, { account: '$G', subject: `_GR_.${gatewayHash('B')}.xyzxyz.inbox`, headerSize: 0, data: Buffer.from('r'), originMemberId: client.endpoint.self.memberId });
      await peer.waitFor(`RMSG $G _GR_.${gatewayHash('B')}.xyzxyz.inbox 1\r\nr\r\n`);

      // The connection drops: the interest goes with it, and the gateway is dialed again.
      peer.close();
      await eventually(() => expect(client.interests).toContain('-$G foo 0'));
      await eventually(() => expect(remote.peers).toHaveLength(2), 4000);
    });

    it('closes a peer whose account switch names no account', async () => {
      const remote = await fakeCluster();
      await startGateway(`gateways: [ { name: B, urls: ["nats://127.0.0.1:${remote.port}"] } ]`);
      await eventually(() => expect(remote.peers).toHaveLength(1));
      const peer = remote.peers[0]!;
      peer.send(peerInfo());
      await peer.waitFor(/^CONNECT /);
      peer.send('INFO {"gateway":"B","gateway_cmd":2}\r\n');
      await peer.waitFor("-ERR 'Account absent from receive-all-subscriptions-start command'");
      await peer.waitClosed();
    });

    it('refuses a peer that is not the gateway it dialed', async () => {
      const remote = await fakeCluster();
      await startGateway(`gateways: [ { name: B, urls: ["nats://127.0.0.1:${remote.port}"] } ]`);
      await eventually(() => expect(remote.peers).toHaveLength(1));
      const peer = remote.peers[0]!;
      peer.send(peerInfo({ gateway: 'C' }));
      await peer.waitFor(`-ERR 'Connection from "A" rejected, wanted to connect to "B", this is "C"'`);
      await peer.waitClosed();
    });
  });
});
