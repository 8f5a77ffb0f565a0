import { createServer } from 'node:net';

// A port picked by bind(0) and closed again can be taken by the next bind(0) of any process
// (a server choosing its monitoring port, say) before the test's server binds it. Ports are
// therefore handed out below Linux's ephemeral range (32768-60999), where bind(0) never lands,
// from a slice of their own per Vitest worker so that parallel test files do not meet either.
const LOWEST = 10_000;
const SLICE = 1_000;
const SLICES = 22;

const worker = Number(process.env.VITEST_POOL_ID ?? 0);
const sliceStart = LOWEST + (worker % SLICES) * SLICE;
// A test file that runs after another in the same worker starts elsewhere in the slice.
let next = Math.floor(Math.random() * SLICE);

/** A loopback port below the ephemeral range that is free now and not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = sliceStart + next;
    next = (next + 1) % SLICE;
    if (await canBind(port)) return port;
  }
  throw new Error(`no free loopback port in ${sliceStart}-${sliceStart + SLICE - 1}`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
