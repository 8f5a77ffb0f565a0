import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from '../store/crc32.js';
import type { ConsumerConfig } from './consumer-config.js';
import type { ConsumerState } from './consumer.js';

/** A consumer as kept on disk: `<stream dir>/obs/<name>/meta.json` and `state.json`. */
export interface StoredConsumer {
  name: string;
  config: ConsumerConfig;
  created: string;
  state: ConsumerState | undefined;
}

/** Where kept consumers live: files beside a file stream, or Redis beside a Redis stream. */
export interface ConsumerStateStore {
  writeMeta(name: string, config: ConsumerConfig, created: string): void;
  writeState(name: string, state: ConsumerState): void;
  remove(name: string): void;
  /** Releases what a consumer holds open (it stops, or the server does). */
  closeState(name: string): void;
  /** As StreamStore's: settles once the writes so far are durable; undefined when they already are. */
  committed(): Promise<void> | undefined;
}

/** Written to a temporary file and renamed, so a crash leaves the old or the new one. */
function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/**
 * A consumer's state, written at message rates: two files (`state.0`, `state.1`) written in
 * turn in place, each `<generation> <crc32>` on its first line and the JSON after it. A crash
 * tears at most the one being written; reading takes the newest whole one. No rename per write.
 */
class StateSlots {
  private readonly fds: [number, number];
  private generation = 0;

  constructor(dir: string) {
    // Read-write, created when missing, never truncated on open: positioned writes replace in place.
    const flags = constants.O_RDWR | constants.O_CREAT;
    this.fds = [openSync(join(dir, 'state.0'), flags), openSync(join(dir, 'state.1'), flags)];
    this.generation = readNewestState(dir)?.generation ?? 0;
  }

  write(state: ConsumerState): void {
    const json = Buffer.from(JSON.stringify(state), 'utf8');
    const generation = ++this.generation;
    const head = Buffer.from(`${generation} ${crc32(json, 0, json.length)}\n`, 'latin1');
    const fd = this.fds[generation % 2]!;
    const bytes = Buffer.concat([head, json]);
    writeSync(fd, bytes, 0, bytes.length, 0);
    ftruncateSync(fd, bytes.length);
  }

  close(): void {
    for (const fd of this.fds) closeSync(fd);
  }
}

/** The newest whole state of the two slots (or of an older `state.json`), with its generation. */
function readNewestState(dir: string): { generation: number; text: string } | undefined {
  let newest: { generation: number; text: string } | undefined;
  for (const slot of [0, 1]) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, `state.${slot}`));
    } catch {
      continue;
    }
    const eol = bytes.indexOf(0x0a);
    if (eol < 0) continue;
    const [generation, checksum] = bytes.toString('latin1', 0, eol).split(' ').map(Number);
    if (!Number.isSafeInteger(generation) || crc32(bytes, eol + 1, bytes.length) !== checksum) continue;
    if (newest === undefined || generation! > newest.generation) newest = { generation: generation!, text: bytes.toString('utf8', eol + 1) };
  }
  if (newest !== undefined) return newest;
  try {
    return { generation: 0, text: readFileSync(join(dir, 'state.json'), 'utf8') };
  } catch {
    return undefined;
  }
}

/** The consumers of one file stream, in its directory. */
export class ConsumerFiles implements ConsumerStateStore {
  private readonly slots = new Map<string, StateSlots>();

  constructor(private readonly streamDir: string) {}

  private dir(name: string): string {
    return join(this.streamDir, 'obs', name);
  }

  writeMeta(name: string, config: ConsumerConfig, created: string): void {
    mkdirSync(this.dir(name), { recursive: true });
    writeAtomically(join(this.dir(name), 'meta.json'), JSON.stringify({ name, config, created }));
  }

  writeState(name: string, state: ConsumerState): void {
    let slots = this.slots.get(name);
    if (slots === undefined) {
      mkdirSync(this.dir(name), { recursive: true });
      slots = new StateSlots(this.dir(name));
      this.slots.set(name, slots);
    }
    slots.write(state);
  }

  remove(name: string): void {
    this.closeState(name);
    rmSync(this.dir(name), { recursive: true, force: true });
  }

  /** Releases a consumer's open state files (it stops, or the server does). */
  closeState(name: string): void {
    this.slots.get(name)?.close();
    this.slots.delete(name);
  }

  /** Written when the calls return. */
  committed(): undefined {
    return undefined;
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
        // None written: never acked or delivered, it starts from its deliver policy again.
        const text = readNewestState(dir)?.text;
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
export function isConsumerState(value: unknown): value is ConsumerState {
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
