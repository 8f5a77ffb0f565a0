import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FrameRing, keyName } from './frame-ring.js';

/** Collects what would go to the socket. */
function fakeSocket(): { socket: Socket; written: () => string } {
  const chunks: Buffer[] = [];
  const socket = { write: (chunk: Buffer) => chunks.push(Buffer.from(chunk)) } as unknown as Socket;
  return { socket, written: () => Buffer.concat(chunks).toString('latin1') };
}

describe('FrameRing', () => {
  it('writes frames in turn from where the last write stopped, wrapping around', () => {
    const ring = FrameRing.of(3, (index) => Buffer.from(`<${index}>`, 'latin1'));
    expect(ring.frameBytes).toBe(3);
    const { socket, written } = fakeSocket();
    ring.write(socket, 2);
    ring.write(socket, 5);
    ring.write(socket, 0);
    expect(written()).toBe('<0><1><2><0><1><2><0>');
  });

  it('takes a pre-encoded batch of equal frames', () => {
    const ring = new FrameRing(Buffer.from('abababab', 'latin1'), 4);
    const { socket, written } = fakeSocket();
    ring.write(socket, 6);
    expect(written()).toBe('abababababab');
  });

  it('refuses frames of different sizes', () => {
    expect(() => FrameRing.of(11, (index) => Buffer.from(`k${index}`, 'latin1'))).toThrow(/frame 10 is 3 bytes, not 2/);
    expect(() => new FrameRing(Buffer.alloc(10), 3)).toThrow(/does not hold 3 equal frames/);
  });
});

describe('keyName', () => {
  it('pads every key of a key space to one width', () => {
    expect([keyName(0, 1000), keyName(42, 1000), keyName(999, 1000)]).toEqual(['k000', 'k042', 'k999']);
    expect(keyName(7, 10)).toBe('k7');
    expect(keyName(7, 1001)).toBe('k0007');
  });
});
