import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process.js';

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

/** Every redis-server this process started and has not stopped, killed if the bench is interrupted. */
const liveRedis = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveRedis) child.kill('SIGKILL');
});

/**
 * A redis-server (from PATH) for the Redis-store rows, on a free loopback port, with its data in
 * a fresh temporary directory removed when it stops. It keeps an append-only file fsynced once a
 * second (`appendfsync everysec`, Redis's durable default), as nats-server's file store writes
 * without an fsync per message; no RDB snapshots.
 */
export class BenchRedis {
  private exitDescription: string | undefined;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.once('exit', (code, signal) => {
      liveRedis.delete(child);
      this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
  }

  static async start(): Promise<BenchRedis> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'nats-bench-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    liveRedis.add(child);
    const redis = new BenchRedis(port, child, dir);
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server gave no 'Ready to accept connections' within ${STARTUP_TIMEOUT_MS} ms: ${output.trim()}`)), STARTUP_TIMEOUT_MS);
        child.stdout?.on('data', (chunk: Buffer) => {
          output = (output + chunk.toString('utf8')).slice(-2_000);
          if (!output.includes('Ready to accept connections')) return;
          clearTimeout(timer);
          resolve();
        });
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(new Error(`redis-server: ${error.message}`));
        });
        child.once('exit', () => {
          clearTimeout(timer);
          reject(new Error(`redis-server ${redis.exitDescription ?? 'exited'}: ${output.trim()}`));
        });
      });
    } catch (error) {
      await redis.stop();
      throw error;
    }
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get alive(): boolean {
    return this.exitDescription === undefined;
  }

  describeExit(): string {
    return this.exitDescription ?? 'running';
  }

  /** SIGTERM (SIGKILL after a grace period), then removes its data. */
  async stop(): Promise<void> {
    if (this.alive) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
