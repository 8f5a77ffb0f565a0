// End-to-end harness: starts nats-ts or the reference nats-server on ephemeral loopback ports,
// learns the ports from the ports file both servers write, and guarantees no process outlives the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe } from 'vitest';

export type Target = 'nats-ts' | 'nats-server';

const knownTargets: readonly Target[] = ['nats-ts', 'nats-server'];

function parseTargets(value: string | undefined): Target[] {
  if (!value || value.trim() === '') return [...knownTargets];
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!knownTargets.includes(name as Target)) {
      throw new Error(`NATS_TS_TARGETS: unknown target '${name}' (known: ${knownTargets.join(', ')})`);
    }
  }
  return names as Target[];
}

export const targets: Target[] = parseTargets(process.env.NATS_TS_TARGETS);

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const natsTsBin = join(repoRoot, 'bin', 'nats-ts-server');
const natsServerBin =
  process.env.NATS_SERVER_BIN ??
  ['/usr/bin/nats-server', '/usr/sbin/nats-server', '/usr/local/bin/nats-server'].find((path) => existsSync(path)) ??
  'nats-server';

const startTimeoutMs = 10_000;
const stopGraceMs = 5_000;

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface RunningServer {
  readonly target: Target;
  readonly pid: number;
  /** Working directory of the server process; relative paths in the config resolve here. */
  readonly dir: string;
  readonly configFile: string;
  /** nats://127.0.0.1:<port> */
  readonly clientUrl: string;
  readonly port: number;
  readonly httpUrl?: string;
  readonly wsUrl?: string;
  /** The parsed ports file as the server wrote it. */
  readonly portsFile: PortsFile;
  /** stdout+stderr so far. */
  output(): string;
  /** Resolves with the output once it matches `pattern`; rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  signal(sig: NodeJS.Signals): void;
  waitExit(timeoutMs?: number): Promise<ExitStatus>;
  /** SIGTERM, then SIGKILL after a grace period; removes the working directory. */
  stop(): Promise<void>;
}

export interface PortsFile {
  nats?: string[];
  monitoring?: string[];
  websocket?: string[];
  cluster?: string[];
  leafnode?: string[];
  profile?: string[];
  [kind: string]: string[] | undefined;
}

export interface StartOptions {
  /** Passed after `-c <file>`. */
  extraArgs?: string[];
  /** Merged over the test process environment. */
  env?: NodeJS.ProcessEnv;
  /** Extra files written into the server's working directory (relative path → content). */
  files?: Record<string, string>;
}

const liveServers = new Set<ServerProcess>();

// Last-resort cleanup when a test file's worker exits with servers still running.
process.on('exit', () => {
  for (const server of liveServers) server.killNow();
});

/** Keys set at the top level of a nats config (outside any block), ignoring comments and strings. */
export function topLevelKeys(config: string): Set<string> {
  const keys = new Set<string>();
  let depth = 0;
  for (const rawLine of config.split(/\r?\n/)) {
    const line = stripCommentAndStrings(rawLine);
    if (depth === 0) {
      const key = /^\s*([A-Za-z_][\w-]*)\s*(?:[:=]|\s|\{|$)/.exec(line);
      if (key) keys.add(key[1]!.toLowerCase());
    }
    for (const ch of line) {
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') depth = Math.max(0, depth - 1);
    }
  }
  return keys;
}

function stripCommentAndStrings(line: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      out += '""';
      continue;
    }
    if (ch === '#' || (ch === '/' && line[i + 1] === '/')) break;
    out += ch;
  }
  return out;
}

function buildConfig(config: string, dir: string): string {
  const keys = topLevelKeys(config);
  const lines: string[] = [];
  const setsAddress = keys.has('listen');
  if (!setsAddress && !keys.has('host') && !keys.has('net')) lines.push('host: 127.0.0.1');
  if (!setsAddress && !keys.has('port')) lines.push('port: -1');
  if (!keys.has('ports_file_dir')) lines.push(`ports_file_dir: ${JSON.stringify(dir)}`);
  return `${lines.join('\n')}\n${config}\n`;
}

/** Picks the loopback address out of a ports file list (servers listening on any address list every interface). */
function loopbackUrl(urls: string[] | undefined): string | undefined {
  if (!urls || urls.length === 0) return undefined;
  const loopback = urls.find((url) => /\/\/(127\.0\.0\.1|localhost)(:|$)/.test(url));
  if (loopback) return loopback;
  return urls[0]!.replace(/\/\/(0\.0\.0\.0|\[::\])(:|$)/, '//127.0.0.1$2');
}

class ServerProcess implements RunningServer {
  readonly pid: number;
  readonly configFile: string;
  clientUrl = '';
  port = 0;
  httpUrl?: string;
  wsUrl?: string;
  portsFile: PortsFile = {};
  private captured = '';
  private exitStatus: ExitStatus | null = null;
  private readonly exited: Promise<ExitStatus>;
  private readonly outputWaiters = new Set<() => void>();

