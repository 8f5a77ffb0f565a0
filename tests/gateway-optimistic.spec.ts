// Optimistic mode: a hand-written peer on a raw socket plays a pre-2.9 gateway (its INFO has no
// gateway_iom). Our outbound connection sends it every message until it declines a subject
// (RS-) or an account (A-), takes them back with RS+ / A+, and once it switches the account
// (gateway_cmd 2, then 3) only what it announced.
import { createServer, type Server, type Socket } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTo, getJson, sleep, type Json } from './cluster-helpers.js';
import { RawClient } from './support/raw.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

/** The INFO of a nats-server 2.8 gateway of cluster B: no gateway_iom. */
function preIomInfo(port: number): string {
  return `INFO ${JSON.stringify({
    server_id: 'NOLDGATEWAYB',
    server_name: 'B1',
    version: '2.8.4',
    proto: 0,
    go: 'go1.17.10',
    host: '127.0.0.1',
    port,
    headers: true,
    max_payload: 1048576,
    gateway: 'B',
    gateway_urls: [`127.0.0.1:${port}`],
    gateway_url: `127.0.0.1:${port}`,
    gateway_nrp: true,
  })}\r\n`;
}

function command(cmd: 2 | 3, account: string): string {
  const info = { server_id: '', server_name: '', version: '', proto: 0, go: '', host: '', port: 0, headers: false, max_payload: 0, gateway: 'B' };
  return `INFO ${JSON.stringify({ ...info, gateway_cmd: cmd, gateway_cmd_payload: Buffer.from(account).toString('base64') })}\r\n`;
}

describe('outbound gateway to a pre-2.9 peer (Optimistic mode)', () => {
  let listener: Server;
  let server: RunningServer;
  let peer: RawClient;
  let nc: NatsConnection;

  /** Publishes each subject (payload = subject) and returns the subjects of the $G RMSGs the peer got up to the last one ($SYS events go out optimistically too). */
  async function publishAndCollect(subjects: string[], last: string): Promise<string[]> {
    const start = peer.lines().length;
    for (const subject of subjects) nc.publish(subject, subject);
    await nc.flush();
    await peer.waitForLine(`RMSG $G ${last} ${last.length}`);
    return peer
      .lines()
      .slice(start)
      .filter((line) => line.startsWith('RMSG $G '))
      .map((line) => line.split(' ')[2]!);
  }

  async function accountOfB(): Promise<Json | undefined> {
    const gatewayz = await getJson(server, '/gatewayz?accs=1');
    return (gatewayz.outbound_gateways.B.accounts as Json[]).find((a) => a.name === '$G');
  }

  beforeAll(async () => {
    listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    const dialed = new Promise<Socket>((resolve) => listener.once('connection', resolve));
    server = await startServer(
      'nats-ts',
      `http: "127.0.0.1:-1"\ngateway { name: A, listen: "127.0.0.1:-1", gateways: [ { name: B, urls: ["nats://127.0.0.1:${port}"] } ] }\n`,
    );
    peer = RawClient.accepted(await dialed);
    peer.send(preIomInfo(port));
    await peer.waitForLine(/^CONNECT \{.*"gateway":"A"/);
    await peer.waitForLine(/^INFO \{.*"gateway":"A"/);
    nc = await connectTo(server);
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    peer?.close();
    await stopAllServers();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  it('sends messages on subjects the peer never subscribed to', async () => {
    expect(await publishAndCollect(['opt.one', 'opt.two'], 'opt.two')).toEqual(['opt.one', 'opt.two']);
    expect(server.output()).toContain('Gateway "B" does not announce interest-only mode');
  });

  it('stops sending a subject after RS-, and sends it again after RS+', async () => {
    await peer.roundTrip('RS- $G opt.one\r\n');
    expect(await publishAndCollect(['opt.one', 'opt.two'], 'opt.two')).toEqual(['opt.two']);
    expect(await accountOfB()).toMatchObject({ interest_mode: 'Optimistic', no_interest_count: 1 });
    await peer.roundTrip('RS+ $G opt.*\r\n');
    expect(await publishAndCollect(['opt.one', 'opt.two'], 'opt.two')).toEqual(['opt.one', 'opt.two']);
  });

  it('stops sending the whole account after A-, and resumes after A+', async () => {
    await peer.roundTrip('A- $G\r\n');
    nc.publish('acc.refused', 'x');
    await nc.flush();
    await sleep(100);
    expect(await accountOfB()).toEqual({ name: '$G', interest_mode: 'Optimistic', interest_only_threshold: 1000 });
    await peer.roundTrip('A+ $G\r\n');
    expect(await publishAndCollect(['acc.back'], 'acc.back')).toEqual(['acc.back']);
    expect(peer.lines().filter((line) => line.startsWith('RMSG $G acc.'))).toEqual(['RMSG $G acc.back 8']);
  });

  it('keeps sending optimistically while the account is Transitioning, then only announced interest', async () => {
    await peer.roundTrip(`RS- $G declined\r\n${command(2, '$G')}RS+ $G wanted\r\n`);
    expect(await accountOfB()).toMatchObject({ interest_mode: 'Transitioning', num_subs: 1 });
    expect(await publishAndCollect(['declined', 'anything', 'wanted'], 'wanted')).toEqual(['anything', 'wanted']);
    await peer.roundTrip(command(3, '$G'));
    expect(await accountOfB()).toMatchObject({ interest_mode: 'Interest-Only', num_subs: 1 });
    expect(await publishAndCollect(['anything', 'declined', 'wanted'], 'wanted')).toEqual(['wanted']);
    await peer.roundTrip('RS- $G wanted\r\nRS+ $G wanted.too\r\n');
    expect(await publishAndCollect(['wanted', 'wanted.too'], 'wanted.too')).toEqual(['wanted.too']);
  });

  it('logs no protocol error', () => {
    expect(server.output()).not.toMatch(/parser ERROR|Protocol Violation|Parse Error/);
  });
});
