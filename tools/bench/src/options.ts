import { parseArgs } from 'node:util';
import { DEFAULT_SCENARIO_NAMES, OPT_IN_SCENARIO_NAMES, SCENARIO_NAMES, type ScenarioName } from './scenarios.js';
import { TARGET_NAMES, type TargetName } from './targets.js';

export interface BenchOptions {
  /** Measurements per (scenario, payload, target); targets alternate run by run. */
  runs: number;
  /** Length of each measurement window. */
  seconds: number;
  scenarios: ScenarioName[];
  /** Payload sizes in bytes for the message scenarios. */
  sizes: number[];
  targets: TargetName[];
  /** Idle client connections held by the `conns` scenario. */
  connections: number;
  /** Distinct-subject subscriptions held by the `conns` scenario. */
  subscriptions: number;
  /** Size of the stream the `jsstream` scenario writes and reads back, MiB. */
  jsStreamMebibytes: number;
  /** Directory for CPU profiles of the nats-ts processes (node --cpu-prof), when given. */
  profileDir: string | undefined;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Starts nats-server (from PATH) and bin/nats-ts-server on free loopback ports, runs each
scenario against both (alternating runs) and prints a table of median rates and peak RSS.

  --runs N            runs per scenario, payload and target (default 5)
  --seconds S         measurement window per run (default 3); the jspush and jspull stream
                      holds 250,000 messages per second of warm-up and window
  --scenarios LIST    comma-separated, from ${SCENARIO_NAMES.join(',')}
                      (default all but ${OPT_IN_SCENARIO_NAMES.join(',')})
  --sizes LIST        payload sizes in bytes (default 16,128,1024)
  --targets LIST      comma-separated, from ${TARGET_NAMES.join(',')} (default both)
  --connections N     idle connections for the conns scenario (default 10000)
  --subscriptions N   distinct-subject subscriptions for the conns scenario (default 100000)
  --js-stream-mb N    MiB the jsstream scenario writes and reads back, in 64 KiB messages (default 1024)
  --quick             1 run of 0.5 s, size 16 only, a 64 MiB stream (explicit flags still win)
  --profile DIR       run nats-ts under node --cpu-prof, writing a .cpuprofile per process to DIR
  --help              show this text
`;

export class UsageError extends Error {}

function positiveNumber(flag: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${flag} needs a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  }
  return value;
}

function nonEmpty(flag: string, text: string): string {
  if (text.trim() === '') throw new UsageError(`--${flag} needs a value`);
  return text;
}

function list<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UsageError(`--${flag}: unknown '${item}' (choose from ${allowed.join(', ')})`);
    }
  }
  if (items.length === 0) throw new UsageError(`--${flag} needs at least one value`);
  return [...new Set(items)] as T[];
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: 'string' },
        seconds: { type: 'string' },
        scenarios: { type: 'string' },
        sizes: { type: 'string' },
        targets: { type: 'string' },
        connections: { type: 'string' },
        subscriptions: { type: 'string' },
        'js-stream-mb': { type: 'string' },
        profile: { type: 'string' },
        quick: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const quick = parsed.quick === true;
  const scenarios = parsed.scenarios === undefined ? [...DEFAULT_SCENARIO_NAMES] : list('scenarios', parsed.scenarios, SCENARIO_NAMES);
  return {
    runs: parsed.runs === undefined ? (quick ? 1 : 5) : positiveNumber('runs', parsed.runs, true),
    seconds: parsed.seconds === undefined ? (quick ? 0.5 : 3) : positiveNumber('seconds', parsed.seconds, false),
    scenarios,
    sizes:
      parsed.sizes === undefined
        ? quick
          ? [16]
          : [16, 128, 1024]
        : parsed.sizes.split(',').map((size) => positiveNumber('sizes', size.trim(), true)),
    targets: parsed.targets === undefined ? [...TARGET_NAMES] : list('targets', parsed.targets, TARGET_NAMES),
    connections: parsed.connections === undefined ? 10_000 : positiveNumber('connections', parsed.connections, true),
    subscriptions: parsed.subscriptions === undefined ? 100_000 : positiveNumber('subscriptions', parsed.subscriptions, true),
    jsStreamMebibytes:
      parsed['js-stream-mb'] === undefined ? (quick ? 64 : 1024) : positiveNumber('js-stream-mb', parsed['js-stream-mb'], true),
    profileDir: parsed.profile === undefined ? undefined : nonEmpty('profile', parsed.profile),
    help: parsed.help === true,
  };
}