  constructor(
    readonly target: Target,
    readonly dir: string,
    configFile: string,
    private readonly child: ChildProcess,
  ) {
    this.pid = child.pid!;
    this.configFile = configFile;
    const capture = (chunk: Buffer): void => {
      this.captured += chunk.toString('utf8');
      for (const notify of this.outputWaiters) notify();
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        liveServers.delete(this);
        for (const notify of this.outputWaiters) notify();
        resolve(this.exitStatus);
      });
    });
  }

  get hasExited(): boolean {
    return this.exitStatus !== null;
  }

  output(): string {
    return this.captured;
  }

  waitForOutput(pattern: RegExp | string, timeoutMs = 5_000): Promise<string> {
    const matches = (): boolean =>
      typeof pattern === 'string' ? this.captured.includes(pattern) : pattern.test(this.captured);
    if (matches()) return Promise.resolve(this.captured);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (matches()) {
          finish();
          resolve(this.captured);
        } else if (this.exitStatus) {
          finish();
          reject(new Error(`${this.target} exited before printing ${String(pattern)}; output:\n${this.captured}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.target} did not print ${String(pattern)} within ${timeoutMs}ms; output:\n${this.captured}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.outputWaiters.delete(check);
      };
      this.outputWaiters.add(check);
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.hasExited) this.child.kill(sig);
  }

  waitExit(timeoutMs = 10_000): Promise<ExitStatus> {
    if (this.exitStatus) return Promise.resolve(this.exitStatus);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.target} (pid ${this.pid}) did not exit within ${timeoutMs}ms`)),
        timeoutMs,
      );
      void this.exited.then((status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
  }

  async stop(): Promise<void> {
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      try {
        await this.waitExit(stopGraceMs);
      } catch {
        this.child.kill('SIGKILL');
        await this.waitExit(stopGraceMs);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  killNow(): void {
    if (!this.hasExited) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Waits for `<name>_<pid>.ports` (written once every listener is up) and reads the addresses from it. */
  async readPorts(): Promise<void> {
    const deadline = Date.now() + startTimeoutMs;
    const suffix = `_${this.pid}.ports`;
    while (Date.now() < deadline) {
      if (this.exitStatus) {
        throw new Error(
          `${this.target} exited (${JSON.stringify(this.exitStatus)}) before writing its ports file; output:\n${this.captured}`,
        );
      }
      const name = readdirSync(this.dir).find((file) => file.endsWith(suffix));
      if (name) {
        // The file may be caught half-written; a parse failure just means "not yet".
        try {
          this.portsFile = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as PortsFile;
        } catch {
          this.portsFile = {};
        }
        const client = loopbackUrl(this.portsFile.nats);
        if (client) {
          this.clientUrl = client;
          this.port = Number(new URL(client).port);
          this.httpUrl = loopbackUrl(this.portsFile.monitoring);
          this.wsUrl = loopbackUrl(this.portsFile.websocket);
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${this.target} wrote no ports file within ${startTimeoutMs}ms; output:\n${this.captured}`);
  }
}

function commandFor(target: Target, configFile: string, extraArgs: string[]): [string, string[]] {
  if (target === 'nats-server') return [natsServerBin, ['-c', configFile, ...extraArgs]];
  return [process.execPath, [natsTsBin, '-c', configFile, ...extraArgs]];
}

/**
 * Writes `config` to <tmpdir>/server.conf, adding `host: 127.0.0.1`, `port: -1` (unless the config sets
 * them) and `ports_file_dir`, starts the server with that directory as its working directory, and waits
 * until its ports file appears.
 */
export async function startServer(target: Target, config = '', options: StartOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), `nats-e2e-${target}-`));
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const configFile = join(dir, 'server.conf');
  writeFileSync(configFile, buildConfig(config, dir));
  const [command, args] = commandFor(target, configFile, options.extraArgs ?? []);
  const child = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`${target}: cannot start ${command}: ${err.message}`)));
  });
  spawnFailure.catch(() => undefined); // only the race below reports it
  if (child.pid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    await spawnFailure;
  }
  const server = new ServerProcess(target, dir, configFile, child);
  liveServers.add(server);
  try {
    await Promise.race([server.readPorts(), spawnFailure]);
  } catch (err) {
    server.killNow();
    throw err;
  }
  return server;
}

/** Stops every server this test file started that is still running. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...liveServers].map((server) => server.stop()));
}

/** `describe` once per target; servers a test forgot to stop are stopped when the block ends. */
export function describeEachTarget(name: string, fn: (target: Target) => void): void {
  describe.each(targets.map((target) => [target]))(`${name} [%s]`, (target) => {
    afterAll(stopAllServers);
    fn(target as Target);
  });
}
