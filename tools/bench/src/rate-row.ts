import type { ResultRow, TargetOutcome } from './results.js';
import { formatRate } from './report-table.js';
import { messageOf, type RowContext } from './row-context.js';
import { startBusPair } from './bus-pair.js';
import { measureJetStreamPull, measureJetStreamPush } from './consumer-run.js';
import { startGatewayPair } from './gateway-pair.js';
import { measureJetStreamPublish } from './jetstream-run.js';
import { JetStreamServer } from './jetstream-server.js';
import { measureKvGet, measureKvPut } from './kv-run.js';
import { startLeafPair } from './leaf-pair.js';
import { startRoutedPair } from './routed-pair.js';
import { THROUGHPUT_SHAPES, isJetStreamRateScenario, storeOf, type RateScenarioName } from './scenarios.js';
import { ServerProcess, startRetryingPortRace, type BenchServer } from './server-process.js';
import { median } from './stats.js';
import type { TargetName } from './targets.js';
import { measureRequestReply, measureThroughput, type RunTiming } from './throughput-run.js';

interface RateSample {
  rate: number;
  p50Micros?: number;
  p99Micros?: number;
}

/** Tracks one target's server and samples across the runs of one row. */
class TargetRuns<Sample> {
  readonly samples: Sample[] = [];
  failedRuns = 0;
  problem: string | undefined;
  peakRssBytes: number | undefined;
  server: BenchServer | undefined;

  constructor(
    readonly target: TargetName,
    /** Starts what the row's load runs against (one server, or a routed pair). */
    readonly start: (target: TargetName) => Promise<BenchServer>,
  ) {}

  notePeakMemory(): void {
    const peak = this.server?.memory()?.peakRssBytes;
    if (peak !== undefined) this.peakRssBytes = Math.max(this.peakRssBytes ?? 0, peak);
  }
}

async function startTargets<Sample>(
  { options }: RowContext,
  start: (target: TargetName) => Promise<BenchServer>,
): Promise<TargetRuns<Sample>[]> {
  const runs: TargetRuns<Sample>[] = [];
  for (const target of options.targets) {
    const targetRuns = new TargetRuns<Sample>(target, start);
    try {
      targetRuns.server = await start(target);
    } catch (error) {
      targetRuns.problem = messageOf(error);
      targetRuns.failedRuns = options.runs;
    }
    runs.push(targetRuns);
  }
  return runs;
}

/** A server that died during an earlier run is replaced so one crash does not void the row. */
async function ensureServer<Sample>(runs: TargetRuns<Sample>): Promise<BenchServer | undefined> {
  const server = runs.server;
  if (!server || server.alive) return server;
  runs.problem = `server died (${server.describeExit()})`;
  // Stops what is left of it (the other server of a pair) and removes its files.
  await server.stop();
  try {
    runs.server = await runs.start(runs.target);
  } catch (error) {
    runs.problem += `; restart failed: ${messageOf(error)}`;
    runs.server = undefined;
  }
  return runs.server;
}

async function measureRun(scenario: RateScenarioName, server: BenchServer, payloadSize: number, timing: RunTiming): Promise<RateSample> {
  switch (scenario) {
    case 'reqrep':
      return measureRequestReply(server.port, payloadSize, timing);
    case 'jspub':
    case 'jspub-redis':
      return { rate: await measureJetStreamPublish(server.port, payloadSize, timing) };
    case 'jspush':
      return { rate: await measureJetStreamPush(server, payloadSize, timing) };
    case 'jspull':
    case 'jspull-redis':
      return { rate: await measureJetStreamPull(server, payloadSize, timing) };
    case 'kvput':
      return { rate: await measureKvPut(server.port, payloadSize, timing) };
    case 'kvget':
      return { rate: await measureKvGet(server, payloadSize, timing) };
    default:
      return { rate: await measureThroughput({ publisher: server.publisherPort, subscribers: server.port }, scenario, payloadSize, timing) };
  }
}

/**
 * One message row: fresh servers for every target, runs alternating between targets, then
 * the median rate (and latency) and the servers' peak RSS.
 */
export async function runRateRow(
  scenario: RateScenarioName,
  payloadSize: number,
  context: RowContext,
): Promise<ResultRow> {
  const { options, repositoryRoot, progress } = context;
  const windowMs = options.seconds * 1000;
  const timing: RunTiming = { windowMs, warmupMs: Math.min(500, windowMs / 2) };
  const shape = scenario === 'reqrep' || isJetStreamRateScenario(scenario) ? undefined : THROUGHPUT_SHAPES[scenario];
  const startOnce = (target: TargetName): Promise<BenchServer> => {
    if (isJetStreamRateScenario(scenario)) return JetStreamServer.start(target, repositoryRoot, storeOf(scenario));
    if (shape?.routed === true) return startRoutedPair(target, repositoryRoot);
    if (shape?.bus === true) return startBusPair(target, repositoryRoot);
    if (shape?.gateway === true) return startGatewayPair(target, repositoryRoot);
    if (shape?.leaf === true) return startLeafPair(target, repositoryRoot);
    return ServerProcess.start(target, repositoryRoot);
  };
  const start = (target: TargetName): Promise<BenchServer> => startRetryingPortRace(() => startOnce(target));
  const targets = await startTargets<RateSample>(context, start);
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const target of targets) {
        if (!target.server) continue;
        const server = await ensureServer(target);
        const label = `[${scenario} ${payloadSize} B] run ${run}/${options.runs} ${target.target}`;
        if (!server) {
          target.failedRuns++;
          continue;
        }
        try {
          const sample = await measureRun(scenario, server, payloadSize, timing);
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

