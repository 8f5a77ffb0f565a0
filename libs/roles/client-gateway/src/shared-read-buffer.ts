import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';

/**
 * Node reads every socket into a fresh 64 KiB buffer. A publisher sending 1 KiB messages at
 * full speed makes that the server's main garbage: the external memory drives frequent GCs and
 * the freed buffers make glibc shrink and regrow its heap (brk, page faults) every few reads.
 * Node's `onread` option reads into a caller's buffer instead, but only `new Socket()` takes it,
 * not a server's accepted sockets. This module moves an accepted socket's connection into a
 * socket built with `onread`; it is the one place that relies on Node internals: the accepted
 * socket's `_handle` and the `handle` option of the Socket constructor (what net.Server itself
 * uses to wrap an accepted connection).
 *
 * All such sockets share one buffer: reads are delivered one at a time on this thread and
 * every reader copies what it keeps beyond the call (the parser's contract already).
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

interface StreamHandle {
  readStart(): number;
  useUserBuffer(buffer: Uint8Array): void;
}

/** The accepted socket's fields this module reads and clears. */
interface AcceptedSocketInternals {
  _handle: StreamHandle | null;
}

/**
 * Returns a socket over `accepted`'s connection whose reads go to `onRead`, each a view of the
 * shared buffer valid only during the call; no 'data' events. Returns undefined, leaving
 * `accepted` as it was, when this Node's accepted sockets do not look as expected: the caller
 * then reads `accepted` with 'data' events. `accepted` must come from a server created with
 * `pauseOnConnect`, so that no read happens before the move.
 */
export function readIntoSharedBuffer(accepted: Socket, onRead: (chunk: Buffer) => void): Socket | undefined {
  const internals = accepted as unknown as AcceptedSocketInternals;
  const handle = internals._handle;
  if (!handle || typeof handle.readStart !== 'function' || typeof handle.useUserBuffer !== 'function') return undefined;
  internals._handle = null;
  const onread: OnReadOpts = {
    buffer: SHARED_READ_BUFFER,
    callback: (length: number) => {
      onRead(SHARED_READ_BUFFER.subarray(0, length));
      return true;
    },
  };
  const options: SocketConstructorOpts & { handle: StreamHandle; onread: OnReadOpts } = { handle, onread, readable: true, writable: true };
  const adopted = new Socket(options);
  // The server counts its connections by the accepted socket (server.close() waits for them):
  // it ends, without a connection of its own to close, when the adopted socket does.
  adopted.once('close', () => accepted.destroy());
  return adopted;
}
