import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessMemory } from './proc-memory.js';
import { waitForRoute } from './routed-pair.js';
import { ServerProcess, freePort, type BenchServer } from './server-process.js';
import type { TargetName } from './targets.js';

/**
 * Two servers of one target, each a cluster of its own (`A`, `B`) joined by gateways, for the
 * `gateway` scenario: the publisher uses A, the subscribers B, so every message crosses the
 * gateway. Gateways have no command-line flags, so each server gets a small config file.
 */
export class GatewayPair implements BenchServer {
  private constructor(
    private readonly first: ServerProcess,
    private readonly second: ServerProcess,
    private readonly dir: string,
  ) {}

  static async start(target: TargetName, repositoryRoot: string): Promise<GatewayPair> {
    const ports = { A: await freePort(), B: await freePort() };
    const dir = mkdtempSync(join(tmpdir(), 'bench-gateway-'));
    const configFor = (name: 'A' | 'B'): string => {
      const file = join(dir, `${name}.conf`);
      writeFileSync(
        file,
        [
          'gateway {',
          `  name: ${name}`,
          `  listen: "127.0.0.1:${ports[name]}"`,
          '  gateways: [',
          `    { name: A, urls: ["nats://127.0.0.1:${ports.A}"] }`,
          `    { name: B, urls: ["nats://127.0.0.1:${ports.B}"] }`,
          '  ]',
          '}',
          '',
        ].join('\n'),
      );
      return file;
    };
    const started: ServerProcess[] = [];
    try {
      started.push(await ServerProcess.start(target, repositoryRoot, ['-c', configFor('A')]));
      started.push(await ServerProcess.start(target, repositoryRoot, ['-c', configFor('B')]));
      await waitForRoute(started[0]!.port, started[1]!.port);
    } catch (error) {
      await Promise.all(started.map((server) => server.stop()));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new GatewayPair(started[0]!, started[1]!, dir);
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

  /** Both servers carry the load, so the pair's memory is their sum. */
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
