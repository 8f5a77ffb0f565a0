import { BENCH_STREAM, createBenchStream, deleteBenchStream } from './jetstream-api.js';
import { LoadWorkerHandle } from './load-worker-handle.js';
import { FLUSH_TIMEOUT_MS, SUBJECT, WORKER_READY_TIMEOUT_MS, type RunTiming } from './throughput-run.js';

/** Publishes awaiting their ack, as an async JetStream publisher keeps them. */
const PUBLISHES_IN_FLIGHT = 256;
/** DIRECT.GET requests awaiting their reply while a stream is read back. */
const READS_IN_FLIGHT = 64;

/**
 * Bound on writing or reading a whole stream: a minute plus one second per MiB. A server that
 * stops answering is caught sooner by the workers' stall watch.
 */
function transferTimeoutMs(bytes: number): number {
  return 60_000 + (bytes / 2 ** 20) * 1000;
}

/**
 * One measurement of acked JetStream publishing into a fresh file-stored stream on the bench
 * subject: acks per second in the window after a warm-up. The stream is deleted after the run,
 * so each run starts empty and the store holds one run's messages at most.
 */
export async function measureJetStreamPublish(port: number, payloadSize: number, timing: RunTiming): Promise<number> {
  await createBenchStream(port, SUBJECT);
  const publisher = await LoadWorkerHandle.start(
    { role: 'jetstream-publisher', port, subject: SUBJECT, payloadSize, inFlight: PUBLISHES_IN_FLIGHT },
    WORKER_READY_TIMEOUT_MS,
  );
  let result;
  try {
    publisher.send({ type: 'publish-acked-window', warmupMs: timing.warmupMs, windowMs: timing.windowMs });
    ({ result } = await publisher.next('acked', timing.warmupMs + timing.windowMs + FLUSH_TIMEOUT_MS));
  } finally {
    await publisher.stop();
  }
  // Only after a successful run: a failed one may have lost the server, and the next run's
  // create accepts the existing stream.
  await deleteBenchStream(port);
  return (result.acks / result.elapsedMs) * 1000;
}

/** Creates the bench stream and writes `messages` acked messages into it; resolves with the time taken. */
export async function writeBenchStream(port: number, messages: number, payloadSize: number): Promise<number> {
  await createBenchStream(port, SUBJECT);
  return publishAckedMessages(port, messages, payloadSize);
}

/** Publishes `messages` on the bench subject, each acked by the stream on it; resolves with the time taken. */
export async function publishAckedMessages(port: number, messages: number, payloadSize: number): Promise<number> {
  const publisher = await LoadWorkerHandle.start(
    { role: 'jetstream-publisher', port, subject: SUBJECT, payloadSize, inFlight: PUBLISHES_IN_FLIGHT },
    WORKER_READY_TIMEOUT_MS,
  );
  try {
    publisher.send({ type: 'publish-acked-count', messages });
    const { result } = await publisher.next('acked', transferTimeoutMs(messages * payloadSize));
    return result.elapsedMs;
  } finally {
    await publisher.stop();
  }
}

/** Reads sequences 1..`messages` of the bench stream back, checking each; resolves with the time taken. */
export async function readBenchStream(port: number, messages: number, payloadSize: number): Promise<number> {
  const reader = await LoadWorkerHandle.start(
    { role: 'stream-reader', port, stream: BENCH_STREAM, payloadSize, inFlight: READS_IN_FLIGHT },
    WORKER_READY_TIMEOUT_MS,
  );
  try {
    reader.send({ type: 'read-stream', messages });
    const { result } = await reader.next('stream-read', transferTimeoutMs(messages * payloadSize));
    return result.elapsedMs;
  } finally {
    await reader.stop();
  }
}
