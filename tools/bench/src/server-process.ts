import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessTreeMemory, type ProcessMemory } from './proc-memory.js';
import type { TargetName } from './targets.js';


const STARTUP_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 2_000;
// Writing a CPU profile at exit takes a while.
const PROFILED_STOP_GRACE_MS = 30_000;
const OUTPUT_TAIL_BYTES = 2_000;

/** Node flags for every nats-ts process started from now on (e.g. to profile it). */
let natsTsNodeFlags: readonly string[] = [];

/** Makes each nats-ts process write a CPU profile into `dir` when it exits. */
export function profileNatsTsInto(dir: string): void {
  natsTsNodeFlags = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** Every server this process started and has not yet stopped, so an interrupted run can kill them. */
const liveServers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveServers) child.kill('SIGKILL');
});

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const PORT_RACE_ATTEMPTS = 3;

/**
 * Runs `start` again (with new ports, which it picks itself) when it lost the race for a port:
 * freePort() only tells which port was free a moment ago, and another process may bind it first.
 */
export async function startRetryingPortRace<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= PORT_RACE_ATTEMPTS || !/address already in use|EADDRINUSE/.test(message)) throw error;
    }
  }
}

/** Resolves true once a client connection to the port receives the server's INFO line. */
function receivesInfo(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1', 0, 5) === 'INFO '));
    socket.once('error', () => done(false));
  });
}

/** What a row runs its load against: one server, or a pair (see ServerPair). */
export interface BenchServer {
  /** Where subscribers (and every other client) connect. */
  readonly port: number;
  /** Where the publisher connects. */
  readonly publisherPort: number;
  readonly alive: boolean;
  describeExit(): string;
  memory(): ProcessMemory | undefined;
  stop(): Promise<void>;
}

export class ServerProcess implements BenchServer {
  private outputTail = '';
  private exitDescription: string | undefined;
  private readonly profiled: boolean;

  private constructor(
    readonly target: TargetName,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.profiled = target === 'nats-ts' && natsTsNodeFlags.length > 0;
    const keepTail = (chunk: Buffer): void => {
      this.outputTail = (this.outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    child.once('exit', (code, signal) => {
      liveServers.delete(child);
      this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
    child.once('error', (error) => {
      liveServers.delete(child);
      this.exitDescription = error.message;
    });
  }

  /**
   * Starts the target on a free loopback port and waits until it greets clients with INFO.
   * nats-server comes from PATH; nats-ts is `node bin/nats-ts-server` from the repository root.
   * `extraFlags` follow the address flags (the routed pair adds cluster flags). `natsTsScript`
   * (relative to the repository root) runs another nats-ts app, e.g. one role on its own.
   */
  static async start(
    target: TargetName,
    repositoryRoot: string,
    extraFlags: readonly string[] = [],
    natsTsScript = join('bin', 'nats-ts-server'),
  ): Promise<ServerProcess> {
    const port = await freePort();
    const flags = ['-a', '127.0.0.1', '-p', String(port), ...extraFlags];
    let child: ChildProcess;
    if (target === 'nats-server') {
      child = spawn('nats-server', flags, { stdio: ['ignore', 'pipe', 'pipe'] });
    } else {
      const script = join(repositoryRoot, natsTsScript);
      if (!existsSync(script)) throw new Error(`${script} not found`);
      child = spawn(process.execPath, [...natsTsNodeFlags, script, ...flags], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    liveServers.add(child);
    const server = new ServerProcess(target, port, child);
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!server.alive) throw new Error(`failed to start: ${server.describeExit()}`);
      if (await receivesInfo(port)) return server;
      await sleep(50);
    }
    await server.stop();
    throw new Error(`no INFO on port ${port} within ${STARTUP_TIMEOUT_MS} ms; output: ${server.outputTail.trim()}`);
  }

  get alive(): boolean {
    return this.exitDescription === undefined;
  }

  get publisherPort(): number {
    return this.port;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Why the process is gone, with the end of its output. */
  describeExit(): string {
    const output = this.outputTail.trim();
    return `${this.exitDescription ?? 'running'}${output ? `: ${output.split('\n').slice(-3).join(' / ')}` : ''}`;
  }

  memory(): ProcessMemory | undefined {
    return this.alive ? readProcessTreeMemory(this.pid) : undefined;
  }

  /** SIGTERM, then SIGKILL if the process has not exited within a grace period. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const graceful = await Promise.race([exited.then(() => true), sleep(this.profiled ? PROFILED_STOP_GRACE_MS : STOP_GRACE_MS).then(() => false)]);
    if (!graceful) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}
