import { withIdleConnections, withSubscriptions, openFileLimit } from './idle-load.js';
import type { BenchOptions } from './options.js';
import type { ResultRow, TargetOutcome } from './results.js';
import type { ScenarioName } from './scenarios.js';
import { ServerProcess } from './server-process.js';
import { median } from './stats.js';
import type { TargetName } from './targets.js';
import { measureRequestReply, measureThroughput, type RunTiming } from './throughput-run.js';
import { formatMebibytes, formatRate } from './report-table.js';

/** File descriptors the bench needs besides the idle connections themselves. */
const FILE_DESCRIPTOR_MARGIN = 200;

interface RateSample {
  rate: number;
  p50Micros?: number;
  p99Micros?: number;
}

type Progress = (line: string) => void;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Tracks one target's server and samples across the runs of one row. */
class TargetRuns<Sample> {
  readonly samples: Sample[] = [];
  failedRuns = 0;
  problem: string | undefined;
  peakRssBytes: number | undefined;

  constructor(
    readonly target: TargetName,
    public server: ServerProcess | undefined,
  ) {}

  notePeakMemory(): void {
    const peak = this.server?.memory()?.peakRssBytes;
    if (peak !== undefined) this.peakRssBytes = Math.max(this.peakRssBytes ?? 0, peak);
  }
}

async function startTargets<Sample>(options: BenchOptions, repositoryRoot: string): Promise<TargetRuns<Sample>[]> {
  const runs: TargetRuns<Sample>[] = [];
  for (const target of options.targets) {
    const targetRuns = new TargetRuns<Sample>(target, undefined);
    try {
      targetRuns.server = await ServerProcess.start(target, repositoryRoot);
    } catch (error) {
      targetRuns.problem = messageOf(error);
      targetRuns.failedRuns = options.runs;
    }
    runs.push(targetRuns);
  }
  return runs;
}

/** A server that died during an earlier run is replaced so one crash does not void the row. */
async function ensureServer<Sample>(runs: TargetRuns<Sample>, repositoryRoot: string): Promise<ServerProcess | undefined> {
  const server = runs.server;
  if (!server || server.alive) return server;
  runs.problem = `server died (${server.describeExit()})`;
  try {
    runs.server = await ServerProcess.start(runs.target, repositoryRoot);
  } catch (error) {
    runs.problem += `; restart failed: ${messageOf(error)}`;
    runs.server = undefined;
  }
  return runs.server;
}

async function runRateRow(
  scenario: Exclude<ScenarioName, 'conns'>,
  payloadSize: number,
  options: BenchOptions,
  repositoryRoot: string,
  progress: Progress,
): Promise<ResultRow> {
  const windowMs = options.seconds * 1000;
  const timing: RunTiming = { windowMs, warmupMs: Math.min(500, windowMs / 2) };
  const targets = await startTargets<RateSample>(options, repositoryRoot);
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const target of targets) {
        if (!target.server) continue;
        const server = await ensureServer(target, repositoryRoot);
        const label = `[${scenario} ${payloadSize} B] run ${run}/${options.runs} ${target.target}`;
        if (!server) {
          target.failedRuns++;
          continue;
        }
        try {
          const sample: RateSample =
            scenario === 'reqrep'
              ? await measureRequestReply(server.port, payloadSize, timing)
              : { rate: await measureThroughput(server.port, scenario, payloadSize, timing) };
          target.samples.push(sample);
          progress(`${label}: ${formatRate(sample.rate)} msgs/s`);
        } catch (error) {
          target.failedRuns++;
          target.problem = messageOf(error);
          progress(`${label}: failed: ${target.problem}`);
        }
        target.notePeakMemory();
      }
    }
  } finally {
    await Promise.all(targets.map((target) => target.server?.stop()));
  }
  const outcomes: ResultRow['outcomes'] = {};
  for (const target of targets) {
    const latencies = target.samples.filter((sample) => sample.p50Micros !== undefined);
    const outcome: TargetOutcome = {
      runs: options.runs,
      failedRuns: target.failedRuns,
      ...(target.samples.length > 0 ? { rate: median(target.samples.map((sample) => sample.rate)) } : {}),
      ...(latencies.length > 0
        ? {
            p50Micros: median(latencies.map((sample) => sample.p50Micros!)),
            p99Micros: median(latencies.map((sample) => sample.p99Micros!)),
          }
        : {}),
      ...(target.peakRssBytes !== undefined ? { rssBytes: target.peakRssBytes } : {}),
      ...(target.problem !== undefined ? { problem: target.problem } : {}),
    };
    outcomes[target.target] = outcome;
  }
  return { scenario, load: `${payloadSize} B`, kind: 'rate', outcomes };
}

