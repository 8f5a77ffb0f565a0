// WebSocket client listener: NATS protocol carried in binary WebSocket messages, interoperating with
// TCP clients, with optional permessage-deflate compression.
import { connect as netConnect, type Socket } from 'node:net';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { nkeyAuthenticator, wsconnect } from '@nats-io/nats-core';
import { createUser } from '@nats-io/nkeys';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

// Node 20 has no global WebSocket; the official websocket transport needs one.
const previousWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
});
afterAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = previousWebSocket;
});

const wsConfig = (compression: boolean): string =>
  `websocket { listen: "127.0.0.1:-1", no_tls: true, compression: ${compression} }`;

interface Frame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/** Parses complete server frames (never masked) from the front of `data`; returns them and the unparsed rest. */
function parseFrames(data: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let offset = 0;
  while (data.length - offset >= 2) {
    const b0 = data[offset]!;
    let length = data[offset + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (data.length - offset < 4) break;
      length = data.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (data.length - offset < 10) break;
      length = Number(data.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (data.length - offset < header + length) break;
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      opcode: b0 & 0x0f,
      payload: data.subarray(offset + header, offset + header + length),
    });
    offset += header + length;
  }
  return { frames, rest: data.subarray(offset) };
}

/** A masked, final, uncompressed binary frame, as a client must send it. */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const lengthBytes =
    payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x82]), lengthBytes, mask, masked]);
}

/** A hand-rolled WebSocket client: exact handshake headers and frame bits are visible to the test. */
class RawWebSocket {
  responseHead = '';
  readonly frames: Frame[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private headDone = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      if (!this.headDone) {
        const end = this.pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.responseHead = this.pending.subarray(0, end).toString('latin1');
        this.pending = this.pending.subarray(end + 4);
        this.headDone = true;
      }
      const { frames, rest } = parseFrames(this.pending);
      this.frames.push(...frames);
      this.pending = rest;
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, offerCompression: boolean): Promise<RawWebSocket> {
    const socket = netConnect({ host: '127.0.0.1', port });
    const client = new RawWebSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(
      [
        'GET / HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        ...(offerCompression ? ['Sec-WebSocket-Extensions: permessage-deflate'] : []),
        '',
        '',
      ].join('\r\n'),
    );
    await client.waitFor(() => client.frames.length > 0, 'the first frame');
    return client;
  }

