import { headerBytesOf } from './frame-reader.js';
import { RawClient } from './raw-client.js';

/** The stream every JetStream row writes to. */
export const BENCH_STREAM = 'BENCH';
const API_TIMEOUT_MS = 10_000;

/**
 * One JetStream API request on a connection of its own (set-up, not load): throws on a status
 * reply (no responders: JetStream is off), a timeout or an `error` in the reply's JSON.
 */
async function apiRequest(port: number, subject: string, body: string): Promise<void> {
  const inbox = `_INBOX.bench.api.${process.pid}`;
  const pieces: Buffer[] = [];
  let headerBytes = -1;
  let settle: { resolve(): void; reject(error: Error): void } | undefined;
  const replied = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const client = await RawClient.open(
    port,
    {
      onMessageHeader: (line, start, end) => (headerBytes = headerBytesOf(line, start, end)),
      // The read buffer is reused, so the pieces are copied.
      onPayload: (chunk, start, end) => pieces.push(Buffer.from(chunk.subarray(start, end))),
      onMessageEnd: () => settle?.resolve(),
      onFailure: (error) => settle?.reject(error),
    },
    { headers: true },
  );
  const timer = setTimeout(() => settle?.reject(new Error(`no reply to ${subject} within ${API_TIMEOUT_MS} ms`)), API_TIMEOUT_MS);
  try {
    client.socket.write(`SUB ${inbox} 1\r\nPUB ${subject} ${inbox} ${Buffer.byteLength(body)}\r\n${body}\r\n`);
    await replied;
  } finally {
    clearTimeout(timer);
    client.close();
  }
  const payload = Buffer.concat(pieces);
  if (headerBytes >= 0) {
    const status = payload.toString('latin1', 0, headerBytes).split('\r\n')[0];
    if (status.includes(' 503')) throw new Error(`${subject}: no responders (is JetStream on?)`);
    if (status !== 'NATS/1.0') throw new Error(`${subject}: ${status}`);
  }
  const reply = JSON.parse(payload.toString('utf8', Math.max(0, headerBytes))) as { error?: { description?: string } };
  if (reply.error !== undefined) throw new Error(`${subject}: ${reply.error.description ?? JSON.stringify(reply.error)}`);
}

/** Creates the bench stream on `subject`, file storage, answering DIRECT.GET (allow_direct). */
export async function createBenchStream(port: number, subject: string): Promise<void> {
  const config = { name: BENCH_STREAM, subjects: [subject], storage: 'file', allow_direct: true };
  await apiRequest(port, `$JS.API.STREAM.CREATE.${BENCH_STREAM}`, JSON.stringify(config));
}

export async function deleteBenchStream(port: number): Promise<void> {
  await apiRequest(port, `$JS.API.STREAM.DELETE.${BENCH_STREAM}`, '');
}
