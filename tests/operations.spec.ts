// Running the server: command-line flags (and their precedence over the config file), identity in
// /varz, config reload on SIGHUP, lame duck mode on SIGUSR2 and the shutdown signals.
// Every expectation is nats-server 2.9.10 behaviour unless a comment says otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUser, type KeyPair } from '@nats-io/nkeys';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { nkeyConnectFields } from './support/nkeys.js';
import { freePort } from './support/free-port.js';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer, type Target } from './support/servers.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the server binary to completion (for flags that print and exit). */
function runToExit(target: Target, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const [command, commandArgs] =
    target === 'nats-server'
      ? [process.env.NATS_SERVER_BIN ?? 'nats-server', args]
      : [process.execPath, [join(repoRoot, 'bin', 'nats-ts-server'), ...args]];
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}


async function varz(server: RunningServer): Promise<Record<string, any>> {
  const response = await fetch(`${server.httpUrl}/varz`, { signal: AbortSignal.timeout(3_000) });
  return (await response.json()) as Record<string, any>;
}

describeEachTarget('operations', (target) => {
  let server: RunningServer | undefined;
  const rawClients: RawClient[] = [];
  const connections: NatsConnection[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    for (const raw of rawClients.splice(0)) raw.close();
    await server?.stop();
    server = undefined;
  });

  async function raw(fields: Record<string, unknown> = {}): Promise<RawClient> {
    const rc = await RawClient.connected(server!.port, fields);
    rawClients.push(rc);
    return rc;
  }

  /** Expects a fresh connection with these CONNECT fields to be refused with Authorization Violation. */
  async function expectRejected(fields: Record<string, unknown>): Promise<void> {
    const rc = await RawClient.connect(server!.port);
    rawClients.push(rc);
    rc.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...fields })}\r\nPING\r\n`);
    expect(await rc.nextLine()).toBe("-ERR 'Authorization Violation'");
    expect(await rc.waitClosed()).toBe(true);
  }

  describe('informational flags', () => {
    it.each(['-v', '--version'])('%s prints a version and exits 0', (flag) => {
      const result = runToExit(target, [flag]);
      expect(result.status).toBe(0);
      expect(result.stdout + result.stderr).toMatch(/v?\d+\.\d+\.\d+/);
    });

    it.each(['-h', '--help'])('%s prints usage listing the flags and exits 0', (flag) => {
      const result = runToExit(target, [flag]);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/usage/i);
      for (const listed of ['--port', '--addr', '--name', '--http_port', '--user', '--pass', '--auth', '--config']) {
        expect(result.stdout).toContain(listed);
      }
    });
  });

  describe('flags override the config file', () => {
    it('-p sets the client port', async () => {
      const port = await freePort();
      server = await startServer(target, 'port: -1', { extraArgs: ['-p', String(port)] });
      expect(server.port).toBe(port);
    });

    it('-a sets the listen address', async () => {
      server = await startServer(target, 'host: "0.0.0.0"', { extraArgs: ['-a', '127.0.0.1'] });
      expect(server.portsFile.nats).toEqual([`nats://127.0.0.1:${server.port}`]);
      const rc = await raw();
      expect(rc.info.host).toBe('127.0.0.1');
    });

    it('-n sets the server name', async () => {
      server = await startServer(target, 'server_name: from-file\nhttp: "127.0.0.1:-1"', { extraArgs: ['-n', 'from-flag'] });
      expect((await varz(server)).server_name).toBe('from-flag');
      const rc = await raw();
      expect(rc.info.server_name).toBe('from-flag');
    });

    it('-m sets the monitoring port', async () => {
      const port = await freePort();
      server = await startServer(target, 'http: "127.0.0.1:-1"', { extraArgs: ['-m', String(port)] });
      expect(server.httpUrl).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${server.httpUrl}/healthz`, { signal: AbortSignal.timeout(3_000) })).status).toBe(200);
    });

    it('--user/--pass replace the authorization block credentials', async () => {
      server = await startServer(target, 'authorization { user: file-user, password: file-pass }', {
        extraArgs: ['--user', 'flag-user', '--pass', 'flag-pass'],
      });
      await raw({ user: 'flag-user', pass: 'flag-pass' });
      await expectRejected({ user: 'file-user', pass: 'file-pass' });
    });

    it('--auth replaces the authorization token', async () => {
      server = await startServer(target, 'authorization { token: file-token }', { extraArgs: ['--auth', 'flag-token'] });
      await raw({ auth_token: 'flag-token' });
      await expectRejected({ auth_token: 'file-token' });
    });

    it('--ports_file_dir replaces ports_file_dir', async () => {
      // The harness finds the ports file only in the working directory ("."), so start-up itself proves the flag won.
      server = await startServer(target, 'ports_file_dir: "from-file"', {
        extraArgs: ['--ports_file_dir', '.'],
        files: { 'from-file/.keep': '' },
      });
      expect(readdirSync(join(server.dir, 'from-file'))).toEqual(['.keep']);
      const ports = JSON.parse(readFileSync(join(server.dir, `nats-server_${server.pid}.ports`), 'utf8'));
      expect(ports).toEqual({ nats: [`nats://127.0.0.1:${server.port}`] });
    });

    it('-P replaces pid_file', async () => {
      server = await startServer(target, 'pid_file: "from-file.pid"', { extraArgs: ['-P', 'from-flag.pid'] });
      expect(readFileSync(join(server.dir, 'from-flag.pid'), 'utf8')).toBe(String(server.pid));
      expect(existsSync(join(server.dir, 'from-file.pid'))).toBe(false);
    });
  });

  describe('identity in /varz', () => {
    it('server_name and server_tags (tags are lower-cased)', async () => {
      server = await startServer(target, `
        http: "127.0.0.1:-1"
        server_name: "ops-test"
        server_tags: ["region:eu", "Tier:Gold"]`);
      const info = await varz(server);
      expect(info.server_name).toBe('ops-test');
      expect(info.tags).toEqual(['region:eu', 'tier:gold']);
    });
  });

  describe('reload on SIGHUP', () => {
    const usersConfig = `
      authorization {
        users: [
          { user: alice, password: "alice-1" }
          { user: bob, password: bob }
          { user: carol, password: carol, permissions: { publish: ["allowed.>"], subscribe: ["watch.>", "keep"] } }
        ]
      }`;

    function rewriteConfig(edit: (config: string) => string): void {
      const before = readFileSync(server!.configFile, 'utf8');
      const after = edit(before);
      expect(after).not.toBe(before);
      writeFileSync(server!.configFile, after);
    }

    it('a changed password disconnects clients that used the old one', async () => {
      server = await startServer(target, usersConfig);
      const alice = await raw({ user: 'alice', pass: 'alice-1' });
      const bob = await raw({ user: 'bob', pass: 'bob' });
      rewriteConfig((config) => config.replace('"alice-1"', '"alice-2"'));
      server.signal('SIGHUP');
      expect(await alice.nextLine(5_000)).toBe("-ERR 'Authorization Violation'");
      expect(await alice.waitClosed()).toBe(true);
      expect(await bob.roundTrip()).toEqual([]);
      await raw({ user: 'alice', pass: 'alice-2' });
      await expectRejected({ user: 'alice', pass: 'alice-1' });
    });

    it('a removed user is disconnected (without an error message) and can no longer connect', async () => {
      server = await startServer(target, usersConfig);
      const alice = await raw({ user: 'alice', pass: 'alice-1' });
      const bob = await raw({ user: 'bob', pass: 'bob' });
      rewriteConfig((config) => config.replace('{ user: bob, password: bob }', ''));
      server.signal('SIGHUP');
      expect(await bob.waitClosed(5_000)).toBe(true);
      expect(bob.pendingLines()).toEqual([]);
      expect(await alice.roundTrip()).toEqual([]);
      await expectRejected({ user: 'bob', pass: 'bob' });
    });

    it('changed permissions apply to existing connections and their subscriptions', async () => {
      server = await startServer(target, usersConfig);
      const carol = await raw({ user: 'carol', pass: 'carol' });
      expect(await carol.roundTrip('SUB watch.x 1\r\nSUB keep 2\r\nPUB allowed.a 0\r\n\r\n')).toEqual([]);
      rewriteConfig((config) =>
        config.replace('publish: ["allowed.>"], subscribe: ["watch.>", "keep"]', 'publish: ["other"], subscribe: ["keep"]'),
      );
      server.signal('SIGHUP');
      expect(await carol.nextLine(5_000)).toBe(`-ERR 'Permissions Violation for Subscription to "watch.x" (sid "1")'`);
      expect(await carol.roundTrip('PUB allowed.a 0\r\n\r\nPUB other 0\r\n\r\n')).toEqual([
        `-ERR 'Permissions Violation for Publish to "allowed.a"'`,
      ]);
      const alice = await raw({ user: 'alice', pass: 'alice-1' });
      await alice.roundTrip('PUB watch.x 1\r\nw\r\nPUB keep 1\r\nk\r\n');
      expect(await carol.roundTrip()).toEqual(['MSG keep 2 1', 'k']);
    });

    it('nkey users: a removed one is disconnected, changed permissions apply to the others', async () => {
      const [kept, removed] = [createUser(), createUser()];
      /** A raw client signed in as `user`: it signs the nonce of its INFO. */
      const nkeyRaw = async (user: KeyPair): Promise<RawClient> => {
        const rc = await RawClient.connect(server!.port);
        rawClients.push(rc);
        const fields = nkeyConnectFields(String(rc.info.nonce), user);
        rc.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...fields })}\r\nPING\r\n`);
        expect(await rc.nextLine()).toBe('PONG');
        return rc;
      };
      server = await startServer(
        target,
        `authorization { users: [
          { nkey: ${kept.getPublicKey()}, permissions: { publish: "a.>" } }
          { nkey: ${removed.getPublicKey()} }
        ] }`,
      );
      const keptClient = await nkeyRaw(kept);
      const removedClient = await nkeyRaw(removed);
      rewriteConfig((config) => config.replace(`{ nkey: ${removed.getPublicKey()} }`, '').replace('publish: "a.>"', 'publish: "b.>"'));
      server.signal('SIGHUP');
      expect(await removedClient.waitClosed(5_000)).toBe(true);
      expect(removedClient.pendingLines()).toEqual([]);
      // nats-server applies a reload to each client in turn: the kept one's may come a moment later.
      const violation = `-ERR 'Permissions Violation for Publish to "a.x"'`;
      let answer: string[] = [];
      for (let tries = 0; tries < 50 && answer[0] !== violation; tries++) answer = await keptClient.roundTrip('PUB a.x 0\r\n\r\nPUB b.x 0\r\n\r\n');
      expect(answer).toEqual([violation]);
    });

    it('a changed log level takes effect', async () => {
      server = await startServer(target, 'debug: false');
      await raw();
      expect(server.output()).not.toContain('[DBG]');
      rewriteConfig((config) => config.replace('debug: false', 'debug: true'));
      server.signal('SIGHUP');
      // A new connection after the reload is logged at debug level.
      await expect
        .poll(async () => {
          (await raw()).close();
          return server!.output().includes('[DBG]');
        }, { timeout: 5_000, interval: 200 })
        .toBe(true);
    });

    it('an invalid file is reported and the running configuration is kept', async () => {
      server = await startServer(target, usersConfig);
      const bob = await raw({ user: 'bob', pass: 'bob' });
      rewriteConfig((config) => `${config}\nthis is { not valid\n`);
      server.signal('SIGHUP');
      await server.waitForOutput('[ERR]', 5_000);
      expect(await bob.roundTrip()).toEqual([]);
      await raw({ user: 'alice', pass: 'alice-1' });
    });
  });

  describe('lame duck mode on SIGUSR2', () => {
    // nats-server rejects a lame_duck_duration under 30s; it spaces closes by at most 1s per client,
    // so with few clients the whole sequence takes about grace period + number of clients seconds.
    const lameDuckConfig = 'lame_duck_duration: "30s"\nlame_duck_grace_period: "1s"';

    it('announces ldm in INFO, stops accepting, closes every client after the grace period and exits 0', async () => {
      server = await startServer(target, lameDuckConfig);
      const first = await raw({ protocol: 1 });
      const second = await raw({ protocol: 1 });
      const official = await connect({ servers: server.clientUrl, reconnect: false, timeout: 3_000 });
      connections.push(official);
      const statuses: string[] = [];
      void (async () => {
        for await (const status of official.status()) statuses.push(status.type);
      })();
      const port = server.port;
      const startedAt = Date.now();
      server.signal('SIGUSR2');

      for (const client of [first, second]) {
        const infoLine = await client.nextLine(3_000);
        expect(infoLine).toMatch(/^INFO /);
        expect(JSON.parse(infoLine.slice('INFO '.length)).ldm).toBe(true);
      }
      await expect.poll(() => statuses, { timeout: 3_000 }).toContain('ldm');
      await expect(RawClient.connect(port, { timeoutMs: 2_000 })).rejects.toThrow();
      // Still served during the grace period.
      expect(await first.roundTrip()).toEqual([]);

      expect(await first.waitClosed(8_000)).toBe(true);
      expect(await second.waitClosed(8_000)).toBe(true);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
      expect(await server.waitExit(8_000)).toEqual({ code: 0, signal: null });
    });

    it('SIGTERM during lame duck mode does not cut it short', async () => {
      server = await startServer(target, lameDuckConfig);
      const client = await raw({ protocol: 1 });
      server.signal('SIGUSR2');
      await client.waitForLine(/^INFO .*"ldm":true/, 3_000);
      server.signal('SIGTERM');
      expect(await client.roundTrip()).toEqual([]);
      expect(await client.waitClosed(8_000)).toBe(true);
      expect(await server.waitExit(8_000)).toEqual({ code: 0, signal: null });
    });

    it('a server without clients exits right away', async () => {
      server = await startServer(target, lameDuckConfig);
      server.signal('SIGUSR2');
      expect(await server.waitExit(3_000)).toEqual({ code: 0, signal: null });
    });
  });

  describe('shutdown signals', () => {
    it('SIGINT shuts down cleanly with exit code 0', async () => {
      server = await startServer(target);
      const client = await raw();
      server.signal('SIGINT');
      expect(await server.waitExit(5_000)).toEqual({ code: 0, signal: null });
      expect(await client.waitClosed()).toBe(true);
    });

    it('SIGTERM shuts down with exit code 1 (nats-server 2.9 exits 1 on SIGTERM)', async () => {
      server = await startServer(target);
      const client = await raw();
      server.signal('SIGTERM');
      expect(await server.waitExit(5_000)).toEqual({ code: 1, signal: null });
      expect(await client.waitClosed()).toBe(true);
      expect(existsSync(join(server.dir, `nats-server_${server.pid}.ports`))).toBe(false);
    });
  });
});
