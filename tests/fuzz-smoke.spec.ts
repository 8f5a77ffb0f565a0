import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const FUZZ = 'tools/fuzz/dist/main.js';

// The socket fuzzer briefly, against each server: every kind of connection gets its inputs, the
// well-behaved client is served after each batch, and the process exits 0. `npm run fuzz` runs it
// with a million inputs.
describe.each(['nats-ts', 'nats-server'])('fuzz against %s', (target) => {
  it('sends random and mutated streams on client, route and leaf ports and the server keeps serving', { timeout: 120_000 }, async () => {
    expect(existsSync(FUZZ), `${FUZZ} is missing: build first (npx tsc -b)`).toBe(true);
    const { stdout } = await run(process.execPath, [FUZZ, '--inputs', '30000', '--seed', '5', '--target', target], { timeout: 110_000, maxBuffer: 1 << 20 });
    for (const kind of ['client', 'route', 'leaf']) expect(stdout).toMatch(new RegExp(`^\\| ${kind} \\| \\d+ \\| \\d+ \\|`, 'm'));
    const summary = /^(\d+) inputs at (\S+) in [\d.]+ s \(seed 5\); (\d+) health checks passed/m.exec(stdout);
    expect(summary, stdout).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThanOrEqual(30_000);
    expect(summary![2]).toBe(target);
    expect(Number(summary![3])).toBeGreaterThanOrEqual(1);
  });
});

describe('fuzz options', () => {
  it('refuses an unknown connection kind with the usage, exit code 2', async () => {
    const failed = await run(process.execPath, [FUZZ, '--kinds', 'client,gateway']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('--kinds takes client, route, leaf, got "gateway"');
  });
});
