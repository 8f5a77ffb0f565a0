import { createServer, connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen, peerAddress } from './listen.js';

describe('peerAddress', () => {
  it('reports IPv4-mapped IPv6 peers in IPv4 form, as nats-server does', () => {
    expect(peerAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(peerAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
  });

  it('leaves other addresses as they are', () => {
    expect(peerAddress('::1')).toBe('::1');
    expect(peerAddress('::ffff:1:2')).toBe('::ffff:1:2');
    expect(peerAddress('192.168.0.1')).toBe('192.168.0.1');
    expect(peerAddress(undefined)).toBe('');
  });
});

describe('listen', () => {
  it('reports the host asked for and the port bound; dual-stack 0.0.0.0 still takes IPv4 clients', async () => {
    const server = createServer((socket) => socket.end(peerAddress(socket.remoteAddress)));
    const bound = await listen(server, '0.0.0.0', -1, true);
    expect(bound.host).toBe('0.0.0.0');
    expect(bound.port).toBeGreaterThan(0);
    const seen = await new Promise<string>((resolve, reject) => {
      const socket = connect(bound.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(seen).toBe('127.0.0.1');
    await new Promise((resolve) => server.close(resolve));
  });
});
