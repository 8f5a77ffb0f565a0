// nats-ts only: the system account is fixed at startup. nats-server refuses a reload that changes
// it; nats-ts applies the rest of the reload and warns that the change needs a restart.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, targets, type RunningServer } from './support/servers.js';

describe.runIf(targets.includes('nats-ts'))('system_account on SIGHUP [nats-ts]', () => {
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  it('keeps the system account and warns that a new one takes effect after a restart', async () => {
    server = await startServer('nats-ts', 'system_account: SYS\naccounts { SYS {}, OTHER {} }');
    const config = readFileSync(server.configFile, 'utf8');
    writeFileSync(server.configFile, config.replace('system_account: SYS', 'system_account: OTHER'));
    server.signal('SIGHUP');
    const output = await server.waitForOutput('Reloaded server configuration');
    expect(output).toContain('system account change to OTHER takes effect after a restart; still SYS');
  });
});
