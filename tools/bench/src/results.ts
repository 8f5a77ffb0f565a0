import type { ScenarioName } from './scenarios.js';
import type { TargetName } from './targets.js';

/** The outcome of all runs of one row against one target. */
export interface TargetOutcome {
  /** Median over the successful runs: messages per second (rate rows) or bytes per second (bandwidth rows). */
  rate?: number;
  /** Median of the runs' round-trip percentiles (reqrep rows). */
  p50Micros?: number;
  p99Micros?: number;
  /**
   * Rate and bandwidth rows: the server's peak RSS (VmHWM) over the row's runs.
   * Memory rows: median RSS while the load is held.
   */
  rssBytes?: number;
  /** Memory rows: median RSS of the fresh server before the load (for context). */
  idleRssBytes?: number;
  runs: number;
  failedRuns: number;
  /** Why the target has no value (failed to start) or why some runs failed. */
  problem?: string;
}

/** One line of the report table. */
export interface ResultRow {
  scenario: ScenarioName;
  /** The payload column: `16 B`, or the load held by a memory row (`10000 conns`). */
  load: string;
  /**
   * `rate` rows compare msgs/s, `bandwidth` rows bytes/s (a stream written or read back),
   * `memory` rows RSS held under an idle load.
   */
  kind: 'rate' | 'bandwidth' | 'memory';
  outcomes: Partial<Record<TargetName, TargetOutcome>>;
}
