import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessMemory } from './proc-memory.js';
import { waitForRoute } from './routed-pair.js';
import { ServerProcess, freePort, type BenchServer } from './server-process.js';
import type { TargetName } from './targets.js';

/**
 * Two servers of one target, a hub and a leaf node connected to it, for the `leaf` scenario:
 * the publisher uses the leaf, the subscribers the hub, so every message crosses the leaf
 * connection. Leaf nodes have no command-line flags, so each server gets a small config file.
 */
export class LeafPair implements BenchServer {
  private constructor(
    private readonly hub: ServerProcess,
    private readonly leaf: ServerProcess,
    private readonly dir: string,
  ) {}

  static async start(target: TargetName, repositoryRoot: string): Promise<LeafPair> {
    const leafPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bench-leaf-'));
    const hubConfig = join(dir, 'hub.conf');
    writeFileSync(hubConfig, `leafnodes {\n  listen: "127.0.0.1:${leafPort}"\n}\n`);
    const leafConfig = join(dir, 'leaf.conf');
    writeFileSync(leafConfig, `leafnodes {\n  remotes: [ { url: "nats-leaf://127.0.0.1:${leafPort}" } ]\n}\n`);
    const started: ServerProcess[] = [];
    try {
      started.push(await ServerProcess.start(target, repositoryRoot, ['-c', hubConfig]));
      started.push(await ServerProcess.start(target, repositoryRoot, ['-c', leafConfig]));
      await waitForRoute(started[1]!.port, started[0]!.port);
    } catch (error) {
      await Promise.all(started.map((server) => server.stop()));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new LeafPair(started[0]!, started[1]!, dir);
  }

  /** The subscribers' server: the hub. */
  get port(): number {
    return this.hub.port;
  }

  get publisherPort(): number {
    return this.leaf.port;
  }

  get alive(): boolean {
    return this.hub.alive && this.leaf.alive;
  }

  describeExit(): string {
    return [this.hub, this.leaf].filter((server) => !server.alive).map((server) => server.describeExit()).join('; ') || 'running';
  }

  /** Both servers carry the load, so the pair's memory is their sum. */
  memory(): ProcessMemory | undefined {
    const a = this.hub.memory();
    const b = this.leaf.memory();
    if (a === undefined || b === undefined) return undefined;
    return { rssBytes: a.rssBytes + b.rssBytes, peakRssBytes: a.peakRssBytes + b.peakRssBytes };
  }

  async stop(): Promise<void> {
    await Promise.all([this.hub.stop(), this.leaf.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
