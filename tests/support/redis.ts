// A real redis-server for tests, on a free loopback port, without persistence (or, persistent,
// with an append-only file fsynced at every write); stopped when the test file's worker exits
// at the latest.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const redisBin = process.env.REDIS_SERVER_BIN ?? ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? 'redis-server';
const startTimeoutMs = 10_000;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Stops the server (SIGKILL, as after a crash: only a persistent one keeps its data); it can be started again. */
  stop(): Promise<void>;
  /** Starts it again on the same port: empty, or a persistent one with what it had. */
  start(): Promise<void>;
}

class RedisProcess implements RunningRedis {
  readonly url: string;
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'nats-ts-redis-'));

  constructor(
    readonly port: number,
    private readonly persistent: boolean,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const persistence = this.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', this.dir];
    const child = spawn(redisBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready within ${startTimeoutMs}ms:\n${output}`)), startTimeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${redisBin}: ${err.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
    child.once('exit', () => live.delete(child));
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const started: RedisProcess[] = [];

/** Starts a redis-server on a free port; `persistent`: its data survives a stop and start. */
export async function startRedis(options: { persistent?: boolean } = {}): Promise<RunningRedis> {
  const redis = new RedisProcess(await freePort(), options.persistent ?? false);
  started.push(redis);
  await redis.start();
  return redis;
}

/** Stops every redis-server this test file started. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all(started.splice(0).map((redis) => redis.dispose()));
}
