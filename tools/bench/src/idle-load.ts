import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawClient } from './raw-client.js';

const HANDSHAKE = Buffer.from('CONNECT {"verbose":false,"pedantic":false,"protocol":1,"lang":"nats-ts-bench"}\r\nPING\r\n', 'latin1');
const PONG = Buffer.from('PONG\r\n', 'latin1');
/** Connection attempts in flight at once; keeps the listen backlog from overflowing. */
const CONNECT_CONCURRENCY = 200;
const HANDSHAKE_TIMEOUT_MS = 15_000;
const SUBSCRIPTIONS_PER_WRITE = 2_000;
/** Lets the server finish allocating before its memory is read. */
const SETTLE_MS = 500;

/** Connects, sends CONNECT+PING and resolves with the socket once PONG arrives; the socket then idles. */
function openIdleConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (received.indexOf(PONG) < 0) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('connect', () => socket.write(HANDSHAKE));
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => socket.destroy(new Error('handshake timed out')));
    socket.once('error', reject);
  });
}

/** Soft limit on open files for this process, from /proc/self/limits. */
export function openFileLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'latin1');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  return !match || match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/**
 * Opens `count` idle client connections, calls `measure` while all are held, then closes them.
 * Throws (after closing what it opened) if any connection fails its handshake.
 */
export async function withIdleConnections<T>(port: number, count: number, measure: () => T): Promise<T> {
  const sockets: Socket[] = [];
  let next = 0;
  let finished = false;
  const connectSome = async (): Promise<void> => {
    while (next < count && !finished) {
      next++;
      const socket = await openIdleConnection(port);
      // A connection completing after another one failed is closed straight away.
      if (finished) socket.destroy();
      else sockets.push(socket);
    }
  };
  try {
    try {
      await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, connectSome));
    } catch (error) {
      throw new Error(`${sockets.length} of ${count} connections established, then: ${(error as Error).message}`);
    }
    await sleep(SETTLE_MS);
    return measure();
  } finally {
    finished = true;
    for (const socket of sockets) socket.destroy();
  }
}

/** Subscribes one connection to `count` distinct subjects, calls `measure`, then closes it. */
export async function withSubscriptions<T>(port: number, count: number, measure: () => T): Promise<T> {
  const client = await RawClient.open(port);
  try {
    for (let first = 0; first < count; first += SUBSCRIPTIONS_PER_WRITE) {
      const last = Math.min(count, first + SUBSCRIPTIONS_PER_WRITE);
      let lines = '';
      for (let sid = first + 1; sid <= last; sid++) lines += `SUB bench.subject.${sid} ${sid}\r\n`;
      if (!client.socket.write(lines, 'latin1')) await new Promise((resolve) => client.socket.once('drain', resolve));
    }
    await client.flush(60_000);
    await sleep(SETTLE_MS);
    return measure();
  } finally {
    client.close();
  }
}
