// A publisher faster than a route can carry: the server holds it back (nats-server's fast-producer
// stall) instead of letting the route's backlog pass max_pending, which would close the route and
// lose messages. Against nats-ts and the reference nats-server alike.
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { clusterUrl, eventually, startClusterMember, waitForMesh, waitForRouteInterest } from './cluster-helpers.js';
import { describeEachTarget } from './support/servers.js';

const PAYLOAD = 1024;
const MSG_FRAME_BYTES = `MSG flood 1 ${PAYLOAD}\r\n`.length + PAYLOAD + 2;
const FLOOD_MS = 1000;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * A subscriber on its own thread (so the publisher's loop does not slow it down) that counts the
 * MSG frames it receives by their bytes; it posts 'ready' once subscribed, then its count on demand.
 */
const SUBSCRIBER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
let bytes = 0, ready = false;
const socket = net.connect(workerData.port, '127.0.0.1', () => socket.write('CONNECT {"verbose":false}\\r\\nSUB flood 1\\r\\nPING\\r\\n'));
socket.on('data', (chunk) => {
  if (ready) bytes += chunk.length;
  else if (chunk.toString('latin1').includes('PONG')) { ready = true; parentPort.postMessage('ready'); }
});
parentPort.on('message', (m) => { if (m === 'count') parentPort.postMessage(bytes); else socket.destroy(); });
`;

/** Writes PUB frames as fast as the socket drains for `ms`, then waits for the server's PONG; returns how many went. */
async function flood(socket: Socket, ms: number): Promise<number> {
  const frame = Buffer.from(`PUB flood ${PAYLOAD}\r\n${'x'.repeat(PAYLOAD)}\r\n`);
  const perBatch = Math.ceil(65536 / frame.length);
  const batch = Buffer.concat(Array.from({ length: perBatch }, () => frame));
  let written = 0;
  const until = Date.now() + ms;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (Date.now() < until) {
        written += perBatch;
        if (!socket.write(batch)) return;
      }
      socket.off('drain', pump);
      resolve();
    };
    socket.on('drain', pump);
    pump();
  });
  // Once the server answers this PING it has read every PUB before it.
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      if (!chunk.toString('latin1').includes('PONG')) return;
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
    socket.write('PING\r\n');
  });
  return written;
}

describeEachTarget('flow control of a fast publisher', (target) => {
  it('holds the publisher back rather than closing a route that falls behind: every message arrives', async () => {
    const a = await startClusterMember(target);
    const b = await startClusterMember(target, { routes: [clusterUrl(a)] });
    await waitForMesh([a, b]);
    const subscriber = new Worker(SUBSCRIBER_THREAD, { eval: true, workerData: { port: b.port } });
    const nextMessage = (): Promise<unknown> => new Promise((resolve) => subscriber.once('message', resolve));
    try {
      await nextMessage();
      await waitForRouteInterest([a], 'flood');
      const publisher = await open(a.port);
      publisher.write('CONNECT {"verbose":false}\r\n');
      const published = await flood(publisher, FLOOD_MS);
      publisher.destroy();
      await eventually(async () => {
        subscriber.postMessage('count');
        expect(((await nextMessage()) as number) / MSG_FRAME_BYTES).toBe(published);
      }, 30_000, 200);
    } finally {
      subscriber.postMessage('stop');
      await subscriber.terminate();
    }
    expect(a.output()).not.toMatch(/Slow Consumer/i);
    await Promise.all([a.stop(), b.stop()]);
  }, 60_000);
});
