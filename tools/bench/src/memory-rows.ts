import { openFileLimit, withIdleConnections, withSubscriptions } from './idle-load.js';
import { formatMebibytes } from './report-table.js';
import type { ResultRow } from './results.js';
import { messageOf, type RowContext } from './row-context.js';
import { ServerProcess } from './server-process.js';
import { median } from './stats.js';
import type { TargetName } from './targets.js';

/** File descriptors the bench needs besides the idle connections themselves. */
const FILE_DESCRIPTOR_MARGIN = 200;

type IdleLoad = (port: number, measure: () => number | undefined) => Promise<number | undefined>;

/** Memory held by a fresh server under an idle load; each run starts its own server. */
async function runMemoryRow(load: string, holdLoad: IdleLoad, { options, repositoryRoot, progress }: RowContext): Promise<ResultRow> {
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

/** RSS while holding `--connections` idle clients; refuses up front if the open-file limit is too low. */
export function connectionsRow(context: RowContext): Promise<ResultRow> {
  const { options } = context;
  const load = `${options.connections} conns`;
  const limit = openFileLimit();
  if (limit < options.connections + FILE_DESCRIPTOR_MARGIN) {
    const problem = `open-file limit ${limit} is below ${options.connections + FILE_DESCRIPTOR_MARGIN}; raise the hard limit (ulimit -Hn)`;
    const outcomes: ResultRow['outcomes'] = {};
    for (const target of options.targets) outcomes[target] = { runs: options.runs, failedRuns: options.runs, problem };
    return Promise.resolve({ scenario: 'conns', load, kind: 'memory', outcomes });
  }
  return runMemoryRow(load, (port, measure) => withIdleConnections(port, options.connections, measure), context);
}

/** RSS while one client holds `--subscriptions` subscriptions on distinct subjects. */
export function subscriptionsRow(context: RowContext): Promise<ResultRow> {
  const count = context.options.subscriptions;
  return runMemoryRow(`${count} subs`, (port, measure) => withSubscriptions(port, count, measure), context);
}

