// A real redis-server for tests, on a free loopback port, without persistence (or, persistent,
// with an append-only file fsynced at every write); stopped when the test file's worker exits
// at the latest.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const redisBin = process.env.REDIS_SERVER_BIN ?? ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? 'redis-server';
const sentinelBin = process.env.REDIS_SENTINEL_BIN ?? ['/usr/bin/redis-sentinel', '/usr/local/bin/redis-sentinel'].find((p) => existsSync(p)) ?? 'redis-sentinel';
const redisCliBin = process.env.REDIS_CLI_BIN ?? ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli'].find((p) => existsSync(p)) ?? 'redis-cli';
const startTimeoutMs = 10_000;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

import { freePort } from './free-port.js';

export { freePort };

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
    /** A replica of the server on this port. */
    private readonly replicaOf: number | undefined,
    /** A Sentinel watching the primary on this port, as `mymaster`. */
    private readonly sentinelOf: number | undefined,
    /** A node of a Redis Cluster, its cluster bus on this port. */
    private readonly clusterBusPort?: number,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  private command(): [string, string[]] {
    if (this.sentinelOf !== undefined) {
      // A Sentinel rewrites its config file: one of its own, in its directory.
      const file = join(this.dir, 'sentinel.conf');
      writeFileSync(
        file,
        [
          `port ${this.port}`,
          'bind 127.0.0.1',
          `dir ${this.dir}`,
          `sentinel monitor mymaster 127.0.0.1 ${this.sentinelOf} 1`,
          'sentinel down-after-milliseconds mymaster 1000',
          'sentinel failover-timeout mymaster 5000',
          '',
        ].join('\n'),
      );
      return [sentinelBin, [file]];
    }
    const persistence = this.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const replica = this.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(this.replicaOf)];
    const cluster = this.clusterBusPort === undefined ? [] : ['--cluster-enabled', 'yes', '--cluster-port', String(this.clusterBusPort), '--cluster-config-file', join(this.dir, 'nodes.conf'), '--cluster-node-timeout', '2000'];
    return [redisBin, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...replica, ...cluster, '--dir', this.dir]];
  }

  async start(): Promise<void> {
    const [bin, args] = this.command();
    const ready = this.sentinelOf !== undefined ? '+monitor master' : 'Ready to accept connections';
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready within ${startTimeoutMs}ms:\n${output}`)), startTimeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes(ready)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${err.message}`));
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

/**
 * Starts a redis-server on a free port; `persistent`: its data survives a stop and start;
 * `replicaOf`: a replica of the one on that port.
 */
export async function startRedis(options: { persistent?: boolean; replicaOf?: number } = {}): Promise<RunningRedis> {
  const redis = new RedisProcess(await freePort(), options.persistent ?? false, options.replicaOf, undefined);
  started.push(redis);
  await redis.start();
  return redis;
}

/** Starts a redis-sentinel on a free port, watching the primary on `primaryPort` as `mymaster` (quorum 1, down after 1 s). */
export async function startSentinel(primaryPort: number): Promise<RunningRedis> {
  const sentinel = new RedisProcess(await freePort(), false, undefined, primaryPort);
  started.push(sentinel);
  await sentinel.start();
  return sentinel;
}

/**
 * A Redis Cluster of `primaries` nodes on free ports (no replicas), made with `redis-cli
 * --cluster create`; resolves once every node says cluster_state:ok.
 */
export async function startRedisCluster(primaries: number): Promise<RunningRedis[]> {
  const nodes: RedisProcess[] = [];
  for (let i = 0; i < primaries; i++) {
    const node = new RedisProcess(await freePort(), false, undefined, undefined, await freePort());
    started.push(node);
    nodes.push(node);
  }
  await Promise.all(nodes.map((node) => node.start()));
  await new Promise<void>((resolve, reject) => {
    const args = ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'];
    execFile(redisCliBin, args, { timeout: startTimeoutMs }, (err, stdout, stderr) => (err === null ? resolve() : reject(new Error(`redis-cli --cluster create failed: ${err.message}\n${stdout}${stderr}`))));
  });
  const deadline = Date.now() + startTimeoutMs;
  for (const node of nodes) {
    for (;;) {
      const info = await new Promise<string>((resolve) => execFile(redisCliBin, ['-p', String(node.port), 'cluster', 'info'], (_err, stdout) => resolve(stdout)));
      if (info.includes('cluster_state:ok')) break;
      if (Date.now() > deadline) throw new Error(`Redis Cluster node ${node.port} not ok within ${startTimeoutMs}ms:\n${info}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return nodes;
}

/** Stops every redis-server and redis-sentinel this test file started. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all(started.splice(0).map((redis) => redis.dispose()));
}
