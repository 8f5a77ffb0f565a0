import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface PortsFile {
  nats?: string[];
  monitoring?: string[];
  cluster?: string[];
  bus?: string[];
}

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/** One role process of the stack: its output is printed line by line behind its name. */
export class RoleRunner {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly main: string,
    private readonly dir: string,
    private readonly config: string,
  ) {}

  /** Starts the process and resolves with its ports file once it has written it. */
  async start(): Promise<PortsFile> {
    if (!existsSync(this.main)) throw new Error(`${this.main} is not built; run npm run build`);
    const configFile = join(this.dir, `${this.name}.conf`);
    writeFileSync(configFile, this.config);
    const child = spawn(process.execPath, [this.main, '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${this.name}] ${line}\n`));
    }
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        process.stdout.write(`[${this.name}] exited (${signal ?? `code ${code}`})\n`);
        resolve();
      }),
    );
    return this.readPorts(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private async readPorts(child: ChildProcess): Promise<PortsFile> {
    const file = `nats-server_${child.pid}.ports`;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited while starting`);
      if (readdirSync(this.dir).includes(file)) {
        try {
          return JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as PortsFile;
        } catch {
          // Caught half-written: read it again.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${this.name} did not start within ${READY_TIMEOUT_MS / 1000}s`);
  }
}
