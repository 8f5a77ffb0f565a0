import { parseArgs } from 'node:util';

export const LINK_KINDS = ['client', 'route', 'leaf'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];
export const FUZZ_TARGETS = ['nats-ts', 'nats-server'] as const;
export type FuzzTarget = (typeof FUZZ_TARGETS)[number];

export interface FuzzOptions {
  /** Inputs to send: generated frames, mutations and random chunks all count. */
  readonly inputs: number;
  readonly seed: number;
  readonly target: FuzzTarget;
  readonly kinds: readonly LinkKind[];
  /** Connections fuzzing at once. */
  readonly concurrency: number;
  /** Generated frames per connection before its mutations. */
  readonly framesPerConnection: number;
  /** Connections between two checks that a well-behaved client is still served. */
  readonly checkEvery: number;
}

export const USAGE = `usage: npm run fuzz -- [--inputs N] [--seed N] [--target nats-ts|nats-server] [--kinds client,route,leaf]
                     [--concurrency N] [--frames N] [--check-every N]`;

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} wants a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

/** Reads the command line; throws an Error naming the bad flag. */
export function parseFuzzOptions(argv: readonly string[]): FuzzOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      inputs: { type: 'string' },
      seed: { type: 'string' },
      target: { type: 'string' },
      kinds: { type: 'string' },
      concurrency: { type: 'string' },
      frames: { type: 'string' },
      'check-every': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const target = values.target ?? 'nats-ts';
  if (!(FUZZ_TARGETS as readonly string[]).includes(target)) throw new Error(`--target is one of ${FUZZ_TARGETS.join(', ')}, got ${JSON.stringify(target)}`);
  const kinds = (values.kinds ?? LINK_KINDS.join(',')).split(',').filter((kind) => kind !== '');
  for (const kind of kinds) {
    if (!(LINK_KINDS as readonly string[]).includes(kind)) throw new Error(`--kinds takes ${LINK_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  if (kinds.length === 0) throw new Error('--kinds names no connection kind');
  return {
    inputs: positiveInteger('inputs', values.inputs, 1_000_000),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : positiveInteger('seed', values.seed, 1),
    target: target as FuzzTarget,
    kinds: kinds as LinkKind[],
    concurrency: positiveInteger('concurrency', values.concurrency, 8),
    framesPerConnection: positiveInteger('frames', values.frames, 100),
    checkEvery: positiveInteger('check-every', values['check-every'], 200),
  };
}
