import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Logger } from '@nats-ts/observability';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameBuffer } from './frame-buffer.js';
import { StaticMembership } from './membership.js';
import { encodeFrame, type BusFrame } from './schema.js';
import { TcpBus, type TcpBusOptions } from './tcp-bus.js';
import { BUS_PROTOCOL } from './tcp-link.js';
import type { BusEndpoint, BusHandlers, BusMessage, InterestChange, MemberInfo, MemberState, Role } from './types.js';

/** Records what a member's handlers receive, as readable lines. */
class Recorder implements BusHandlers {
  readonly events: string[] = [];
  readonly messages: { from: MemberInfo; msg: BusMessage; payload: string }[] = [];

  memberJoined(member: MemberInfo): void {
    this.events.push(`joined ${member.role}`);
  }
  memberLeft(member: MemberInfo): void {
    this.events.push(`left ${member.role}`);
  }
  interest(from: MemberInfo, change: InterestChange): void {
    const key = change.queue === undefined ? change.subject : `${change.subject} ${change.queue}`;
    this.events.push(`${from.role} ${change.add ? '+' : '-'}${key} ${change.weight}`);
  }
  memberState(from: MemberInfo, state: MemberState): void {
    this.events.push(`${from.role} state ${state.clientUrls.join(',')}`);
  }
  message(from: MemberInfo, msg: BusMessage): void {
    this.messages.push({ from, msg, payload: Buffer.from(msg.data.subarray(msg.headerSize)).toString() });
  }
  take(): string[] {
    return this.events.splice(0);
  }
}

let dir: string;
let logger: Logger;
const started: TcpBus[] = [];
const servers: Server[] = [];
const rawSockets: Socket[] = [];
beforeEach(() => {
  dir = mkdtempSync(joinPath(tmpdir(), 'nats-ts-tcp-bus-'));
  logger = new Logger({ logFile: joinPath(dir, 'bus.log'), logtime: false });
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((bus) => bus.close()));
  for (const socket of rawSockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  logger.close();
  rmSync(dir, { recursive: true, force: true });
});

