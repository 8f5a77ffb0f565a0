import { createStream, streamMessageCount } from './jetstream-api.js';
import { publishAckedMessages } from './jetstream-run.js';
import { JetStreamServer } from './jetstream-server.js';
import { formatMebibytes, formatRate } from './report-table.js';
import type { ResultRow, TargetOutcome } from './results.js';
import { messageOf, type RowContext } from './row-context.js';
import { startRetryingPortRace } from './server-process.js';
import { median } from './stats.js';
import { SUBJECT } from './throughput-run.js';

const ORIGIN_STREAM = 'ORIGIN';
const MIRROR_STREAM = 'MIRROR';
const MIRRORED_MESSAGES = 100_000;
const MIRRORED_PAYLOAD_BYTES = 128;
/** How often the mirror's STREAM.INFO is asked while it catches up. */
const POLL_MS = 50;
/** A mirror that has not caught up by then fails the run. */
const CATCH_UP_TIMEOUT_MS = 120_000;

/** Polls the mirror until it holds every message of the origin; resolves with the time since `startMs`. */
async function waitForMirror(port: number, startMs: number): Promise<number> {
  for (;;) {
    const messages = await streamMessageCount(port, MIRROR_STREAM);
    const elapsedMs = performance.now() - startMs;
    if (messages >= MIRRORED_MESSAGES) return elapsedMs;
    if (elapsedMs > CATCH_UP_TIMEOUT_MS) throw new Error(`mirror at ${messages} of ${MIRRORED_MESSAGES} messages after ${CATCH_UP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The `jsmirror` row. Each run starts a fresh JetStream server of the target, fills the
 * file-stored stream `ORIGIN` with 100,000 messages of 128 B by the acked publisher, then
 * creates `MIRROR` mirroring it and times the catch-up: from the create request until the
 * mirror's STREAM.INFO (asked every 50 ms) shows every message. Rate: messages per second of
 * catch-up; peak RSS once the mirror has caught up.
 */
export async function mirrorRow({ options, repositoryRoot, progress }: RowContext): Promise<ResultRow> {
  const rates = new Map<string, number[]>();
  const outcomes: ResultRow['outcomes'] = {};
  for (const target of options.targets) {
    rates.set(target, []);
    outcomes[target] = { runs: options.runs, failedRuns: 0 };
  }
  for (let run = 1; run <= options.runs; run++) {
    for (const target of options.targets) {
      const outcome = outcomes[target]!;
      const label = `[jsmirror ${MIRRORED_MESSAGES} × ${MIRRORED_PAYLOAD_BYTES} B] run ${run}/${options.runs} ${target}`;
      let server: JetStreamServer | undefined;
      try {
        server = await startRetryingPortRace(() => JetStreamServer.start(target, repositoryRoot));
        await createStream(server.port, { name: ORIGIN_STREAM, subjects: [SUBJECT], storage: 'file' });
        await publishAckedMessages(server.port, MIRRORED_MESSAGES, MIRRORED_PAYLOAD_BYTES);
        const startMs = performance.now();
        await createStream(server.port, { name: MIRROR_STREAM, mirror: { name: ORIGIN_STREAM } });
        const rate = MIRRORED_MESSAGES / ((await waitForMirror(server.port, startMs)) / 1000);
        const peakRss = server.memory()?.peakRssBytes;
        if (peakRss === undefined) throw new Error(`server gone: ${server.describeExit()}`);
        rates.get(target)!.push(rate);
        outcome.rssBytes = Math.max(outcome.rssBytes ?? 0, peakRss);
        progress(`${label}: ${formatRate(rate)} msgs/s, peak RSS ${formatMebibytes(peakRss)}`);
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
    const targetRates = rates.get(target)!;
    if (targetRates.length > 0) (outcomes[target] as TargetOutcome).rate = median(targetRates);
  }
  return { scenario: 'jsmirror', load: `${MIRRORED_MESSAGES / 1000}k × ${MIRRORED_PAYLOAD_BYTES} B`, kind: 'rate', outcomes };
}
