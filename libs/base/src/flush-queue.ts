import { clearArray } from './clear-array.js';

/** Something with output buffered for its socket (a client, route, gateway or leaf connection, a bus link). */
export interface Flushable {
  flushQueued: boolean;
  flush(): void;
}

/**
 * Output a connection piles up within one turn beyond which it is written at once. Its buffer
 * then stays small enough for the allocator to reuse; growing it for a whole turn of a fast
 * publisher's input (megabytes) meant fresh memory every turn, whose page faults cost far more
 * than the extra write.
 */
export const EAGER_FLUSH_BYTES = 32 * 1024;

/**
 * Batches socket writes: a connection that receives output during this event-loop turn is
 * queued once and written once, after the turn's input has been processed. One setImmediate
 * for all connections, no closure per message.
 */
export class FlushQueue {
  private queue: Flushable[] = [];
  private spare: Flushable[] = [];
  private scheduled = false;
  private readonly run = (): void => this.flushAll();

  schedule(target: Flushable): void {
    if (target.flushQueued) return;
    target.flushQueued = true;
    this.queue.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  flushAll(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = this.spare;
    for (let i = 0; i < batch.length; i++) batch[i]!.flush();
    clearArray(batch);
    this.spare = batch;
  }
}
