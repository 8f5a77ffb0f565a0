#!/usr/bin/env node
/**
 * nats-ts bench: compares nats-ts with nats-server under the same raw-socket load and
 * prints one Markdown table on stdout; progress goes to stderr.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench } from './bench-runner.js';
import { USAGE, UsageError, parseBenchOptions } from './options.js';
import { formatResultTable } from './report-table.js';
import { profileNatsTsInto } from './server-process.js';

/** tools/bench/dist/main.js → the repository root, where bin/nats-ts-server lives. */
const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// Exiting runs the 'exit' hook that kills the servers this process started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.profileDir !== undefined) profileNatsTsInto(resolve(options.profileDir));
  process.stderr.write(
    `bench: ${options.runs} run(s) of ${options.seconds} s per row; targets ${options.targets.join(', ')}; ` +
      `scenarios ${options.scenarios.join(', ')}; payloads ${options.sizes.join(', ')} B\n`,
  );
  const rows = await runBench({
    options,
    repositoryRoot: REPOSITORY_ROOT,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatResultTable(rows)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
