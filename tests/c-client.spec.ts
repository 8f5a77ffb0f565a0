// The official C client (libnats, from Debian's libnats-dev): a program built from
// tests/support/c-client drains its connection and must see every message it published and a
// clean close, against nats-ts as against nats-server.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, startServer } from './support/servers.js';

const run = promisify(execFile);
const buildDir = mkdtempSync(join(tmpdir(), 'nats-c-client-'));
const drainProgram = join(buildDir, 'drain');

beforeAll(async () => {
  await run('gcc', ['-O2', '-Wall', '-o', drainProgram, join(import.meta.dirname, 'support/c-client/drain.c'), '-lnats']);
}, 60_000);

afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

describeEachTarget('the C client', (target) => {
  it('drains: every message it published arrives before the connection closes cleanly', async () => {
    const server = await startServer(target);
    try {
      const { stdout } = await run(drainProgram, [`nats://127.0.0.1:${server.port}`, '5000'], { timeout: 20_000 });
      expect(JSON.parse(stdout)).toEqual({ status: 'OK', drainError: 'OK', closed: true, received: 5000 });
    } finally {
      await server.stop();
    }
  });
});
