// One fuzzing connection: the handshake its kind needs, then generated frames with mutations or
// random bytes after them, written in randomly cut pieces; then our side ends and we wait for
// the server to close.
import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import { clientFrame, leafFrame, mutate, mutation, routeFrame, streamOf, type Frame } from './frames.js';
import type { LinkKind } from './options.js';

/** What one connection sent and what came back. */
export interface SessionResult {
  readonly kind: LinkKind;
  readonly frames: number;
  readonly mutations: number;
  readonly randomChunks: number;
  readonly bytes: number;
  /** The `-ERR` texts the server sent. */
  readonly errors: readonly string[];
}

// After the handshake a session sends no CONNECT, INFO or -ERR: each would only end it early
// (a second route INFO names another server, a peer's -ERR closes the link).
const socketFrames: Record<LinkKind, fc.Arbitrary<Frame<unknown>>> = {
  client: clientFrame.filter((frame) => frame.event?.[0] !== 'connect'),
  route: routeFrame.filter((frame) => !['connect', 'info', 'err'].includes(frame.event?.[0] ?? '')),
  leaf: leafFrame.filter((frame) => !['connect', 'info', 'err'].includes(frame.event?.[0] ?? '')),
};

/** What a session does after its frames: mutate them (1 to 3 times), add random bytes, or neither. */
const ending = fc.oneof(
  { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => ({ mutations, random: undefined })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 512 }).map((random) => ({ mutations: [], random })) },
  { weight: 1, arbitrary: fc.constant({ mutations: [], random: undefined }) },
);
const cuts = fc.array(fc.nat(), { maxLength: 6 });

function handshake(kind: LinkKind, id: string, localPort: number): string {
  switch (kind) {
    case 'client':
      return `CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true,"name":"fuzz-${id}"}\r\n`;
    case 'route':
      return (
        `CONNECT {"echo":true,"verbose":false,"pedantic":false,"tls_required":false,"headers":true,"name":"${id}","cluster":"fuzz","lnoc":true}\r\n` +
        `INFO {"server_id":"${id}","server_name":"${id}","version":"2.9.10","proto":2,"host":"127.0.0.1","port":${localPort},"headers":true,"max_payload":1048576,"cluster":"fuzz","lnoc":true}\r\n`
      );
    case 'leaf':
      return `CONNECT {"version":"2.9.10","tls_required":false,"server_id":"${id}","name":"${id}","headers":true}\r\n`;
  }
}

/** The session's bytes, from the seed alone (a failing seed replays the same run). */
export function sessionBytes(kind: LinkKind, frameCount: number, seed: number): { stream: Buffer; pieces: Buffer[]; mutations: number; randomChunks: number } {
  const [frames, end, at] = fc.sample(fc.tuple(fc.array(socketFrames[kind], { minLength: frameCount, maxLength: frameCount }), ending, cuts), { numRuns: 1, seed })[0]!;
  let stream = streamOf(frames);
  for (const change of end.mutations) stream = mutate(stream, change);
  if (end.random !== undefined) stream = Buffer.concat([stream, end.random]);
  const offsets = [...new Set(at.map((cut) => (stream.length === 0 ? 0 : cut % stream.length)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let previous = 0;
  for (const offset of offsets) {
    if (offset > previous) pieces.push(stream.subarray(previous, offset));
    previous = offset;
  }
  if (previous < stream.length) pieces.push(stream.subarray(previous));
  return { stream, pieces, mutations: end.mutations.length, randomChunks: end.random === undefined ? 0 : 1 };
}

const SESSION_TIMEOUT_MS = 10_000;

/** Collects the server's -ERR lines as they arrive, holding only the line in progress. */
class ReplyScanner {
  readonly errors: string[] = [];
  private partial = '';

  push(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('latin1')).split('\r\n');
    // A line longer than any -ERR (a delivered payload) is not worth holding.
    this.partial = lines.pop()!.slice(0, 512);
    for (const line of lines) {
      if (line.startsWith('-ERR ')) this.errors.push(line.slice(5));
    }
  }
}

/** Runs one session against `port`; rejects only when the server cannot be reached or never closes. */
export function runSession(kind: LinkKind, port: number, frameCount: number, seed: number): Promise<SessionResult> {
  const id = `NFUZZ${seed.toString(36).toUpperCase()}`;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    const replies = new ReplyScanner();
    let started = false;
    let sent = { mutations: 0, randomChunks: 0, bytes: 0 };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${kind} session ${seed}: the server neither closed the connection nor answered within ${SESSION_TIMEOUT_MS} ms`));
    }, SESSION_TIMEOUT_MS);
    const start = (): void => {
      started = true;
      const bytes = sessionBytes(kind, frameCount, seed);
      sent = { mutations: bytes.mutations, randomChunks: bytes.randomChunks, bytes: bytes.stream.length };
      socket.write(handshake(kind, id, socket.localPort ?? 0));
      for (const piece of bytes.pieces) socket.write(piece);
      socket.end();
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      replies.push(chunk);
      // The server greets with INFO first.
      if (!started) start();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // A server closing on bad input may reset the connection while we still write.
      if (!started) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ kind, frames: started ? frameCount : 0, ...sent, errors: replies.errors });
    });
  });
}
