import type { PublishResult } from './publisher.js';
import type { RequestResult } from './requester.js';

/** What one load worker thread does, passed as its `workerData`. */
export type WorkerTask =
  | { role: 'subscriber'; port: number; subject: string; queue?: string; counters: SharedArrayBuffer; slot: number }
  | { role: 'publisher'; port: number; subject: string; payloadSize: number }
  | { role: 'responder'; port: number; subject: string; payloadSize: number }
  | { role: 'requester'; port: number; subject: string; payloadSize: number };

/** Main thread to worker. */
export type WorkerCommand =
  | { type: 'publish'; durationMs: number; flushTimeoutMs: number }
  | { type: 'request'; warmupMs: number; windowMs: number };

/** Worker to main thread. */
export type WorkerReport =
  | { type: 'ready' }
  | { type: 'published'; result: PublishResult }
  | { type: 'requested'; result: RequestResult }
  | { type: 'failed'; message: string };
