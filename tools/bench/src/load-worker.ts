/**
 * Entry point of a load worker thread: each generator client gets its own thread and event
 * loop so publishers and subscribers never wait on each other.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { JetStreamPublisher } from './jetstream-publisher.js';
import { KvGetter } from './kv-getter.js';
import { publishFor } from './publisher.js';
import { PullConsumer } from './pull-consumer.js';
import { PushConsumer } from './push-consumer.js';
import { RawClient } from './raw-client.js';
import { Requester } from './requester.js';
import { Responder } from './responder.js';
import { StreamReader } from './stream-reader.js';
import type { WorkerCommand, WorkerReport, WorkerTask } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('load-worker.js must run in a worker thread');
const task = workerData as WorkerTask;

function report(message: WorkerReport): void {
  port!.postMessage(message);
}

function reportFailure(error: unknown): void {
  report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

async function startSubscriber(task: Extract<WorkerTask, { role: 'subscriber' }>): Promise<void> {
  const counters = new BigInt64Array(task.counters);
  const client = await RawClient.open(task.port, {
    onFailure: reportFailure,
    afterRead: (messages) => Atomics.store(counters, task.slot, BigInt(messages)),
  });
  const queue = task.queue === undefined ? '' : ` ${task.queue}`;
  client.socket.write(`SUB ${task.subject}${queue} 1\r\n`, 'latin1');
  await client.flush(10_000);
  report({ type: 'ready' });
}

async function startPublisher(task: Extract<WorkerTask, { role: 'publisher' }>): Promise<void> {
  const client = await RawClient.open(task.port, { onFailure: reportFailure });
  port!.on('message', (command: WorkerCommand) => {
    if (command.type !== 'publish') return;
    publishFor(client, task.subject, task.payloadSize, command.durationMs, command.flushTimeoutMs).then(
      (result) => report({ type: 'published', result }),
      reportFailure,
    );
  });
  report({ type: 'ready' });
}

async function startRequester(task: Extract<WorkerTask, { role: 'requester' }>): Promise<void> {
  const requester = await Requester.start(task.port, task.subject, task.payloadSize, reportFailure);
  port!.on('message', (command: WorkerCommand) => {
    if (command.type !== 'request') return;
    requester.run(command.warmupMs, command.windowMs).then((result) => {
      port!.postMessage({ type: 'requested', result } satisfies WorkerReport, [result.latenciesMicros.buffer as ArrayBuffer]);
    }, reportFailure);
  });
  report({ type: 'ready' });
}

async function startJetStreamPublisher(task: Extract<WorkerTask, { role: 'jetstream-publisher' }>): Promise<void> {
  const publisher = await JetStreamPublisher.start(task.port, task.subject, task.payloadSize, task.inFlight, reportFailure, task.keys);
  port!.on('message', (command: WorkerCommand) => {
    let published;
    if (command.type === 'publish-acked-window') published = publisher.publishWindow(command.warmupMs, command.windowMs);
    else if (command.type === 'publish-acked-count') published = publisher.publishCount(command.messages);
    else return;
    published.then((result) => report({ type: 'acked', result }), reportFailure);
  });
  report({ type: 'ready' });
}

async function startStreamReader(task: Extract<WorkerTask, { role: 'stream-reader' }>): Promise<void> {
  const reader = await StreamReader.start(task.port, task.stream, task.payloadSize, task.inFlight, reportFailure);
  port!.on('message', (command: WorkerCommand) => {
    if (command.type !== 'read-stream') return;
    reader.readAll(command.messages).then((result) => report({ type: 'stream-read', result }), reportFailure);
  });
  report({ type: 'ready' });
}

async function startKvGetter(task: Extract<WorkerTask, { role: 'kv-getter' }>): Promise<void> {
  const getter = await KvGetter.start(task.port, task.bucket, task.keys, task.payloadSize, task.inFlight, reportFailure);
  port!.on('message', (command: WorkerCommand) => {
    if (command.type !== 'get-window') return;
    getter.getWindow(command.warmupMs, command.windowMs).then((result) => report({ type: 'got', result }), reportFailure);
  });
  report({ type: 'ready' });
}

async function start(): Promise<void> {
  switch (task.role) {
    case 'subscriber':
      return startSubscriber(task);
    case 'publisher':
      return startPublisher(task);
    case 'responder':
      await Responder.start(task.port, task.subject, task.payloadSize, reportFailure);
      report({ type: 'ready' });
      return;
    case 'requester':
      return startRequester(task);
    case 'jetstream-publisher':
      return startJetStreamPublisher(task);
    case 'stream-reader':
      return startStreamReader(task);
    case 'push-consumer': {
      const target = { messages: task.messages, warmupMessages: task.warmupMessages };
      await PushConsumer.start(task.port, task.deliverSubject, task.payloadSize, target, reportFailure, (result) =>
        report({ type: 'drained', result }),
      );
      report({ type: 'ready' });
      return;
    }
    case 'pull-consumer': {
      const target = { messages: task.messages, warmupMessages: task.warmupMessages };
      // Pulling starts as soon as the client is subscribed; 'drained' follows 'ready' (it needs deliveries first).
      await PullConsumer.start(task.port, task.stream, task.consumer, task.payloadSize, target, reportFailure, (result) =>
        report({ type: 'drained', result }),
      );
      report({ type: 'ready' });
      return;
    }
    case 'kv-getter':
      return startKvGetter(task);
  }
}

start().catch(reportFailure);
