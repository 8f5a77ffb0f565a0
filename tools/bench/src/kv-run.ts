import { BENCH_BUCKET, createKvBucket, deleteKvBucket } from './jetstream-api.js';
import { LoadWorkerHandle } from './load-worker-handle.js';
import type { BenchServer } from './server-process.js';
import { FLUSH_TIMEOUT_MS, WORKER_READY_TIMEOUT_MS, type RunTiming } from './throughput-run.js';

/** Keys `k000` … `k999` of the bench bucket. */
export const KV_KEYS = 1000;
/** Puts awaiting their ack, as jspub keeps publishes. */
const PUTS_IN_FLIGHT = 256;
/** DIRECT.GET requests awaiting their reply, as jsstream's reader keeps them. */
const GETS_IN_FLIGHT = 64;

const KV_SUBJECT_PREFIX = `$KV.${BENCH_BUCKET}`;

function startPutter(port: number, payloadSize: number): Promise<LoadWorkerHandle> {
  return LoadWorkerHandle.start(
    { role: 'jetstream-publisher', port, subject: KV_SUBJECT_PREFIX, payloadSize, inFlight: PUTS_IN_FLIGHT, keys: KV_KEYS },
    WORKER_READY_TIMEOUT_MS,
  );
}

/**
 * One `kvput` measurement: a fresh bucket, puts (acked publishes to `$KV.bench.k<i>`) over the
 * key space in turn with 256 awaiting their ack; acks per second in the window after the warm-up.
 * The bucket keeps one value per key, so each put past the first thousand replaces one. It is
 * deleted after a successful run.
 */
export async function measureKvPut(port: number, payloadSize: number, timing: RunTiming): Promise<number> {
  await createKvBucket(port, BENCH_BUCKET);
  const putter = await startPutter(port, payloadSize);
  let result;
  try {
    putter.send({ type: 'publish-acked-window', warmupMs: timing.warmupMs, windowMs: timing.windowMs });
    ({ result } = await putter.next('acked', timing.warmupMs + timing.windowMs + FLUSH_TIMEOUT_MS));
  } finally {
    await putter.stop();
  }
  await deleteKvBucket(port, BENCH_BUCKET);
  return (result.acks / result.elapsedMs) * 1000;
}

/** Servers whose bench bucket holds every key already: filled once per server, read by every run. */
const filledServers = new WeakSet<BenchServer>();

/** Creates the bucket and puts every key once, on the first run against `server`. */
async function ensureBucket(server: BenchServer, payloadSize: number): Promise<void> {
  if (filledServers.has(server)) return;
  await createKvBucket(server.port, BENCH_BUCKET);
  const putter = await startPutter(server.port, payloadSize);
  try {
    putter.send({ type: 'publish-acked-count', messages: KV_KEYS });
    await putter.next('acked', FLUSH_TIMEOUT_MS);
  } finally {
    await putter.stop();
  }
  filledServers.add(server);
}

/**
 * One `kvget` measurement: the bucket holds every key once (put on the first run); gets as
 * `$JS.API.DIRECT.GET.KV_bench.$KV.bench.k<i>` with an empty body, over the keys in turn, 64 in
 * flight; replies per second in the window after the warm-up, each checked.
 */
export async function measureKvGet(server: BenchServer, payloadSize: number, timing: RunTiming): Promise<number> {
  await ensureBucket(server, payloadSize);
  const getter = await LoadWorkerHandle.start(
    { role: 'kv-getter', port: server.port, bucket: BENCH_BUCKET, keys: KV_KEYS, payloadSize, inFlight: GETS_IN_FLIGHT },
    WORKER_READY_TIMEOUT_MS,
  );
  try {
    getter.send({ type: 'get-window', warmupMs: timing.warmupMs, windowMs: timing.windowMs });
    const { result } = await getter.next('got', timing.warmupMs + timing.windowMs + FLUSH_TIMEOUT_MS);
    return (result.replies / result.elapsedMs) * 1000;
  } finally {
    await getter.stop();
  }
}
