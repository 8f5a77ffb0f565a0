import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessMemory } from './proc-memory.js';
import { RawClient } from './raw-client.js';
import { ServerProcess, freePort, type BenchServer } from './server-process.js';
import type { TargetName } from './targets.js';

const ROUTE_TIMEOUT_MS = 15_000;
const PROBE_SUBJECT = 'bench.route.probe';

/**
 * Two servers of one target joined by a route, for the `routed` scenario: the publisher uses
 * the first, the subscribers the second, so every message crosses the route.
 */
export class RoutedPair implements BenchServer {
  private constructor(
    private readonly first: ServerProcess,
    private readonly second: ServerProcess,
  ) {}

  static async start(target: TargetName, repositoryRoot: string): Promise<RoutedPair> {
    const [firstCluster, secondCluster] = [await freePort(), await freePort()];
    const first = await ServerProcess.start(target, repositoryRoot, ['--cluster', `nats://127.0.0.1:${firstCluster}`, '--cluster_name', 'bench']);
    let second: ServerProcess;
    try {
      second = await ServerProcess.start(target, repositoryRoot, [
        '--cluster',
        `nats://127.0.0.1:${secondCluster}`,
        '--cluster_name',
        'bench',
        '--routes',
        `nats://127.0.0.1:${firstCluster}`,
      ]);
    } catch (error) {
      await first.stop();
      throw error;
    }
    const pair = new RoutedPair(first, second);
    try {
      await waitForRoute(first.port, second.port);
    } catch (error) {
      await pair.stop();
      throw error;
    }
    return pair;
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
  }
}

/**
 * Publishes probes on the first server until a subscriber on the second receives one: the link
 * between them (a route, or gateways) and its interest are up.
 */
export async function waitForRoute(publisherPort: number, subscriberPort: number): Promise<void> {
  let received = 0;
  const subscriber = await RawClient.open(subscriberPort, { afterRead: (messages) => (received = messages) });
  const publisher = await RawClient.open(publisherPort);
  try {
    subscriber.socket.write(`SUB ${PROBE_SUBJECT} 1\r\n`, 'latin1');
    await subscriber.flush(ROUTE_TIMEOUT_MS);
    const deadline = Date.now() + ROUTE_TIMEOUT_MS;
    while (received === 0) {
      if (Date.now() > deadline) throw new Error(`no link between ports ${publisherPort} and ${subscriberPort} within ${ROUTE_TIMEOUT_MS} ms`);
      publisher.socket.write(`PUB ${PROBE_SUBJECT} 1\r\nx\r\n`, 'latin1');
      await publisher.flush(ROUTE_TIMEOUT_MS);
      await sleep(50);
    }
  } finally {
    subscriber.close();
    publisher.close();
  }
}
