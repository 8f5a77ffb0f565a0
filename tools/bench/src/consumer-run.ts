import { setTimeout as sleep } from 'node:timers/promises';
import {
  BENCH_STREAM,
  consumerInfo,
  createPullConsumer,
  createPushConsumer,
  deleteConsumer,
  type ConsumerState,
} from './jetstream-api.js';
import { writeBenchStream } from './jetstream-run.js';
import { LoadWorkerHandle } from './load-worker-handle.js';
import { messageOf } from './row-context.js';
import type { DrainResult } from './push-consumer.js';
import type { BenchServer } from './server-process.js';
import { WORKER_READY_TIMEOUT_MS, type RunTiming } from './throughput-run.js';

/**
 * Messages per second of the measured span the stream is sized for: a drain at this rate takes
 * as long as the other rows' warm-up plus window. Filling costs the acked publisher's time
 * (jspub's rate), once per server of a row, so the stream cannot be sized for the fastest
 * consumer; a faster drain just takes less than the window.
 */
const DRAIN_MESSAGES_PER_SECOND = 250_000;
/** How long the server may take to show the acks of a finished drain in CONSUMER.INFO. */
const ACK_SETTLE_MS = 5_000;

/** The stream's length for a row and the part of it that is warm-up (the same share as the other rows' warm-up). */
export function drainTarget(timing: RunTiming): { messages: number; warmupMessages: number } {
  const spanMs = timing.warmupMs + timing.windowMs;
  const messages = Math.ceil((spanMs / 1000) * DRAIN_MESSAGES_PER_SECOND);
  return { messages, warmupMessages: Math.max(1, Math.floor((messages * timing.warmupMs) / spanMs)) };
}

/** Bound on one drain: a minute plus a second per 100,000 messages; the workers' stall watch catches a silent server sooner. */
function drainTimeoutMs(messages: number): number {
  return 60_000 + messages / 100;
}

/** Servers whose bench stream holds the row's messages already: filled once per server, read by every run. */
const filledServers = new WeakMap<BenchServer, number>();

/** Creates and fills the bench stream on the first run against `server`; later runs read the same messages. */
async function ensureFilled(server: BenchServer, messages: number, payloadSize: number): Promise<void> {
  if (filledServers.get(server) === messages) return;
  if (filledServers.has(server)) throw new Error('the bench stream was filled for another window');
  await writeBenchStream(server.port, messages, payloadSize);
  filledServers.set(server, messages);
}

let consumersMade = 0;

function rateOf(result: DrainResult): number {
  return (result.messages / result.elapsedMs) * 1000;
}

function describe(state: ConsumerState): string {
  return (
    `delivered stream seq ${state.delivered.stream_seq}, ack floor ${state.ack_floor.stream_seq}, ` +
    `${state.num_ack_pending} ack pending, ${state.num_pending} pending`
  );
}

/**
 * One `jspush` measurement: the bench stream holds `messages` messages (filled by the acked
 * publisher on the first run); a worker subscribes to a fresh deliver subject, an ephemeral
 * push consumer (`ack_policy: none`, `deliver_policy: all`) is created for it, and the rate is
 * deliveries per second after the warm-up's share of the stream. The consumer must then show
 * every message delivered; it is deleted after the run.
 */
export async function measureJetStreamPush(server: BenchServer, payloadSize: number, timing: RunTiming): Promise<number> {
  const target = drainTarget(timing);
  await ensureFilled(server, target.messages, payloadSize);
  const deliverSubject = `bench.push.${process.pid}.${++consumersMade}`;
  const worker = await LoadWorkerHandle.start(
    { role: 'push-consumer', port: server.port, deliverSubject, payloadSize, ...target },
    WORKER_READY_TIMEOUT_MS,
  );
  try {
    const consumer = await createPushConsumer(server.port, deliverSubject);
    let result;
    try {
      ({ result } = await worker.next('drained', drainTimeoutMs(target.messages)));
    } catch (error) {
      // Without flow control a server that gets ahead of the subscriber drops it at max_pending; its log says so.
      if (server.describeExit().includes('Slow Consumer')) throw new Error(`${messageOf(error)} (the server log ends with a slow-consumer disconnect)`);
      throw error;
    }
    const state = await consumerInfo(server.port, consumer.name);
    if (state.delivered.stream_seq !== target.messages || state.num_pending !== 0) {
      throw new Error(`push consumer after ${target.messages} deliveries: ${describe(state)}`);
    }
    await deleteConsumer(server.port, consumer.name);
    return rateOf(result);
  } finally {
    await worker.stop();
  }
}

/**
 * One `jspull` measurement: a durable pull consumer with explicit acks over the filled bench
 * stream; the worker keeps one or two `{"batch":100}` requests outstanding and acks every
 * delivery. The rate is acked messages per second after the warm-up's share, up to the PONG
 * after the last ack; CONSUMER.INFO must then show the ack floor at the last message and
 * nothing awaiting an ack. The durable is deleted after the run.
 */
export async function measureJetStreamPull(server: BenchServer, payloadSize: number, timing: RunTiming): Promise<number> {
  const target = drainTarget(timing);
  await ensureFilled(server, target.messages, payloadSize);
  const durable = `bench_pull_${++consumersMade}`;
  await createPullConsumer(server.port, durable);
  const worker = await LoadWorkerHandle.start(
    { role: 'pull-consumer', port: server.port, stream: BENCH_STREAM, consumer: durable, payloadSize, ...target },
    WORKER_READY_TIMEOUT_MS,
  );
  try {
    const { result } = await worker.next('drained', drainTimeoutMs(target.messages));
    // Acks carry no reply, so the server may still be applying the last ones.
    const settleBy = Date.now() + ACK_SETTLE_MS;
    let state = await consumerInfo(server.port, durable);
    while ((state.ack_floor.stream_seq !== target.messages || state.num_ack_pending !== 0) && Date.now() < settleBy) {
      await sleep(50);
      state = await consumerInfo(server.port, durable);
    }
    if (state.ack_floor.stream_seq !== target.messages || state.num_ack_pending !== 0) {
      throw new Error(`pull consumer ${ACK_SETTLE_MS} ms after acking ${target.messages}: ${describe(state)}`);
    }
    await deleteConsumer(server.port, durable);
    return rateOf(result);
  } finally {
    await worker.stop();
  }
}
