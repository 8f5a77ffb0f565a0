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
import { LeafProxy } from './leaf-proxy.js';
import { buildLeafz } from './leafz.js';

describe('LeafProxy', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startProxy(leafnodes: string): Promise<{ proxy: LeafProxy; client: RecordingMember }> {
    const dir = mkdtempSync(join(tmpdir(), 'leaf-proxy-spec-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'server.conf');
    writeFileSync(file, `host: 127.0.0.1\nleafnodes {\n${leafnodes}\n}\n`);
    const bus = new InProcessBus();
    const client = new RecordingMember();
    client.endpoint = await bus.join({ nodeId: 'NSELF', role: 'client-gateway', version: 'test' }, client);
    const { options } = loadOptions(['-c', file]);
    const proxy = new LeafProxy({ options, logger: new Logger({ logtime: false }), bus, serverId: 'NSELF', compatVersion: '2.9.10', productVersion: 'test' });
    await proxy.start();
    cleanups.push(() => proxy.shutdown(), () => client.endpoint.close());
    return { proxy, client };
  }

  it('greets a leaf with nats-server\'s INFO, binds it to the authorized account and sends its interest', async () => {
    const { proxy, client } = await startProxy('  listen: "127.0.0.1:-1"\n  authorization { user: leaf, password: pw, account: ACC }');
    client.endpoint.announceInterest({ account: 'ACC', subject: 'hub.sub', weight: 1, add: true });
    client.endpoint.announceInterest({ account: 'ACC', subject: 'hub.q', queue: 'workers', weight: 2, add: true });
    client.endpoint.announceInterest({ account: '$G', subject: 'other.account', weight: 1, add: true });
    const leaf = await RawPeer.dial(proxy.boundAddress!.port);
    cleanups.push(() => leaf.close());
    await leaf.waitFor(/^INFO .* \r\n/);
    const first = leaf.infos()[0]!;
    expect(Object.keys(first)).toEqual([
      'server_id', 'server_name', 'version', 'proto', 'go', 'host', 'port', 'headers', 'auth_required',
      'max_payload', 'client_id', 'nonce', 'info_on_connect', 'leafnode_urls',
    ]);
    expect(first.leafnode_urls).toEqual([`127.0.0.1:${proxy.boundAddress!.port}`]);

    leaf.send('CONNECT {"version":"2.9.10","user":"leaf","pass":"pw","tls_required":false,"server_id":"NLEAF","name":"leaf1","cluster":"leaf1","headers":true}\r\n');
    await leaf.waitFor('LS+ hub.q workers 2\r\n');
    const second = leaf.infos()[1]!;
    expect(second.connect_info).toBe(true);
    expect(second.remote_account).toBe('ACC');
    expect(second.nonce).toBeUndefined();
    expect(leaf.text).toMatch(/LS\+ \$LDS\.[0-9A-Za-z]{22}\r\n/);
    expect(leaf.text).toContain('LS+ hub.sub\r\n');
    expect(leaf.text).not.toContain('other.account');

    leaf.send('LS+ leaf.plain\r\nLS+ leaf.q q1 3\r\nLMSG hub.sub reply.1 5\r\nhello\r\nHMSG hub.q | workers 12 14\r\nNATS/1.0\r\n\r\nhi\r\n');
    await eventually(() => expect(client.messages).toHaveLength(2));
    expect(client.interests).toEqual(['+ACC leaf.plain 1', '+ACC leaf.q q1 3']);
    expect(client.messages).toEqual([
      { subject: 'hub.sub', reply: 'reply.1', payload: 'hello' },
      { subject: 'hub.q', payload: 'hi', header: 'NATS/1.0\r\n\r\n', queues: ['workers'] },
    ]);

    client.endpoint.send(client.memberIdOf('leaf-proxy'), { account: 'ACC', subject: 'leaf.q', reply: 'r', headerSize: 0, data: Buffer.from('x'), originMemberId: client.endpoint.self.memberId, queues: ['q1'] });
    await leaf.waitFor('LMSG leaf.q + r q1 1\r\nx\r\n');
    expect(buildLeafz(proxy, 'NSELF', { subs: '1' }).leafs).toEqual([
      expect.objectContaining({ account: 'ACC', in_msgs: 2, out_msgs: 1, subscriptions: 2, subscriptions_list: ['leaf.plain', 'leaf.q q1'] }),
    ]);

    leaf.send('LS- leaf.q q1\r\n');
    await eventually(() => expect(client.interests).toContain('-ACC leaf.q q1 0'));
  });

  it('refuses bad credentials with nats-server\'s error', async () => {
    const { proxy } = await startProxy('  listen: "127.0.0.1:-1"\n  authorization { user: leaf, password: pw }');
    const leaf = await RawPeer.dial(proxy.boundAddress!.port);
    cleanups.push(() => leaf.close());
    await leaf.waitFor(/^INFO /);
    leaf.send('CONNECT {"user":"leaf","pass":"nope"}\r\n');
    await leaf.waitFor("-ERR 'Authorization Violation'\r\n");
    await leaf.waitClosed();
  });

  it('detects a loop when a leaf sends our own $LDS subject back', async () => {
    const { proxy } = await startProxy('  listen: "127.0.0.1:-1"');
    const leaf = await RawPeer.dial(proxy.boundAddress!.port);
    cleanups.push(() => leaf.close());
    await leaf.waitFor(/^INFO /);
    leaf.send('CONNECT {"version":"2.9.10","server_id":"NLEAF","name":"leaf1","cluster":"leaf1"}\r\n');
    const text = await leaf.waitFor(/LS\+ (\$LDS\.\w+)\r\n/);
    const lds = /LS\+ (\$LDS\.\w+)\r\n/.exec(text)![1]!;
    leaf.send(`LS+ ${lds}\r\n`);
    await leaf.waitFor(`-ERR 'Loop detected for leafnode account="$G". Delaying attempt to reconnect for 30s'\r\n`);
    await leaf.waitClosed();
  });

  describe('as a leaf of a hand-written hub', () => {
    let hubServer: Server;
    const hubSides: RawPeer[] = [];

    async function fakeHub(): Promise<number> {
      hubServer = createServer((socket) => {
        const side = new RawPeer(socket);
        hubSides.push(side);
        side.send(`INFO ${JSON.stringify({ server_id: 'NHUB', server_name: 'hub', version: '2.9.10', proto: 1, headers: true, max_payload: 1048576, client_id: hubSides.length, nonce: 'abc', info_on_connect: true, leafnode_urls: ['127.0.0.1:1'] })} \r\n`);
      });
      await new Promise<void>((resolve) => hubServer.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => hubServer.close(() => resolve())));
      cleanups.push(() => hubSides.splice(0).forEach((s) => s.close()));
      return (hubServer.address() as { port: number }).port;
    }

    it('sends CONNECT with URL credentials and deny_pub, waits for connect_info, then its interest', async () => {
      const port = await fakeHub();
      const { client } = await startProxy(
        `  reconnect: 0.1\n  remotes: [ { url: "nats-leaf://u:p@127.0.0.1:${port}", deny_imports: ["secret.>"], deny_exports: ["private.>"] } ]`,
      );
      client.endpoint.announceInterest({ account: '$G', subject: 'local.sub', weight: 1, add: true });
      client.endpoint.announceInterest({ account: '$G', subject: 'secret.x', weight: 1, add: true });
      await eventually(() => expect(hubSides).toHaveLength(1));
      const hub = hubSides[0]!;
      await hub.waitFor(/^CONNECT .*\r\n/m);
      const connect = JSON.parse(/^CONNECT (.*)\r\n/m.exec(hub.text)![1]!) as Record<string, unknown>;
      expect(connect).toMatchObject({ version: '2.9.10', user: 'u', pass: 'p', tls_required: false, server_id: 'NSELF', headers: true, deny_pub: ['secret.>'] });
      expect(connect.lang).toBeUndefined();
      await sleep(100);
      expect(hub.text).not.toContain('LS+');

      hub.send(`INFO ${JSON.stringify({ server_id: 'NHUB', connect_info: true, remote_account: '$G', leafnode_urls: ['127.0.0.1:1'] })} \r\n`);
      await hub.waitFor('LS+ local.sub\r\n');
      expect(hub.text).toMatch(/LS\+ \$LDS\.\w+\r\n/);
      expect(hub.text).not.toContain('secret.x');

      // deny_exports: nothing on private.> goes to the hub; deny_imports: nothing on secret.> comes in.
      hub.send('LS+ private.>\r\nLS+ open.>\r\nLMSG secret.x 1\r\ns\r\nLMSG local.sub 1\r\nl\r\n');
      await eventually(() => expect(client.interests).toContain('+$G open.> 1'));
      for (const subject of ['private.a', 'open.a']) {
        client.endpoint.send(client.memberIdOf('leaf-proxy'), { account: '$G', subject, headerSize: 0, data: Buffer.from('m'), originMemberId: client.endpoint.self.memberId });
      }
      await hub.waitFor('LMSG open.a 1\r\nm\r\n');
      expect(hub.text).not.toContain('private.a');
      await eventually(() => expect(client.messages.map((m) => m.subject)).toEqual(['local.sub']));
    });

    it('reconnects after the hub drops the connection, resending its interest', async () => {
      const port = await fakeHub();
      const { client } = await startProxy(`  reconnect: 0.1\n  remotes: [ { url: "nats-leaf://127.0.0.1:${port}" } ]`);
      client.endpoint.announceInterest({ account: '$G', subject: 'again', weight: 1, add: true });
      await eventually(() => expect(hubSides).toHaveLength(1));
      hubSides[0]!.send(`INFO ${JSON.stringify({ server_id: 'NHUB', connect_info: true, leafnode_urls: [] })} \r\nLS+ from.hub\r\n`);
      await hubSides[0]!.waitFor('LS+ again\r\n');
      await eventually(() => expect(client.interests).toEqual(['+$G from.hub 1']));
      hubSides[0]!.close();
      await eventually(() => expect(client.interests).toEqual(['+$G from.hub 1', '-$G from.hub 0']));
      await eventually(() => expect(hubSides).toHaveLength(2));
      hubSides[1]!.send(`INFO ${JSON.stringify({ server_id: 'NHUB', connect_info: true, leafnode_urls: [] })} \r\n`);
      await hubSides[1]!.waitFor('LS+ again\r\n');
    });
  });
});
