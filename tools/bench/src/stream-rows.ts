import { readBenchStream, writeBenchStream } from './jetstream-run.js';
import { JetStreamServer } from './jetstream-server.js';
import { formatMebibytes, formatMebibytesPerSecond } from './report-table.js';
import type { ResultRow, TargetOutcome } from './results.js';
import { messageOf, type RowContext } from './row-context.js';
import { startRetryingPortRace } from './server-process.js';
import { median } from './stats.js';
import type { TargetName } from './targets.js';

/** 64 KiB messages: 16 per MiB, so the default 1 GiB stream is 16384 messages. */
const STREAM_PAYLOAD_BYTES = 64 * 1024;

/** One target's runs of one phase (writing the stream, or reading it back). */
class PhaseRuns {
  readonly bytesPerSecond: number[] = [];
  peakRssBytes: number | undefined;
  failedRuns = 0;
  problem: string | undefined;

  record(bytesPerSecond: number, peakRssBytes: number): void {
    this.bytesPerSecond.push(bytesPerSecond);
    this.peakRssBytes = Math.max(this.peakRssBytes ?? 0, peakRssBytes);
  }

  fail(problem: string): void {
    this.failedRuns++;
    this.problem = problem;
  }

  outcome(runs: number): TargetOutcome {
    return {
      runs,
      failedRuns: this.failedRuns,
      ...(this.bytesPerSecond.length > 0 ? { rate: median(this.bytesPerSecond) } : {}),
      ...(this.peakRssBytes !== undefined ? { rssBytes: this.peakRssBytes } : {}),
      ...(this.problem !== undefined ? { problem: this.problem } : {}),
    };
  }
}

function peakRssOf(server: JetStreamServer): number {
  const peak = server.memory()?.peakRssBytes;
  if (peak === undefined) throw new Error(`server gone: ${server.describeExit()}`);
  return peak;
}

/**
 * The `jsstream` rows. Each run starts a fresh JetStream server of the target, writes
 * `--js-stream-mb` MiB into a file-stored stream with acked publishes, then reads every message
 * back with DIRECT.GET. One row for writing, one for reading back; the write row's peak RSS is
 * the server's VmHWM once the stream is written, the read row's once it is read back too.
 */
export async function streamRows({ options, repositoryRoot, progress }: RowContext): Promise<ResultRow[]> {
  const streamBytes = options.jsStreamMebibytes * 2 ** 20;
  const messages = streamBytes / STREAM_PAYLOAD_BYTES;
  const writes = new Map<TargetName, PhaseRuns>();
  const reads = new Map<TargetName, PhaseRuns>();
  for (const target of options.targets) {
    writes.set(target, new PhaseRuns());
    reads.set(target, new PhaseRuns());
  }
  for (let run = 1; run <= options.runs; run++) {
    for (const target of options.targets) {
      const write = writes.get(target)!;
      const read = reads.get(target)!;
      const label = `[jsstream ${options.jsStreamMebibytes} MiB] run ${run}/${options.runs} ${target}`;
      let server: JetStreamServer | undefined;
      let written = false;
      try {
        server = await startRetryingPortRace(() => JetStreamServer.start(target, repositoryRoot));
        const writeRate = (streamBytes / (await writeBenchStream(server.port, messages, STREAM_PAYLOAD_BYTES))) * 1000;
        write.record(writeRate, peakRssOf(server));
        written = true;
        const readRate = (streamBytes / (await readBenchStream(server.port, messages, STREAM_PAYLOAD_BYTES))) * 1000;
        const peakRss = peakRssOf(server);
        read.record(readRate, peakRss);
        progress(
          `${label}: write ${formatMebibytesPerSecond(writeRate)}, read ${formatMebibytesPerSecond(readRate)}, peak RSS ${formatMebibytes(peakRss)}`,
        );
      } catch (error) {
        const problem = messageOf(error);
        // A stream that was not written cannot be read back either.
        if (!written) write.fail(problem);
        read.fail(problem);
        progress(`${label}: failed: ${problem}`);
      } finally {
        await server?.stop();
      }
    }
  }
  const row = (phase: 'write' | 'read', runs: Map<TargetName, PhaseRuns>): ResultRow => {
    const outcomes: ResultRow['outcomes'] = {};
    for (const [target, targetRuns] of runs) outcomes[target] = targetRuns.outcome(options.runs);
    return { scenario: 'jsstream', load: `${options.jsStreamMebibytes} MiB ${phase}`, kind: 'bandwidth', outcomes };
  };
  return [row('write', writes), row('read', reads)];
}
