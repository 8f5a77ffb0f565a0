// Starts one nats-ts role as its own process (node apps/<role>/dist/main.js -c <config>) in a
// temporary directory, learns its addresses from the ports file, and never lets it outlive the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const startTimeoutMs = 15_000;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface RoleProcess {
  readonly pid: number;
  /** nats://127.0.0.1:<port>; empty for a role without client listener. */
  readonly clientUrl: string;
  /** host:port of its bus listener. */
  readonly busUrl: string;
  /** Its route listener (nats-route://127.0.0.1:<port>), for a route-mesh; empty otherwise. */
  readonly clusterUrl: string;
  /** Its monitoring base URL (http://127.0.0.1:<port>) when the config turns monitoring on. */
  readonly httpUrl: string;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL, as a crash: nothing is cleaned up by the process. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after 5 s; removes its directory. */
  stop(): Promise<void>;
}

class RoleChild implements RoleProcess {
  clientUrl = '';
  busUrl = '';
  clusterUrl = '';
  httpUrl = '';
  private captured = '';
  private readonly exited: Promise<void>;
  private hasExited = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    const capture = (chunk: Buffer): void => {
      this.captured += chunk.toString();
    };
    child.stdout!.on('data', capture);
    child.stderr!.on('data', capture);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.hasExited = true;
        live.delete(child);
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  output(): string {
    return this.captured;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.captured)) {
      if (Date.now() > deadline) throw new Error(`process ${this.pid} did not print ${String(pattern)}; output:\n${this.captured}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async readPorts(): Promise<void> {
    const deadline = Date.now() + startTimeoutMs;
    const suffix = `_${this.pid}.ports`;
    while (Date.now() < deadline) {
      if (this.hasExited) throw new Error(`process exited before writing its ports file; output:\n${this.captured}`);
      const name = readdirSync(this.dir).find((file) => file.endsWith(suffix));
      if (name !== undefined) {
        try {
          const ports = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as {
            nats?: string[];
            bus?: string[];
            cluster?: string[];
            monitoring?: string[];
          };
          this.clientUrl = ports.nats?.[0] ?? '';
          this.busUrl = (ports.bus?.[0] ?? '').replace(/^tcp:\/\//, '');
          this.clusterUrl = (ports.cluster?.[0] ?? '').replace(/^nats:/, 'nats-route:');
          this.httpUrl = ports.monitoring?.[0] ?? '';
          return;
        } catch {
          // Caught half-written: read again.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ports file within ${startTimeoutMs}ms; output:\n${this.captured}`);
  }

  async kill(): Promise<void> {
    if (!this.hasExited) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const started: RoleChild[] = [];

/** Starts apps/<role>/dist/main.js with `config` (plus host, port and ports_file_dir defaults) and `env` added to the environment. */
export async function startRole(role: string, config: string, env: Record<string, string> = {}): Promise<RoleProcess> {
  const main = join(repoRoot, 'apps', role, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is not built; run npm run build`);
  const dir = mkdtempSync(join(tmpdir(), `nats-ts-${role}-`));
  const configFile = join(dir, 'role.conf');
  writeFileSync(configFile, `host: 127.0.0.1\nport: -1\nports_file_dir: ${JSON.stringify(dir)}\n${config}\n`);
  const child = spawn(process.execPath, [main, '-c', configFile], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  live.add(child);
  const processHandle = new RoleChild(child, dir);
  started.push(processHandle);
  await processHandle.readPorts();
  return processHandle;
}

/** Stops every role process this test file started. */
export async function stopAllRoles(): Promise<void> {
  await Promise.all(started.splice(0).map((p) => p.stop()));
}
