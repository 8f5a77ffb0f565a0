import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForJetStream } from './jetstream-api.js';
import type { ProcessMemory } from './proc-memory.js';
import { BenchRedis } from './redis-process.js';
import { ServerProcess, type BenchServer } from './server-process.js';
import type { TargetName } from './targets.js';

const JETSTREAM_READY_TIMEOUT_MS = 10_000;

/** Where nats-ts keeps file-storage streams: its file store, or the Redis store (nats-server always uses its file store). */
export type BenchStore = 'file' | 'redis';

/**
 * One server of the target with JetStream on (`-js -sd <dir>`, flags both targets take),
 * storing into a fresh temporary directory that is removed when the server stops; started
 * once its JetStream API answers. With the Redis store, nats-ts gets `jetstream { redis }` in a
 * config file instead, pointing at a redis-server of its own, started first and stopped after.
 */
export class JetStreamServer implements BenchServer {
  private constructor(
    private readonly server: ServerProcess,
    private readonly storeDir: string,
    private readonly redis: BenchRedis | undefined,
  ) {}

  static async start(target: TargetName, repositoryRoot: string, store: BenchStore = 'file'): Promise<JetStreamServer> {
    const storeDir = mkdtempSync(join(tmpdir(), 'nats-bench-js-'));
    let server: ServerProcess | undefined;
    let redis: BenchRedis | undefined;
    try {
      let flags = ['-js', '-sd', storeDir];
      if (store === 'redis' && target === 'nats-ts') {
        redis = await BenchRedis.start();
        const config = join(storeDir, 'nats-ts.conf');
        writeFileSync(config, `jetstream { store_dir: ${JSON.stringify(storeDir)}, redis: ${JSON.stringify(redis.url)} }\n`);
        flags = ['-c', config];
      }
      server = await ServerProcess.start(target, repositoryRoot, flags);
      await waitForJetStream(server.port, JETSTREAM_READY_TIMEOUT_MS);
      return new JetStreamServer(server, storeDir, redis);
    } catch (error) {
      await server?.stop();
      await redis?.stop();
      rmSync(storeDir, { recursive: true, force: true });
      throw error;
    }
  }

  get port(): number {
    return this.server.port;
  }

  get publisherPort(): number {
    return this.server.port;
  }

  get alive(): boolean {
    return this.server.alive && this.redis?.alive !== false;
  }

  describeExit(): string {
    const redis = this.redis !== undefined && !this.redis.alive ? `; its redis-server ${this.redis.describeExit()}` : '';
    return `${this.server.describeExit()}${redis}`;
  }

  memory(): ProcessMemory | undefined {
    return this.server.memory();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.redis?.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