type IdleLoad = (port: number, measure: () => number | undefined) => Promise<number | undefined>;

/** Memory held by a fresh server under an idle load; each run starts its own server. */
async function runMemoryRow(
  load: string,
  holdLoad: IdleLoad,
  options: BenchOptions,
  repositoryRoot: string,
  progress: Progress,
): Promise<ResultRow> {
  const outcomes: ResultRow['outcomes'] = {};
  const held = new Map<TargetName, number[]>();
  const idle = new Map<TargetName, number[]>();
  for (const target of options.targets) {
    outcomes[target] = { runs: options.runs, failedRuns: 0 };
    held.set(target, []);
    idle.set(target, []);
  }
  for (let run = 1; run <= options.runs; run++) {
    for (const target of options.targets) {
      const outcome = outcomes[target]!;
      const label = `[conns ${load}] run ${run}/${options.runs} ${target}`;
      let server: ServerProcess | undefined;
      try {
        server = await ServerProcess.start(target, repositoryRoot);
        const idleRss = server.memory()?.rssBytes;
        const heldRss = await holdLoad(server.port, () => server?.memory()?.rssBytes);
        if (idleRss === undefined || heldRss === undefined) throw new Error(`server gone: ${server.describeExit()}`);
        idle.get(target)!.push(idleRss);
        held.get(target)!.push(heldRss);
        progress(`${label}: RSS ${formatMebibytes(heldRss)} (idle ${formatMebibytes(idleRss)})`);
      } catch (error) {
        outcome.failedRuns++;
        outcome.problem = messageOf(error);
        progress(`${label}: failed: ${outcome.problem}`);
      } finally {
        await server?.stop();
      }
    }
  }
  for (const target of options.targets) {
    const outcome = outcomes[target]!;
    if (held.get(target)!.length === 0) continue;
    outcome.rssBytes = median(held.get(target)!);
    outcome.idleRssBytes = median(idle.get(target)!);
  }
  return { scenario: 'conns', load, kind: 'memory', outcomes };
}

function connectionsRow(options: BenchOptions, repositoryRoot: string, progress: Progress): Promise<ResultRow> {
  const load = `${options.connections} conns`;
  const limit = openFileLimit();
  if (limit < options.connections + FILE_DESCRIPTOR_MARGIN) {
    const problem = `open-file limit ${limit} is below ${options.connections + FILE_DESCRIPTOR_MARGIN}; raise the hard limit (ulimit -Hn)`;
    const outcomes: ResultRow['outcomes'] = {};
    for (const target of options.targets) outcomes[target] = { runs: options.runs, failedRuns: options.runs, problem };
    return Promise.resolve({ scenario: 'conns', load, kind: 'memory', outcomes });
  }
  return runMemoryRow(
    load,
    (port, measure) => withIdleConnections(port, options.connections, measure),
    options,
    repositoryRoot,
    progress,
  );
}

/** Runs every selected row in table order; progress lines describe each run as it finishes. */
export async function runBench(options: BenchOptions, repositoryRoot: string, progress: Progress): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const scenario of options.scenarios) {
    if (scenario === 'conns') {
      rows.push(await connectionsRow(options, repositoryRoot, progress));
      rows.push(
        await runMemoryRow(
          `${options.subscriptions} subs`,
          (port, measure) => withSubscriptions(port, options.subscriptions, measure),
          options,
          repositoryRoot,
          progress,
        ),
      );
      continue;
    }
    for (const size of options.sizes) rows.push(await runRateRow(scenario, size, options, repositoryRoot, progress));
  }
  return rows;
}
