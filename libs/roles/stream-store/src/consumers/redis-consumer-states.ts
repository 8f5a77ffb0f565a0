import type { RedisStore } from '../store/redis-store.js';
import type { ConsumerConfig } from './consumer-config.js';
import { isConsumerState, type ConsumerStateStore, type StoredConsumer } from './consumer-files.js';
import type { ConsumerState } from './consumer.js';

/**
 * The consumers of a Redis stream, kept with it (its `consumers` and `cstate` hashes): their
 * writes go with the stream's own, in order and under the same fencing token.
 */
export class RedisConsumerStates implements ConsumerStateStore {
  constructor(private readonly store: RedisStore) {}

  writeMeta(name: string, config: ConsumerConfig, created: string): void {
    this.store.writeConsumerMeta(name, JSON.stringify({ name, config, created }));
  }

  writeState(name: string, state: ConsumerState): void {
    this.store.writeConsumerState(name, JSON.stringify(state));
  }

  remove(name: string): void {
    this.store.removeConsumer(name);
  }

  /** Nothing is held open per consumer. */
  closeState(): void {}

  committed(): Promise<void> | undefined {
    return this.store.committed();
  }
}

/** The consumers a Redis stream was opened with, and a problem line for each that cannot be read. */
export function readRedisConsumers(stored: readonly { name: string; meta: string; state: string | undefined }[], stream: string): { consumers: StoredConsumer[]; problems: string[] } {
  const consumers: StoredConsumer[] = [];
  const problems: string[] = [];
  for (const entry of stored) {
    try {
      const meta = JSON.parse(entry.meta) as Omit<StoredConsumer, 'state'>;
      let state: ConsumerState | undefined;
      if (entry.state !== undefined) {
        const value: unknown = JSON.parse(entry.state);
        if (!isConsumerState(value)) throw new Error('its state is not a consumer state');
        state = value;
      }
      consumers.push({ ...meta, state });
    } catch (err) {
      problems.push(`consumer '${stream} > ${entry.name}' in Redis: ${(err as Error).message}`);
    }
  }
  return { consumers, problems };
}
