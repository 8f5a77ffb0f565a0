import { connectionsRow, subscriptionsRow } from './memory-rows.js';
import { mirrorRow } from './mirror-row.js';
import { runRateRow } from './rate-row.js';
import type { ResultRow } from './results.js';
import type { RowContext } from './row-context.js';
import { streamRows } from './stream-rows.js';

/** Runs every selected row in table order; progress lines describe each run as it finishes. */
export async function runBench(context: RowContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const scenario of context.options.scenarios) {
    if (scenario === 'conns') {
      rows.push(await connectionsRow(context));
      rows.push(await subscriptionsRow(context));
      continue;
    }
    if (scenario === 'jsstream') {
      rows.push(...(await streamRows(context)));
      continue;
    }
    if (scenario === 'jsmirror') {
      rows.push(await mirrorRow(context));
      continue;
    }
    for (const size of context.options.sizes) rows.push(await runRateRow(scenario, size, context));
  }
  return rows;
}
