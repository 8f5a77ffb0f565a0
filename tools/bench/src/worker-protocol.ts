import type { AckedPublishResult } from './jetstream-publisher.js';
import type { PublishResult } from './publisher.js';
import type { RequestResult } from './requester.js';
import type { StreamReadResult } from './stream-reader.js';

/** What one load worker thread does, passed as its `workerData`. */
export type WorkerTask =
  | { role: 'subscriber'; port: number; subject: string; queue?: string; counters: SharedArrayBuffer; slot: number }
  | { role: 'publisher'; port: number; subject: string; payloadSize: number }
  | { role: 'responder'; port: number; subject: string; payloadSize: number }
  | { role: 'requester'; port: number; subject: string; payloadSize: number }
  | { role: 'jetstream-publisher'; port: number; subject: string; payloadSize: number; inFlight: number }
  | { role: 'stream-reader'; port: number; stream: string; payloadSize: number; inFlight: number };

/** Main thread to worker. */
export type WorkerCommand =
  | { type: 'publish'; durationMs: number; flushTimeoutMs: number }
  | { type: 'request'; warmupMs: number; windowMs: number }
  | { type: 'publish-acked-window'; warmupMs: number; windowMs: number }
  | { type: 'publish-acked-count'; messages: number }
  | { type: 'read-stream'; messages: number };

/** Worker to main thread. */
export type WorkerReport =
  | { type: 'ready' }
  | { type: 'published'; result: PublishResult }
  | { type: 'requested'; result: RequestResult }
  | { type: 'acked'; result: AckedPublishResult }
  | { type: 'stream-read'; result: StreamReadResult }
  | { type: 'failed'; message: string };
