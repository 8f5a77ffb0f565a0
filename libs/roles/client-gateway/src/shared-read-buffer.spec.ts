import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { readIntoSharedBuffer } from './shared-read-buffer.js';

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/** A server whose accepted sockets are adopted; resolves with the adopted socket and what it read. */
async function adoptOne(): Promise<{ port: number; adopted: Promise<{ socket: Socket; reads: Buffer[] }> }> {
  const s = createServer({ pauseOnConnect: true });
  server = s;
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const adopted = once(s, 'connection').then((args) => {
    const accepted = args[0] as Socket;
    const reads: Buffer[] = [];
    const socket = readIntoSharedBuffer(accepted, (chunk) => reads.push(Buffer.from(chunk)));
    if (socket === undefined) throw new Error('accepted socket was not adopted');
    return { socket, reads };
  });
  return { port: (s.address() as AddressInfo).port, adopted };
}

function connectionCount(s: Server): Promise<number> {
  return new Promise((resolve, reject) => s.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

describe('readIntoSharedBuffer', () => {
  it('adopts an accepted socket on this Node and delivers every byte in order', async () => {
    const { port, adopted } = await adoptOne();
    const sent = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < sent.length; i++) sent[i] = (i * 31) & 0xff;
    const client = connect(port, '127.0.0.1');
    client.end(sent);
    const { socket, reads } = await adopted;
    await once(socket, 'end');
    expect(Buffer.concat(reads).equals(sent)).toBe(true);
    expect(reads.every((chunk) => chunk.length <= 64 * 1024)).toBe(true);
  });

  it('writes through the adopted socket', async () => {
    const { port, adopted } = await adoptOne();
    const client = connect(port, '127.0.0.1');
    const { socket } = await adopted;
    socket.write('hello');
    const [data] = (await once(client, 'data')) as [Buffer];
    expect(data.toString()).toBe('hello');
    client.destroy();
  });

  it("keeps the server's connection count until the adopted socket closes", async () => {
    const { port, adopted } = await adoptOne();
    const client = connect(port, '127.0.0.1');
    const { socket } = await adopted;
    expect(await connectionCount(server!)).toBe(1);
    socket.destroy();
    await once(socket, 'close');
    // server.close() waits for this count to reach zero.
    expect(await connectionCount(server!)).toBe(0);
    client.destroy();
  });
});
