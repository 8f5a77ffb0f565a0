import type { ResultRow, TargetOutcome } from './results.js';
import { TARGET_NAMES, type TargetName } from './targets.js';

const [REFERENCE, CANDIDATE] = TARGET_NAMES;

export const TABLE_COLUMNS = [
  'scenario',
  'payload',
  `${REFERENCE} msgs/s`,
  `${CANDIDATE} msgs/s`,
  `${CANDIDATE} / ${REFERENCE}`,
  `${REFERENCE} peak RSS`,
  `${CANDIDATE} peak RSS`,
  'notes',
] as const;

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

export function formatMebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function formatMebibytesPerSecond(bytesPerSecond: number): string {
  return `${formatMebibytes(bytesPerSecond)}/s`;
}

/** Cell text for a target that has no number in this column. */
function missing(outcome: TargetOutcome | undefined): string | undefined {
  if (!outcome) return 'not run';
  if (outcome.failedRuns === outcome.runs) return 'n/a';
  return undefined;
}

/** The msgs/s columns; a bandwidth row says its unit in the cell. */
function rateCell(row: ResultRow, outcome: TargetOutcome | undefined): string {
  if (row.kind === 'memory') return '-';
  const format = row.kind === 'bandwidth' ? formatMebibytesPerSecond : formatRate;
  return missing(outcome) ?? (outcome?.rate === undefined ? 'n/a' : format(outcome.rate));
}

function rssCell(outcome: TargetOutcome | undefined): string {
  return missing(outcome) ?? (outcome?.rssBytes === undefined ? 'n/a' : formatMebibytes(outcome.rssBytes));
}

function ratioCell(row: ResultRow): string {
  const reference = row.outcomes[REFERENCE];
  const candidate = row.outcomes[CANDIDATE];
  const pick = (outcome: TargetOutcome | undefined): number | undefined =>
    row.kind === 'memory' ? outcome?.rssBytes : outcome?.rate;
  const numerator = pick(candidate);
  const denominator = pick(reference);
  if (numerator === undefined || denominator === undefined || denominator === 0) return 'n/a';
  return `${(numerator / denominator).toFixed(2)}${row.kind === 'memory' ? ' (RSS)' : ''}`;
}

function targetNote(target: TargetName, row: ResultRow, outcome: TargetOutcome | undefined): string[] {
  if (!outcome) return [];
  const notes: string[] = [];
  if (outcome.p50Micros !== undefined && outcome.p99Micros !== undefined) {
    notes.push(`${target} p50 ${outcome.p50Micros.toFixed(0)} µs p99 ${outcome.p99Micros.toFixed(0)} µs`);
  }
  if (row.kind === 'memory' && outcome.idleRssBytes !== undefined) {
    notes.push(`${target} idle ${formatMebibytes(outcome.idleRssBytes)}`);
  }
  if (outcome.problem) {
    const prefix = outcome.failedRuns === outcome.runs ? 'n/a' : `${outcome.failedRuns}/${outcome.runs} runs failed`;
    notes.push(`${target} ${prefix}: ${outcome.problem}`);
  }
  return notes;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

/** The report as a Markdown table with padded columns, readable in a terminal and pasteable. */
export function formatResultTable(rows: readonly ResultRow[]): string {
  const body = rows.map((row) => [
    row.scenario,
    row.load,
    rateCell(row, row.outcomes[REFERENCE]),
    rateCell(row, row.outcomes[CANDIDATE]),
    ratioCell(row),
    rssCell(row.outcomes[REFERENCE]),
    rssCell(row.outcomes[CANDIDATE]),
    TARGET_NAMES.flatMap((target) => targetNote(target, row, row.outcomes[target])).join('; '),
  ]);
  const lines = [[...TABLE_COLUMNS], ...body].map((cells) => cells.map(escapeCell));
  const widths = TABLE_COLUMNS.map((_, column) => Math.max(3, ...lines.map((cells) => cells[column].length)));
  const render = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const separator = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [render(lines[0]), separator, ...lines.slice(1).map(render)].join('\n');
}
