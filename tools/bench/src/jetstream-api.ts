import { headerBytesOf } from './frame-reader.js';
import { RawClient } from './raw-client.js';

/** The stream every JetStream row writes to. */
export const BENCH_STREAM = 'BENCH';
/** The KV bucket of the `kvput` and `kvget` rows: stream `KV_bench` on `$KV.bench.>`. */
export const BENCH_BUCKET = 'bench';
const API_TIMEOUT_MS = 10_000;

/**
 * One JetStream API request on a connection of its own (set-up, not load): throws on a status
 * reply (no responders: JetStream is off), a timeout or an `error` in the reply's JSON; returns
 * the reply's JSON.
 */
async function apiRequest(port: number, subject: string, body: string): Promise<Record<string, unknown>> {
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
  const reply = JSON.parse(payload.toString('utf8', Math.max(0, headerBytes))) as Record<string, unknown> & {
    error?: { description?: string };
  };
  if (reply.error !== undefined) throw new Error(`${subject}: ${reply.error.description ?? JSON.stringify(reply.error)}`);
  return reply;
}

/**
 * Resolves once `$JS.API.INFO` is answered. nats-ts greets clients before its stream-store role
 * has started (roles start in turn); nats-server starts JetStream before it listens.
 */
export async function waitForJetStream(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await apiRequest(port, '$JS.API.INFO', '');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Creates the bench stream on `subject`, file storage, answering DIRECT.GET (allow_direct). */
export async function createBenchStream(port: number, subject: string): Promise<void> {
  await createStream(port, { name: BENCH_STREAM, subjects: [subject], storage: 'file', allow_direct: true });
}

/** Creates a stream with `config` (its `name` included). */
export async function createStream(port: number, config: { name: string } & Record<string, unknown>): Promise<void> {
  await apiRequest(port, `$JS.API.STREAM.CREATE.${config.name}`, JSON.stringify(config));
}

/** How many messages STREAM.INFO says `stream` holds. */
export async function streamMessageCount(port: number, stream: string): Promise<number> {
  const info = (await apiRequest(port, `$JS.API.STREAM.INFO.${stream}`, '')) as { state?: { messages?: number } };
  return info.state?.messages ?? 0;
}

export async function deleteBenchStream(port: number): Promise<void> {
  await apiRequest(port, `$JS.API.STREAM.DELETE.${BENCH_STREAM}`, '');
}

/** What the bench reads of CONSUMER.INFO (and of a create response, which has the same shape). */
export interface ConsumerState {
  name: string;
  delivered: { stream_seq: number };
  ack_floor: { stream_seq: number };
  num_ack_pending: number;
  num_pending: number;
}

/**
 * An ephemeral push consumer of the bench stream delivering every message to `deliverSubject`
 * without acks, as `CONSUMER.CREATE.<stream>` with only the deliver subject and policies.
 */
export async function createPushConsumer(port: number, deliverSubject: string): Promise<ConsumerState> {
  const request = { stream_name: BENCH_STREAM, config: { deliver_subject: deliverSubject, deliver_policy: 'all', ack_policy: 'none' } };
  return (await apiRequest(port, `$JS.API.CONSUMER.CREATE.${BENCH_STREAM}`, JSON.stringify(request))) as unknown as ConsumerState;
}

/** A durable pull consumer of the bench stream from its first message, every delivery to be acked. */
export async function createPullConsumer(port: number, durable: string): Promise<ConsumerState> {
  const request = { stream_name: BENCH_STREAM, config: { durable_name: durable, deliver_policy: 'all', ack_policy: 'explicit' } };
  return (await apiRequest(port, `$JS.API.CONSUMER.CREATE.${BENCH_STREAM}.${durable}`, JSON.stringify(request))) as unknown as ConsumerState;
}

export async function consumerInfo(port: number, name: string): Promise<ConsumerState> {
  return (await apiRequest(port, `$JS.API.CONSUMER.INFO.${BENCH_STREAM}.${name}`, '')) as unknown as ConsumerState;
}

export async function deleteConsumer(port: number, name: string): Promise<void> {
  await apiRequest(port, `$JS.API.CONSUMER.DELETE.${BENCH_STREAM}.${name}`, '');
}

/** The KV stream's name for a bucket. */
export function kvStreamOf(bucket: string): string {
  return `KV_${bucket}`;
}

/**
 * A KV bucket as the clients create it (`kvm.create(bucket)`, history 1): stream `KV_<bucket>` on
 * `$KV.<bucket>.>`, one message per key, answering DIRECT.GET.
 */
export async function createKvBucket(port: number, bucket: string): Promise<void> {
  const stream = kvStreamOf(bucket);
  const config = {
    name: stream,
    subjects: [`$KV.${bucket}.>`],
    max_msgs_per_subject: 1,
    discard: 'new',
    allow_direct: true,
    allow_rollup_hdrs: true,
    deny_delete: true,
    deny_purge: false,
    storage: 'file',
    retention: 'limits',
    num_replicas: 1,
  };
  await apiRequest(port, `$JS.API.STREAM.CREATE.${stream}`, JSON.stringify(config));
}

export async function deleteKvBucket(port: number, bucket: string): Promise<void> {
  await apiRequest(port, `$JS.API.STREAM.DELETE.${kvStreamOf(bucket)}`, '');
}
