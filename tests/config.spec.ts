// Configuration files in nats-server's format. Accepted files must mean the same thing to both servers,
// shown through INFO, /varz or behaviour. Rejected files must stop both servers with a non-zero exit
// (reference behaviour); where the error is reported is our own format, asserted for nats-ts only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer, type Target } from './support/servers.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

interface ExitResult {
  /** null when the server had to be killed: it accepted the file and kept running. */
  status: number | null;
  stderr: string;
}

/** Writes `files` into a new directory and runs the server on `server.conf` until it exits (10s at most). */
function runWithFiles(target: Target, files: Record<string, string>): ExitResult {
  const dir = mkdtempSync(join(tmpdir(), `nats-e2e-config-${target}-`));
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const configFile = join(dir, 'server.conf');
    const [command, args] =
      target === 'nats-server'
        ? [process.env.NATS_SERVER_BIN ?? 'nats-server', ['-c', configFile]]
        : [process.execPath, [join(repoRoot, 'bin', 'nats-ts-server'), '-c', configFile]];
    const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
    return { status: result.status, stderr: `${result.stderr}${result.stdout}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function varz(server: RunningServer): Promise<Record<string, any>> {
  const response = await fetch(`${server.httpUrl}/varz`, { signal: AbortSignal.timeout(3_000) });
  return (await response.json()) as Record<string, any>;
}

/** 1-based number of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`${needle} not in config`);
  return index + 1;
}

interface BadFile {
  name: string;
  files: Record<string, string>;
  /** Where nats-ts must report the problem: file (relative to the config dir) and line. */
  errorAt: { file: string; line: number };
}

// Every file here is rejected by nats-server 2.9.10 (checked); lines are 1-based.
const badFiles: BadFile[] = [
  {
    name: 'two values on one line',
    files: { 'server.conf': 'port: -1\nserver_name: "abc" "def"\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'missing separator between map entries',
    files: { 'server.conf': 'port: -1\nauthorization {\n  users = [ { user: a password: b } ]\n}\n' },
    errorAt: { file: 'server.conf', line: 3 },
  },
  {
    name: 'a key separator without a key',
    files: { 'server.conf': 'port: -1\n= 5\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'an unknown top-level key',
    files: { 'server.conf': 'port: -1\nbogus_key: 1\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'a string where a boolean is expected',
    files: { 'server.conf': 'port: -1\ndebug: "yes"\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'a string where a size is expected',
    files: { 'server.conf': 'port: -1\nmax_payload: "big"\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'an unparsable duration',
    files: { 'server.conf': 'port: -1\nping_interval: "2x"\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'a bad value inside a nested block',
    files: { 'server.conf': 'port: -1\nwebsocket {\n  port: -1\n  no_tls: true\n  compression: maybe\n}\n' },
    errorAt: { file: 'server.conf', line: 5 },
  },
  {
    name: 'a number where subjects are expected in permissions',
    files: {
      'server.conf': 'port: -1\nauthorization {\n  users: [\n    { user: a, password: b, permissions: { publish: { allow: 5 } } }\n  ]\n}\n',
    },
    errorAt: { file: 'server.conf', line: 4 },
  },
  {
    name: 'a duplicate user',
    files: { 'server.conf': 'port: -1\nauthorization { users: [ {user: a, password: b}, {user: a, password: c} ] }\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'no_auth_user naming nobody',
    files: { 'server.conf': 'port: -1\nno_auth_user: ghost\nauthorization { users: [ {user: a, password: b} ] }\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'a lame_duck_duration under the 30s minimum',
    files: { 'server.conf': 'port: -1\nlame_duck_duration: "5s"\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'an undefined variable',
    files: { 'server.conf': 'port: -1\nmax_payload: $NATS_E2E_NOT_DEFINED_ANYWHERE\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'a missing include file',
    files: { 'server.conf': 'port: -1\ninclude "./missing.conf"\n' },
    errorAt: { file: 'server.conf', line: 2 },
  },
  {
    name: 'an error inside an included file',
    files: {
      'server.conf': 'port: -1\ninclude "conf.d/limits.conf"\n',
      'conf.d/limits.conf': '# limits\nmax_payload: "big"\n',
    },
    errorAt: { file: 'conf.d/limits.conf', line: 2 },
  },
];

describeEachTarget('config files', (target) => {
  let server: RunningServer | undefined;
  const rawClients: RawClient[] = [];

  afterEach(async () => {
    for (const raw of rawClients.splice(0)) raw.close();
    await server?.stop();
    server = undefined;
  });

  async function info(): Promise<Record<string, any>> {
    const rc = await RawClient.connect(server!.port);
    rawClients.push(rc);
    return rc.info;
  }

  describe('accepted syntax', () => {
    it('key = value, key value, key: value, quoted keys, # and // comments, ; separators', async () => {
      server = await startServer(target, `
        # a hash comment
        // a slash comment
        server_name = "equals-form"     # trailing hash comment
        max_payload 65536               // trailing slash comment
        max_connections: 100;
        "max_control_line": 2048
        http: "127.0.0.1:-1"
      `);
      const v = await varz(server);
      expect(v.server_name).toBe('equals-form');
      expect(v.max_payload).toBe(65536);
      expect(v.max_connections).toBe(100);
      expect(v.max_control_line).toBe(2048);
      expect((await info()).max_payload).toBe(65536);
    });

    it('arrays separated by commas or newlines', async () => {
      server = await startServer(target, `
        http: "127.0.0.1:-1"
        server_tags: [
          "a:1"
          "b:2", "c:3"
          d
        ]
      `);
      expect((await varz(server)).tags).toEqual(['a:1', 'b:2', 'c:3', 'd']);
    });

    it('nested maps and arrays (accounts, users, permissions, websocket)', async () => {
      server = await startServer(target, `
        accounts: {
          APP: {
            users: [
              { user: app, password: app, permissions: { publish: { allow: ["app.>"] }, subscribe: ["app.>"] } }
            ]
          }
        }
        websocket {
          listen: "127.0.0.1:-1"
          no_tls: true
        }
      `);
      expect(server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const rc = await RawClient.connected(server.port, { user: 'app', pass: 'app' });
      rawClients.push(rc);
      expect(await rc.roundTrip('SUB app.x 1\r\nPUB app.x 2\r\nhi\r\nPUB other 0\r\n\r\n')).toEqual([
        'MSG app.x 1 2',
        'hi',
        `-ERR 'Permissions Violation for Publish to "other"'`,
      ]);
    });

    it('booleans: yes/on/true all mean true', async () => {
      for (const word of ['yes', 'on', 'true']) {
        server = await startServer(target, `no_header_support: ${word}`);
        expect((await info()).headers, word).toBe(false);
        await server.stop();
        server = undefined;
      }
    });
  });

  describe('sizes and durations', () => {
    it.each([
      ['100', 100],
      ['1K', 1000],
      ['1k', 1000],
      ['1KB', 1024],
      ['64kb', 65536],
      ['1M', 1_000_000],
      ['1MiB', 1_048_576],
      ['2MB', 2_097_152],
    ])('max_payload: %s is %i bytes (INFO and /varz)', async (written, bytes) => {
      server = await startServer(target, `max_payload: ${written}\nhttp: "127.0.0.1:-1"`);
      expect((await info()).max_payload).toBe(bytes);
      expect((await varz(server)).max_payload).toBe(bytes);
    });

    it('durations as Go duration strings; /varz reports nanoseconds (and seconds for auth_timeout)', async () => {
      server = await startServer(target, `
        http: "127.0.0.1:-1"
        ping_interval: "2s"
        write_deadline: "1m30s"
        authorization { user: u, password: p, timeout: 1.5 }
      `);
      const v = await varz(server);
      expect(v.ping_interval).toBe(2_000_000_000);
      expect(v.write_deadline).toBe(90_000_000_000);
      expect(v.auth_timeout).toBe(1.5);
    });

    it('an integer ping_interval means seconds', async () => {
      server = await startServer(target, 'http: "127.0.0.1:-1"\nping_interval: 7');
      expect((await varz(server)).ping_interval).toBe(7_000_000_000);
    });
  });

  describe('include', () => {
    it('includes files relative to the including file, nested', async () => {
      server = await startServer(target, 'include "conf.d/main.conf"\nhttp: "127.0.0.1:-1"', {
        files: {
          'conf.d/main.conf': 'server_name: included\ninclude "limits.conf"\n',
          'conf.d/limits.conf': 'max_payload: 4KB\n',
        },
      });
      expect((await varz(server)).server_name).toBe('included');
      expect((await info()).max_payload).toBe(4096);
    });

    it('an included file can hold a whole block', async () => {
      server = await startServer(target, 'authorization {\n  include "auth.conf"\n}', {
        files: { 'auth.conf': 'user: inc\npassword: inc-pass\n' },
      });
      expect((await info()).auth_required).toBe(true);
      const rc = await RawClient.connected(server.port, { user: 'inc', pass: 'inc-pass' });
      rawClients.push(rc);
    });
  });

  describe('variables', () => {
    it('$NAME refers to an earlier key', async () => {
      server = await startServer(target, 'PAYLOAD = 4096\nmax_payload: $PAYLOAD');
      expect((await info()).max_payload).toBe(4096);
    });

    it('a variable defined inside a block is visible there', async () => {
      server = await startServer(target, 'authorization {\n  PASS: "scoped-pass"\n  user: u\n  password: $PASS\n}');
      const rc = await RawClient.connected(server.port, { user: 'u', pass: 'scoped-pass' });
      rawClients.push(rc);
    });

    it('$ENV_VAR comes from the environment when no key of that name exists', async () => {
      server = await startServer(target, 'max_payload: $NATS_E2E_PAYLOAD', { env: { NATS_E2E_PAYLOAD: '8192' } });
      expect((await info()).max_payload).toBe(8192);
    });

    it('a key of the same name wins over the environment', async () => {
      server = await startServer(target, 'NATS_E2E_SHADOWED = 1111\nmax_payload: $NATS_E2E_SHADOWED', {
        env: { NATS_E2E_SHADOWED: '2222' },
      });
      expect((await info()).max_payload).toBe(1111);
    });

    it('variables are not expanded inside quoted strings', async () => {
      server = await startServer(target, 'http: "127.0.0.1:-1"\nserver_name: "name-$NATS_E2E_NAME"', {
        env: { NATS_E2E_NAME: 'expanded' },
      });
      expect((await varz(server)).server_name).toBe('name-$NATS_E2E_NAME');
    });
  });

  describe('rejected files', () => {
    it.each(badFiles)('$name: exits non-zero', ({ files, errorAt }) => {
      const result = runWithFiles(target, files);
      // Reference behaviour: the server refuses to start.
      expect(result.status, result.stderr).not.toBeNull();
      expect(result.status, result.stderr).not.toBe(0);
      if (target === 'nats-ts') {
        // Our own format: the error names file:line:col.
        const where = new RegExp(`${errorAt.file.replace(/[.]/g, '\\.')}:${errorAt.line}:\\d+`);
        expect(result.stderr).toMatch(where);
      }
    });

    it.runIf(target === 'nats-ts')('every error in a file is reported, not just the first (nats-ts)', () => {
      const result = runWithFiles(target, {
        'server.conf': 'port: -1\ndebug: "yes"\nmax_payload: "big"\nping_interval: "2x"\n',
      });
      expect(result.status).not.toBeNull();
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/server\.conf:2:\d+/);
      expect(result.stderr).toMatch(/server\.conf:3:\d+/);
      expect(result.stderr).toMatch(/server\.conf:4:\d+/);
    });
  });

  // nats-ts supports a subset of nats-server's keys; the rest must be ignored loudly, not fatally.
  describe.runIf(target === 'nats-ts')('keys nats-ts does not support (nats-ts only)', () => {
    it.each([
      ['mqtt', 'mqtt {\n  listen: "127.0.0.1:-1"\n}'],
    ])('%s: warns naming file:line and the key, and still starts', async (key, block) => {
      server = await startServer(target, `server_name: unsupported-keys\n${block}`);
      await server.waitForOutput(key, 3_000);
      const written = readFileSync(server.configFile, 'utf8');
      const line = lineOf(written, `${key} {`);
      const warning = server
        .output()
        .split('\n')
        .find((text) => text.includes(`server.conf:${line}:`) && text.includes(key));
      expect(warning, server.output()).toBeDefined();
      const rc = await RawClient.connected(server.port);
      rawClients.push(rc);
      expect(await rc.roundTrip()).toEqual([]);
    });
  });
});
