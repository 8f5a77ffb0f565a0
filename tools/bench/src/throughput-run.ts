import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadWorkerHandle } from './load-worker-handle.js';
import { percentileInPlace } from './stats.js';
import { THROUGHPUT_SHAPES, type ThroughputScenarioName } from './scenarios.js';

export const WORKER_READY_TIMEOUT_MS = 10_000;
/**
 * Every scenario publishes on this one short, single-token subject (each row runs on fresh
 * servers). nats-server's per-message cost grows with subject length and token count
 * (about 9 M msgs/s on `foo` against 6 M on `bench.pub` here), so it is kept fixed.
 */
export const SUBJECT = 'foo';
/** How long a server may take to process what a publisher had queued when its window closed. */
export const FLUSH_TIMEOUT_MS = 20_000;

export interface RunTiming {
  warmupMs: number;
  windowMs: number;
}

export interface ReqRepSample {
  rate: number;
  p50Micros: number;
  p99Micros: number;
}

function sumCounters(counters: BigInt64Array): number {
  let total = 0n;
  for (let slot = 0; slot < counters.length; slot++) total += Atomics.load(counters, slot);
  return Number(total);
}

async function stopAll(workers: readonly LoadWorkerHandle[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.stop()));
}

function firstError(workers: readonly LoadWorkerHandle[]): Error | undefined {
  return workers.find((worker) => worker.error)?.error;
}

/** Where the load connects: the publisher's server and the subscribers' (the same one unless routed). */
export interface LoadPorts {
  publisher: number;
  subscribers: number;
}

/**
 * One measurement of a throughput scenario, in messages per second. `pub` counts messages
 * the server accepted (writes confirmed by a final PING/PONG); the others count messages
 * received by the subscribers during the window after a warm-up.
 */
export async function measureThroughput(
  ports: LoadPorts,
  scenario: ThroughputScenarioName,
  payloadSize: number,
  timing: RunTiming,
): Promise<number> {
  const shape = THROUGHPUT_SHAPES[scenario];
  const counters = new BigInt64Array(new SharedArrayBuffer(8 * Math.max(1, shape.subscribers)));
  const workers: LoadWorkerHandle[] = [];
  try {
    const subscribers = await Promise.all(
      Array.from({ length: shape.subscribers }, (_, slot) =>
        LoadWorkerHandle.start(
          {
            role: 'subscriber',
            port: ports.subscribers,
            subject: SUBJECT,
            ...(shape.queueGroup ? { queue: 'bench-workers' } : {}),
            counters: counters.buffer as SharedArrayBuffer,
            slot,
          },
          WORKER_READY_TIMEOUT_MS,
        ),
      ),
    );
    workers.push(...subscribers);
    const publisher = await LoadWorkerHandle.start(
      { role: 'publisher', port: ports.publisher, subject: SUBJECT, payloadSize },
      WORKER_READY_TIMEOUT_MS,
    );
    workers.push(publisher);

    if (shape.subscribers === 0) {
      publisher.send({ type: 'publish', durationMs: timing.windowMs, flushTimeoutMs: FLUSH_TIMEOUT_MS });
      const { result } = await publisher.next('published', timing.windowMs + FLUSH_TIMEOUT_MS + 5_000);
      return (result.messages / result.elapsedMs) * 1000;
    }

    publisher.send({ type: 'publish', durationMs: timing.warmupMs + timing.windowMs, flushTimeoutMs: FLUSH_TIMEOUT_MS });
    await sleep(timing.warmupMs);
    const startCount = sumCounters(counters);
    const startedAt = performance.now();
    await sleep(timing.windowMs);
    const endCount = sumCounters(counters);
    const elapsedMs = performance.now() - startedAt;
    const error = firstError(workers);
    if (error) throw error;
    return ((endCount - startCount) / elapsedMs) * 1000;
  } finally {
    await stopAll(workers);
  }
}

/** One closed-loop request/reply measurement: rate and round-trip latency percentiles. */
export async function measureRequestReply(port: number, payloadSize: number, timing: RunTiming): Promise<ReqRepSample> {
  const workers: LoadWorkerHandle[] = [];
  try {
    workers.push(await LoadWorkerHandle.start({ role: 'responder', port, subject: SUBJECT, payloadSize }, WORKER_READY_TIMEOUT_MS));
    const requester = await LoadWorkerHandle.start({ role: 'requester', port, subject: SUBJECT, payloadSize }, WORKER_READY_TIMEOUT_MS);
    workers.push(requester);
    requester.send({ type: 'request', warmupMs: timing.warmupMs, windowMs: timing.windowMs });
    const { result } = await requester.next('requested', timing.warmupMs + timing.windowMs + FLUSH_TIMEOUT_MS);
    const error = firstError(workers);
    if (error) throw error;
    return {
      rate: (result.replies / result.windowMs) * 1000,
      p50Micros: percentileInPlace(result.latenciesMicros, 50),
      p99Micros: percentileInPlace(result.latenciesMicros, 99),
    };
  } finally {
    await stopAll(workers);
  }
}
