import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessMemory } from './proc-memory.js';
import { RoutedPair, waitForRoute } from './routed-pair.js';
import { ServerProcess, freePort, type BenchServer } from './server-process.js';
import type { TargetName } from './targets.js';

const CLIENT_GATEWAY_APP = join('apps', 'client-gateway', 'dist', 'main.js');

/**
 * The `bus` scenario: publisher and subscriber on different processes of one node. For nats-ts,
 * two client-gateway processes (apps/client-gateway) joined by the TCP bus from a static member
 * list, so every message crosses the bus; nats-server has no such split, so its side of the row
 * is the nearest equivalent, two servers joined by a route (as the `routed` scenario).
 */
export class BusPair implements BenchServer {
  private constructor(
    private readonly first: ServerProcess,
    private readonly second: ServerProcess,
    private readonly dir: string,
  ) {}

  static async start(target: TargetName, repositoryRoot: string): Promise<BenchServer> {
    if (target === 'nats-server') return RoutedPair.start(target, repositoryRoot);
    const busPorts = [await freePort(), await freePort()];
    const members = busPorts.map((port) => `"127.0.0.1:${port}"`).join(', ');
    const dir = mkdtempSync(join(tmpdir(), 'bench-bus-'));
    const configFor = (index: number): string => {
      const file = join(dir, `gateway-${index}.conf`);
      writeFileSync(file, `bus { listen: "127.0.0.1:${busPorts[index]}", members: [${members}] }\n`);
      return file;
    };
    const started: ServerProcess[] = [];
    try {
      // Started together: each waits at start for the other to link up.
      started.push(
        ...(await Promise.all([0, 1].map((index) => ServerProcess.start(target, repositoryRoot, ['-c', configFor(index)], CLIENT_GATEWAY_APP)))),
      );
      await waitForRoute(started[0]!.port, started[1]!.port);
    } catch (error) {
      await Promise.all(started.map((server) => server.stop()));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new BusPair(started[0]!, started[1]!, dir);
  }

  get port(): number {
    return this.second.port;
  }

  get publisherPort(): number {
    return this.first.port;
  }

  get alive(): boolean {
    return this.first.alive && this.second.alive;
  }

  describeExit(): string {
    return [this.first, this.second].filter((server) => !server.alive).map((server) => server.describeExit()).join('; ') || 'running';
  }

  /** Both processes carry the load, so the pair's memory is their sum. */
  memory(): ProcessMemory | undefined {
    const a = this.first.memory();
    const b = this.second.memory();
    if (a === undefined || b === undefined) return undefined;
    return { rssBytes: a.rssBytes + b.rssBytes, peakRssBytes: a.peakRssBytes + b.peakRssBytes };
  }

  async stop(): Promise<void> {
    await Promise.all([this.first.stop(), this.second.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
