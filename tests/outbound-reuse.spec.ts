// A connection's output store is rewritten once its socket's queue is empty (OutboundBuffer.reuseStore).
// That is only safe if an empty queue means the kernel (or TLS) has consumed every Buffer handed to
// write(): this checks it on real TCP and TLS sockets, with a reader that stalls now and then so
// that writes go both ways (done at once, and queued).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundBuffer } from '@nats-ts/protocol';
import { generateTestCerts, type TestCerts } from './support/certs.js';

const ROUNDS = 3000;

/** Message `i`: a size from 1 byte to ~40 KiB and contents that differ per message. */
function message(i: number): Buffer {
  const size = 1 + ((i * 7919) % 40_000);
  const bytes = Buffer.allocUnsafe(size);
  for (let k = 0; k < size; k++) bytes[k] = (i + k) & 0xff;
  return bytes;
}

interface Outcome {
  received: Buffer;
  expected: Buffer;
  reused: number;
  queued: number;
}

/** Writes ROUNDS messages through an OutboundBuffer the way connections do, reusing its store when allowed. */
async function pump(writer: Socket, reader: Socket): Promise<Outcome> {
  const chunks: Buffer[] = [];
  reader.on('data', (chunk: Buffer) => {
    chunks.push(Buffer.from(chunk));
    // Stall now and then so the writer's socket queues.
    if (chunks.length % 50 === 0) {
      reader.pause();
      setTimeout(() => reader.resume(), 5);
    }
  });
  const expected: Buffer[] = [];
  const out = new OutboundBuffer();
  let reused = 0;
  let queued = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const msg = message(i);
    expected.push(msg);
    out.writeBytes(msg);
    if (i % 3 !== 2) continue;
    const ok = writer.write(out.take());
    if (ok && writer.writableLength === 0) {
      out.reuseStore();
      reused++;
    } else {
      queued++;
    }
    if (!ok) await once(writer, 'drain');
  }
  writer.end(out.take());
  await once(reader, 'end');
  return { received: Buffer.concat(chunks), expected: Buffer.concat(expected), reused, queued };
}

/** Pumps from the server's side of one connection to a client made by `dial`. */
async function pumpOver(server: Server, acceptEvent: string, dial: (port: number) => Promise<Socket>): Promise<Outcome> {
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const accepted = once(server, acceptEvent);
  const client = await dial(port);
  const [serverSide] = (await accepted) as [Socket];
  try {
    return await pump(serverSide, client);
  } finally {
    server.close();
  }
}

describe('reusing an output store once the socket queue is empty', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = generateTestCerts();
  });
  afterAll(() => certs.cleanup());

  it('delivers every byte over TCP', async () => {
    const outcome = await pumpOver(createServer(), 'connection', (port) => {
      const client = connect(port, '127.0.0.1');
      return once(client, 'connect').then(() => client);
    });
    expect(outcome.received.equals(outcome.expected)).toBe(true);
    expect(outcome.reused).toBeGreaterThan(0);
    expect(outcome.queued).toBeGreaterThan(0);
  });

  it('delivers every byte over TLS', async () => {
    const server = createTlsServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) });
    const outcome = await pumpOver(server, 'secureConnection', (port) => {
      const client = tlsConnect({ port, host: '127.0.0.1', ca: readFileSync(certs.caCert) });
      return once(client, 'secureConnect').then(() => client);
    });
    expect(outcome.received.equals(outcome.expected)).toBe(true);
    // A TLS write completes only after encryption, later in the loop: its queue is not empty at once.
    expect(outcome.queued).toBeGreaterThan(0);
  });
});
