import type { BenchOptions } from './options.js';

/** Receives one human-readable line per finished run. */
export type Progress = (line: string) => void;

/** What every row runner needs besides its own parameters. */
export interface RowContext {
  options: BenchOptions;
  /** Where bin/nats-ts-server lives. */
  repositoryRoot: string;
  progress: Progress;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
