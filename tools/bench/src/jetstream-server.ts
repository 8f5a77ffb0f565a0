import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForJetStream } from './jetstream-api.js';
import type { ProcessMemory } from './proc-memory.js';
import { ServerProcess, type BenchServer } from './server-process.js';
import type { TargetName } from './targets.js';

const JETSTREAM_READY_TIMEOUT_MS = 10_000;

/**
 * One server of the target with JetStream on (`-js -sd <dir>`, flags both targets take),
 * storing into a fresh temporary directory that is removed when the server stops; started
 * once its JetStream API answers.
 */
export class JetStreamServer implements BenchServer {
  private constructor(
    private readonly server: ServerProcess,
    private readonly storeDir: string,
  ) {}

  static async start(target: TargetName, repositoryRoot: string): Promise<JetStreamServer> {
    const storeDir = mkdtempSync(join(tmpdir(), 'nats-bench-js-'));
    let server: ServerProcess | undefined;
    try {
      server = await ServerProcess.start(target, repositoryRoot, ['-js', '-sd', storeDir]);
      await waitForJetStream(server.port, JETSTREAM_READY_TIMEOUT_MS);
      return new JetStreamServer(server, storeDir);
    } catch (error) {
      await server?.stop();
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
    return this.server.alive;
  }

  describeExit(): string {
    return this.server.describeExit();
  }

  memory(): ProcessMemory | undefined {
    return this.server.memory();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
