import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsumerConfig } from './consumer-config.js';
import type { ConsumerState } from './consumer.js';

/** A consumer as kept on disk: `<stream dir>/obs/<name>/meta.json` and `state.json`. */
export interface StoredConsumer {
  name: string;
  config: ConsumerConfig;
  created: string;
  state: ConsumerState | undefined;
}

/** Written to a temporary file and renamed, so a crash leaves the old or the new one. */
function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** The consumers of one file stream, in its directory. */
export class ConsumerFiles {
  constructor(private readonly streamDir: string) {}

  private dir(name: string): string {
    return join(this.streamDir, 'obs', name);
  }

  writeMeta(name: string, config: ConsumerConfig, created: string): void {
    mkdirSync(this.dir(name), { recursive: true });
    writeAtomically(join(this.dir(name), 'meta.json'), JSON.stringify({ name, config, created }));
  }

  writeState(name: string, state: ConsumerState): void {
    writeAtomically(join(this.dir(name), 'state.json'), JSON.stringify(state));
  }

  remove(name: string): void {
    rmSync(this.dir(name), { recursive: true, force: true });
  }

  /** Every consumer that can be read, and a problem line for each one that cannot. */
  readAll(): { consumers: StoredConsumer[]; problems: string[] } {
    const consumers: StoredConsumer[] = [];
    const problems: string[] = [];
    let names: string[];
    try {
      names = readdirSync(join(this.streamDir, 'obs'));
    } catch {
      return { consumers, problems };
    }
    for (const name of names) {
      const dir = this.dir(name);
      try {
        const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Omit<StoredConsumer, 'state'>;
        let text: string | undefined;
        try {
          text = readFileSync(join(dir, 'state.json'), 'utf8');
        } catch {
          // Never acked or delivered: it starts from its deliver policy again.
        }
        let state: ConsumerState | undefined;
        if (text !== undefined) {
          const value: unknown = JSON.parse(text);
          if (!isConsumerState(value)) throw new Error('state.json is not a consumer state');
          state = value;
        }
        consumers.push({ ...meta, state });
      } catch (err) {
        problems.push(`consumer directory ${dir}: ${(err as Error).message}`);
      }
    }
    return { consumers, problems };
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTupleOfCounts(value: unknown, length: number): boolean {
  return Array.isArray(value) && value.length === length && value.every(isCount);
}

/** Whether a parsed state.json has the shape ConsumerState writes. */
function isConsumerState(value: unknown): value is ConsumerState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    isCount(state.sseq) &&
    isCount(state.dseq) &&
    isTupleOfCounts(state.ackFloor, 2) &&
    Array.isArray(state.pending) &&
    state.pending.every((entry) => isTupleOfCounts(entry, 3)) &&
    Array.isArray(state.redelivered) &&
    state.redelivered.every((entry) => isTupleOfCounts(entry, 2))
  );
}