  /** The text of a data frame, inflated when it was sent compressed (no context takeover). */
  static text(frame: Frame): string {
    // Per RFC 7692 the sender strips the trailing empty stored block; a sync flush stops without it.
    const bytes = frame.rsv1
      ? inflateRawSync(frame.payload, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
      : frame.payload;
    return bytes.toString('utf8');
  }

  async waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; head ${JSON.stringify(this.responseHead)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

describeEachTarget('websocket', (target) => {
  let server: RunningServer | undefined;
  const connections: NatsConnection[] = [];
  const closers: Array<() => void> = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    for (const close of closers.splice(0)) close();
    await server?.stop();
    server = undefined;
  });

  async function wsClient(): Promise<NatsConnection> {
    const nc = await wsconnect({ servers: server!.wsUrl!, reconnect: false, timeout: 3_000 });
    connections.push(nc);
    return nc;
  }

  async function tcpClient(): Promise<NatsConnection> {
    const nc = await connect({ servers: server!.clientUrl, reconnect: false, timeout: 3_000 });
    connections.push(nc);
    return nc;
  }

  describe('official clients', () => {
    it('the ports file lists the websocket listener as ws://', async () => {
      server = await startServer(target, wsConfig(false));
      expect(server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    });

    it('a websocket client and a TCP client exchange messages both ways', async () => {
      server = await startServer(target, wsConfig(false));
      const ws = await wsClient();
      const tcp = await tcpClient();
      const toWs = ws.subscribe('to.ws', { max: 1 });
      const toTcp = tcp.subscribe('to.tcp', { max: 1 });
      await Promise.all([ws.flush(), tcp.flush()]);
      tcp.publish('to.ws', 'hello websocket');
      ws.publish('to.tcp', 'hello tcp');
      for await (const msg of toWs) expect(msg.string()).toBe('hello websocket');
      for await (const msg of toTcp) expect(msg.string()).toBe('hello tcp');
    });

    it('an nkey user signs in over websocket as over TCP', async () => {
      const user = createUser();
      server = await startServer(target, `${wsConfig(false)}\nauthorization { users: [ { nkey: ${user.getPublicKey()} } ] }`);
      const ws = await wsconnect({ servers: server.wsUrl!, reconnect: false, timeout: 3_000, authenticator: nkeyAuthenticator(user.getSeed()) });
      connections.push(ws);
      await ws.flush();
      await expect(wsClient()).rejects.toThrow(/Authorization Violation/i);
    });

    it('request/reply across transports', async () => {
      server = await startServer(target, wsConfig(false));
      const ws = await wsClient();
      const tcp = await tcpClient();
      tcp.subscribe('svc.tcp', { callback: (_err, msg) => {
        msg.respond(`tcp:${msg.string()}`);
      } });
      ws.subscribe('svc.ws', { callback: (_err, msg) => {
        msg.respond(`ws:${msg.string()}`);
      } });
      await Promise.all([ws.flush(), tcp.flush()]);
      expect((await ws.request('svc.tcp', 'a', { timeout: 3_000 })).string()).toBe('tcp:a');
      expect((await tcp.request('svc.ws', 'b', { timeout: 3_000 })).string()).toBe('ws:b');
    });

    it('headers survive the trip from a websocket client to a TCP client', async () => {
      server = await startServer(target, wsConfig(false));
      const ws = await wsClient();
      const tcp = await tcpClient();
      const sub = tcp.subscribe('with.headers', { max: 1 });
      await tcp.flush();
      const hdrs = headers();
      hdrs.set('X-Trace', 'abc-123');
      hdrs.append('X-Multi', 'one');
      hdrs.append('X-Multi', 'two');
      ws.publish('with.headers', 'body', { headers: hdrs });
      for await (const msg of sub) {
        expect(msg.string()).toBe('body');
        expect(msg.headers?.get('X-Trace')).toBe('abc-123');
        expect(msg.headers?.values('X-Multi')).toEqual(['one', 'two']);
      }
    });

    it('works with compression enabled', async () => {
      server = await startServer(target, wsConfig(true));
      const ws = await wsClient();
      const tcp = await tcpClient();
      const sub = ws.subscribe('big', { max: 1 });
      await ws.flush();
      const payload = 'compressible '.repeat(2_000);
      tcp.publish('big', payload);
      for await (const msg of sub) expect(msg.string()).toBe(payload);
    });
  });

  describe('wire level', () => {
    it('the first WebSocket message is the INFO, in a binary frame; the protocol runs inside frames', async () => {
      server = await startServer(target, wsConfig(false));
      const socket = new WebSocket(server.wsUrl!, { perMessageDeflate: false });
      closers.push(() => socket.terminate());
      const messages: Array<{ text: string; binary: boolean }> = [];
      socket.on('message', (data: Buffer, binary: boolean) => messages.push({ text: data.toString('utf8'), binary }));
      await new Promise<void>((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      await expect.poll(() => messages.length, { timeout: 3_000 }).toBeGreaterThan(0);
      expect(messages[0]!.binary).toBe(true);
      expect(messages[0]!.text).toMatch(/^INFO \{.*\}\s*\r\n$/s);
      const info = JSON.parse(messages[0]!.text.slice('INFO '.length));
      expect(info.headers).toBe(true);
      socket.send(Buffer.from('CONNECT {"verbose":false,"pedantic":false}\r\nSUB raw 1\r\nPUB raw 5\r\nhello\r\nPING\r\n'));
      await expect.poll(() => messages.map((m) => m.text).join(''), { timeout: 3_000 }).toContain('PONG\r\n');
      expect(messages.slice(1).map((m) => m.text).join('')).toBe('MSG raw 1 5\r\nhello\r\nPONG\r\n');
    });

    it('compression: true negotiates permessage-deflate and compresses large frames', async () => {
      server = await startServer(target, wsConfig(true));
      const raw = await RawWebSocket.open(Number(new URL(server.wsUrl!).port), true);
      closers.push(() => raw.close());
      expect(raw.responseHead).toMatch(/^HTTP\/1\.1 101 /);
      expect(raw.responseHead).toMatch(/^Sec-WebSocket-Extensions: permessage-deflate/im);
      const info = raw.frames[0]!;
      expect(info.opcode).toBe(2);
      expect(info.rsv1).toBe(true);
      expect(RawWebSocket.text(info)).toMatch(/^INFO \{/);
      raw.socket.write(clientFrame('CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n'));
      await raw.waitFor(() => raw.frames.some((frame) => RawWebSocket.text(frame) === 'PONG\r\n'), 'PONG');
    });

    it('the ws library negotiates compression when enabled', async () => {
      server = await startServer(target, wsConfig(true));
      const socket = new WebSocket(server.wsUrl!, { perMessageDeflate: true });
      closers.push(() => socket.terminate());
      await new Promise<void>((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      expect(socket.extensions).toContain('permessage-deflate');
    });

    it('compression: false ignores the offer and sends uncompressed frames', async () => {
      server = await startServer(target, wsConfig(false));
      const raw = await RawWebSocket.open(Number(new URL(server.wsUrl!).port), true);
      closers.push(() => raw.close());
      expect(raw.responseHead).toMatch(/^HTTP\/1\.1 101 /);
      expect(raw.responseHead).not.toMatch(/Sec-WebSocket-Extensions/i);
      const info = raw.frames[0]!;
      expect(info.opcode).toBe(2);
      expect(info.rsv1).toBe(false);
      expect(info.payload.toString('utf8')).toMatch(/^INFO \{/);
    });

    it('a plain HTTP request without upgrade is answered 400', async () => {
      server = await startServer(target, wsConfig(false));
      const response = await fetch(server.wsUrl!.replace(/^ws:/, 'http:'));
      expect(response.status).toBe(400);
    });
  });
});