function log(): string {
  return readFileSync(joinPath(dir, 'bus.log'), 'utf8');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startBus(members: string[] = [], extra: Partial<TcpBusOptions> = {}, port = 0): Promise<TcpBus> {
  const bus = new TcpBus({
    listen: { host: '127.0.0.1', port },
    membership: new StaticMembership(members),
    heartbeatMs: 50,
    memberTimeoutMs: 300,
    joinTimeoutMs: 2_000,
    logger,
    ...extra,
  });
  started.push(bus);
  await bus.start();
  return bus;
}

async function joinMember(bus: TcpBus, role: Role = 'client-gateway'): Promise<{ endpoint: BusEndpoint; rec: Recorder }> {
  const rec = new Recorder();
  const endpoint = await bus.join({ nodeId: 'n', role, version: '0.1.0' }, rec);
  return { endpoint, rec };
}

async function until(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function message(subject: string, payload: string, extra: Partial<BusMessage> = {}): BusMessage {
  return { account: '$G', subject, headerSize: 0, data: Buffer.from(payload), originMemberId: 'origin', ...extra };
}

describe('TcpBus between two processes', () => {
  it('links two peers found from a one-sided static list, and their members see each other', async () => {
    const a = await startBus();
    const ma = await joinMember(a);
    const b = await startBus([a.url]);
    const mb = await joinMember(b, 'route-mesh');
    await until(() => ma.rec.events.length > 0 && ma.endpoint.members().length === 1, 'a to see b');
    expect(ma.rec.take()).toEqual(['joined route-mesh']);
    expect(mb.rec.take()).toEqual(['joined client-gateway']);
    expect(ma.endpoint.members()).toEqual([mb.endpoint.self]);
    expect(mb.endpoint.members()).toEqual([ma.endpoint.self]);
    expect(mb.endpoint.self.memberId.startsWith(b.peerId)).toBe(true);
    expect(a.peerStatus()).toEqual([{ peerId: b.peerId, url: b.url, inbound: true, outbound: true, linked: true, members: [mb.endpoint.self] }]);
  });

  it('carries interest as counts: plain on appear and disappear, queues on every change', async () => {
    const a = await startBus();
    const b = await startBus([a.url]);
    const ma = await joinMember(a);
    const mb = await joinMember(b, 'route-mesh');
    await until(() => ma.endpoint.members().length === 1 && mb.endpoint.members().length === 1, 'link');
    ma.rec.take();
    mb.rec.take();
    ma.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1, add: true });
    ma.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1, add: true });
    ma.endpoint.announceInterest({ account: '$G', subject: 'work', queue: 'q', weight: 1, add: true });
    ma.endpoint.announceInterest({ account: '$G', subject: 'work', queue: 'q', weight: 2, add: true });
    ma.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1, add: false });
    ma.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1, add: false });
    await until(() => mb.rec.events.length >= 4, 'interest');
    expect(mb.rec.take()).toEqual(['client-gateway +foo 1', 'client-gateway +work q 1', 'client-gateway +work q 3', 'client-gateway -foo 0']);
  });

  it('delivers messages point to point with every field, in order, many per write', async () => {
    const a = await startBus();
    const b = await startBus([a.url]);
    const ma = await joinMember(a);
    const mb = await joinMember(b);
    await until(() => ma.endpoint.members().length === 1, 'link');
    const header = Buffer.from('NATS/1.0\r\nA: b\r\n\r\n');
    ma.endpoint.send(mb.endpoint.self.memberId, message('orders', '', { reply: '_INBOX.1', data: Buffer.concat([header, Buffer.from('first')]), headerSize: header.length, queues: ['q'], traceparent: 'tp' }));
    for (let i = 0; i < 2000; i++) ma.endpoint.send(mb.endpoint.self.memberId, message('seq', String(i)));
    await until(() => mb.rec.messages.length === 2001, 'messages');
    const first = mb.rec.messages[0]!;
    expect(first.from).toEqual(ma.endpoint.self);
    expect(first.payload).toBe('first');
    expect({ ...first.msg, header: Buffer.from(first.msg.data.subarray(0, first.msg.headerSize)).toString(), data: undefined }).toEqual({
      account: '$G',
      subject: 'orders',
      reply: '_INBOX.1',
      header: header.toString(),
      traceparent: 'tp',
      queues: ['q'],
      originMemberId: 'origin',
      headerSize: header.length,
      data: undefined,
    });
    expect(mb.rec.messages.slice(1).map((m) => m.payload)).toEqual(Array.from({ length: 2000 }, (_, i) => String(i)));
  });

  it('passes objects directly between members of one process', async () => {
    const a = await startBus();
    const m1 = await joinMember(a);
    const m2 = await joinMember(a, 'route-mesh');
    expect(m1.rec.take()).toEqual(['joined route-mesh']);
    expect(m2.rec.take()).toEqual(['joined client-gateway']);
    const msg = message('x', 'same');
    m1.endpoint.send(m2.endpoint.self.memberId, msg);
    expect(m2.rec.messages[0]!.msg).toBe(msg);
  });

  it('gives a member joining later the remote members with their interest and state', async () => {
    const a = await startBus();
    const ma = await joinMember(a);
    ma.endpoint.announceInterest({ account: '$G', subject: 'a.>', weight: 1, add: true });
    ma.endpoint.announceState({ clientUrls: ['127.0.0.1:4222'] });
    // start() returns once the peers it found have announced their members.
    const b = await startBus([a.url]);
    const mb = await joinMember(b, 'route-mesh');
    expect(mb.rec.take()).toEqual(['joined client-gateway', 'client-gateway +a.> 1', 'client-gateway state 127.0.0.1:4222']);
    await until(() => ma.rec.events.length === 1, 'a to hear of the newcomer');
    expect(ma.rec.take()).toEqual(['joined route-mesh']);
    mb.endpoint.announceState({ clientUrls: ['127.0.0.1:5222', '127.0.0.1:6222'] });
    await until(() => ma.rec.events.length === 1, 'state');
    expect(ma.rec.take()).toEqual(['route-mesh state 127.0.0.1:5222,127.0.0.1:6222']);
  });

  it('tells the others when a member leaves and when a whole peer closes', async () => {
    const a = await startBus();
    const b = await startBus([a.url]);
    const ma = await joinMember(a);
    const mb1 = await joinMember(b, 'route-mesh');
    const mb2 = await joinMember(b, 'leaf-proxy');
    await until(() => ma.endpoint.members().length === 2, 'link');
    ma.rec.take();
    await mb1.endpoint.close();
    await until(() => ma.rec.events.length === 1, 'leave');
    expect(ma.rec.take()).toEqual(['left route-mesh']);
    expect(ma.endpoint.members()).toEqual([mb2.endpoint.self]);
    await b.close();
    await until(() => ma.rec.events.length === 1, 'peer close');
    expect(ma.rec.take()).toEqual(['left leaf-proxy']);
    expect(ma.endpoint.members()).toEqual([]);
  });

  it('relinks to a peer restarted at the same address', async () => {
    const port = await freePort();
    const a = await startBus([`127.0.0.1:${port}`]);
    const ma = await joinMember(a);
    const b1 = await startBus([], {}, port);
    await joinMember(b1, 'route-mesh');
    await until(() => ma.endpoint.members().length === 1, 'first link');
    await b1.close();
    await until(() => ma.endpoint.members().length === 0, 'loss');
    const b2 = await startBus([], {}, port);
    const mb = await joinMember(b2, 'leaf-proxy');
    // b2 knows nobody: a redials the address it lists, and b2 dials back the URL a advertises.
    await until(() => ma.endpoint.members().length === 1 && mb.endpoint.members().length === 1, 'relink');
    expect(ma.rec.take()).toEqual(['joined route-mesh', 'left route-mesh', 'joined leaf-proxy']);
  });

  it('links three peers into a full mesh from static lists', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const urls = ports.map((p) => `127.0.0.1:${p}`);
    const buses = await Promise.all(ports.map((port) => startBus(urls, {}, port)));
    const members = await Promise.all(buses.map((bus) => joinMember(bus)));
    await until(() => members.every((m) => m.endpoint.members().length === 2), 'full mesh');
    for (const bus of buses) expect(bus.peerStatus().every((p) => p.linked)).toBe(true);
    members[2]!.endpoint.send(members[0]!.endpoint.self.memberId, message('x', 'from c'));
    members[1]!.endpoint.send(members[0]!.endpoint.self.memberId, message('x', 'from b'));
    await until(() => members[0]!.rec.messages.length === 2, 'messages');
    expect(members[0]!.rec.messages.map((m) => m.payload).sort()).toEqual(['from b', 'from c']);
  });
});

