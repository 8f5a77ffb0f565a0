import type { AckedPublishResult } from './jetstream-publisher.js';
import type { WindowResult } from './kv-getter.js';
import type { PublishResult } from './publisher.js';
import type { DrainResult } from './push-consumer.js';
import type { RequestResult } from './requester.js';
import type { StreamReadResult } from './stream-reader.js';

/** What one load worker thread does, passed as its `workerData`. */
export type WorkerTask =
  | { role: 'subscriber'; port: number; subject: string; queue?: string; counters: SharedArrayBuffer; slot: number }
  | { role: 'publisher'; port: number; subject: string; payloadSize: number }
  | { role: 'responder'; port: number; subject: string; payloadSize: number }
  | { role: 'requester'; port: number; subject: string; payloadSize: number }
  /** With `keys`, publishes to `<subject>.k000` … in turn instead of `subject`. */
  | { role: 'jetstream-publisher'; port: number; subject: string; payloadSize: number; inFlight: number; keys?: number }
  | { role: 'stream-reader'; port: number; stream: string; payloadSize: number; inFlight: number }
  /** Subscribes to a push consumer's deliver subject and reports 'drained' after `messages` deliveries. */
  | { role: 'push-consumer'; port: number; deliverSubject: string; payloadSize: number; messages: number; warmupMessages: number }
  /** Pulls and acks `messages` from an existing durable, then reports 'drained'. */
  | { role: 'pull-consumer'; port: number; stream: string; consumer: string; payloadSize: number; messages: number; warmupMessages: number }
  | { role: 'kv-getter'; port: number; bucket: string; keys: number; payloadSize: number; inFlight: number };

/** Main thread to worker. */
export type WorkerCommand =
  | { type: 'publish'; durationMs: number; flushTimeoutMs: number }
  | { type: 'request'; warmupMs: number; windowMs: number }
  | { type: 'publish-acked-window'; warmupMs: number; windowMs: number }
  | { type: 'publish-acked-count'; messages: number }
  | { type: 'read-stream'; messages: number }
  | { type: 'get-window'; warmupMs: number; windowMs: number };

/** Worker to main thread. */
export type WorkerReport =
  | { type: 'ready' }
  | { type: 'published'; result: PublishResult }
  | { type: 'requested'; result: RequestResult }
  | { type: 'acked'; result: AckedPublishResult }
  | { type: 'stream-read'; result: StreamReadResult }
  | { type: 'drained'; result: DrainResult }
  | { type: 'got'; result: WindowResult }
  | { type: 'failed'; message: string };