/** A hand-driven peer: speaks the bus protocol over raw sockets, so it can misbehave. */
class RawPeer {
  readonly server: Server;
  readonly accepted: Socket[] = [];
  url = '';

  constructor(readonly peerId: string) {
    this.server = createServer((socket) => {
      this.accepted.push(socket);
      rawSockets.push(socket);
      socket.on('error', () => undefined);
      socket.resume();
      socket.write(delimited([{ kind: 'peer', peerId: this.peerId, url: this.url, protocol: BUS_PROTOCOL }]));
    });
    servers.push(this.server);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Dials the bus and announces one member with interest in `subject`. */
  dial(busUrl: string, subject: string): Socket {
    const [host, port] = busUrl.split(':');
    const socket = connect({ host: host!, port: Number(port) });
    rawSockets.push(socket);
    socket.on('error', () => undefined);
    socket.resume();
    const memberId = `${this.peerId}.1`;
    socket.write(
      delimited([
        { kind: 'peer', peerId: this.peerId, url: this.url, protocol: BUS_PROTOCOL },
        { kind: 'hello', member: { memberId, nodeId: 'raw', role: 'leaf-proxy', version: '0' } },
        { kind: 'snapshot', interests: [{ account: '$G', subject, weight: 1, add: true }], memberId },
        { kind: 'heartbeat', memberId: this.peerId, seq: 1 },
      ]),
    );
    return socket;
  }
}

function delimited(frames: BusFrame[]): Buffer {
  const out = new FrameBuffer();
  for (const frame of frames) out.writeFrame(encodeFrame(frame));
  return Buffer.from(out.take());
}

describe('TcpBus liveness and backpressure', () => {
  it('drops a peer that goes silent, with its interest', async () => {
    const bus = await startBus();
    const m = await joinMember(bus);
    const raw = new RawPeer('rawpeer');
    await raw.listen();
    const socket = raw.dial(bus.url, 'silent.>');
    await until(() => m.rec.events.length === 2, 'raw peer to link');
    expect(m.rec.take()).toEqual(['joined leaf-proxy', 'leaf-proxy +silent.> 1']);
    // No heartbeats from the raw peer: after memberTimeoutMs its member leaves.
    await until(() => m.rec.events.length === 1, 'silent peer to be dropped');
    expect(m.rec.take()).toEqual(['left leaf-proxy']);
    expect(log()).toMatch(/Bus peer rawpeer at 127\.0\.0\.1:\d+ left: inbound link closed \(silent for 300 ms\)/);
    await until(() => socket.destroyed || socket.readableEnded, 'the silent link to close');
  });

  it('refuses a peer speaking another bus protocol', async () => {
    const bus = await startBus();
    const socket = connect({ host: '127.0.0.1', port: Number(bus.url.split(':')[1]) });
    rawSockets.push(socket);
    socket.resume();
    socket.write(delimited([{ kind: 'peer', peerId: 'future', url: '127.0.0.1:1', protocol: 99 }]));
    await new Promise((resolve) => socket.on('close', resolve));
    expect(bus.peerStatus()).toEqual([]);
  });

  it('closes a link whose receiver stops reading once too much is pending', async () => {
    const bus = await startBus([], { maxPendingBytes: 1024 * 1024 });
    const m = await joinMember(bus);
    const raw = new RawPeer('stuck');
    await raw.listen();
    raw.dial(bus.url, 'x');
    await until(() => m.endpoint.members().length === 1 && raw.accepted.length === 1, 'link');
    raw.accepted[0]!.pause();
    const target = m.endpoint.members()[0]!.memberId;
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 200 && bus.peerStatus()[0]?.outbound; i++) {
      m.endpoint.send(target, message('x', '', { headerSize: 0, data: chunk }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => /slow consumer/.test(log()), 'slow consumer close');
    expect(m.endpoint.members()).toEqual([]);
  });
});
