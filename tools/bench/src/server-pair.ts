import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessMemory } from './proc-memory.js';
import { RawClient } from './raw-client.js';
import { ServerProcess, type BenchServer } from './server-process.js';
import type { TargetName } from './targets.js';

const LINK_TIMEOUT_MS = 15_000;
const PROBE_SUBJECT = 'bench.route.probe';

/** One server of a pair: its flags, and the app to run when not the all-in-one server. */
export interface PairMember {
  flags: readonly string[];
  app?: string;
}

export interface PairPlan {
  /** The server the publisher uses. */
  publisher: PairMember;
  /** The server the subscribers use. */
  subscriber: PairMember;
  /**
   * Which starts first (the other names it as its peer), or both at once when each waits at
   * start for the other.
   */
  order: 'publisher first' | 'subscriber first' | 'together';
  /** Files the servers were given (removed when the pair stops). */
  configDir?: string;
}

/**
 * Two servers of one target joined by a link (a route, the bus, gateways, a leaf connection):
 * the publisher uses one, the subscribers the other, so every message crosses the link. The
 * pair's memory is the sum of both, since both carry the load.
 */
export class ServerPair implements BenchServer {
  private constructor(
    private readonly publisher: ServerProcess,
    private readonly subscriber: ServerProcess,
    private readonly configDir: string | undefined,
  ) {}

  /** Starts both servers and waits until a message crosses the link; on failure stops what started. */
  static async start(target: TargetName, repositoryRoot: string, plan: PairPlan): Promise<ServerPair> {
    const launch = (member: PairMember) => ServerProcess.start(target, repositoryRoot, member.flags, member.app);
    const started: ServerProcess[] = [];
    let publisher: ServerProcess;
    let subscriber: ServerProcess;
    try {
      if (plan.order === 'together') {
        const results = await Promise.allSettled([launch(plan.publisher), launch(plan.subscriber)]);
        for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
        const failed = results.find((result) => result.status === 'rejected');
        if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
        [publisher, subscriber] = started as [ServerProcess, ServerProcess];
      } else if (plan.order === 'publisher first') {
        started.push((publisher = await launch(plan.publisher)));
        started.push((subscriber = await launch(plan.subscriber)));
      } else {
        started.push((subscriber = await launch(plan.subscriber)));
        started.push((publisher = await launch(plan.publisher)));
      }
      await waitForLink(publisher.port, subscriber.port);
    } catch (error) {
      await Promise.all(started.map((server) => server.stop()));
      if (plan.configDir !== undefined) rmSync(plan.configDir, { recursive: true, force: true });
      throw error;
    }
    return new ServerPair(publisher, subscriber, plan.configDir);
  }

  get port(): number {
    return this.subscriber.port;
  }

  get publisherPort(): number {
    return this.publisher.port;
  }

  get alive(): boolean {
    return this.publisher.alive && this.subscriber.alive;
  }

  describeExit(): string {
    return [this.publisher, this.subscriber].filter((server) => !server.alive).map((server) => server.describeExit()).join('; ') || 'running';
  }

  memory(): ProcessMemory | undefined {
    const a = this.publisher.memory();
    const b = this.subscriber.memory();
    if (a === undefined || b === undefined) return undefined;
    return { rssBytes: a.rssBytes + b.rssBytes, peakRssBytes: a.peakRssBytes + b.peakRssBytes };
  }

  async stop(): Promise<void> {
    await Promise.all([this.publisher.stop(), this.subscriber.stop()]);
    if (this.configDir !== undefined) rmSync(this.configDir, { recursive: true, force: true });
  }
}

/** Writes config files into a new temporary directory; returns it and each file's path by name. */
export function writeConfigs(prefix: string, files: Record<string, string>): { dir: string; paths: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], text);
  }
  return { dir, paths };
}

/**
 * Publishes probes on one server until a subscriber on the other receives one: the link
 * between them and its interest are up.
 */
async function waitForLink(publisherPort: number, subscriberPort: number): Promise<void> {
  let received = 0;
  const subscriber = await RawClient.open(subscriberPort, { afterRead: (messages) => (received = messages) });
  const publisher = await RawClient.open(publisherPort);
  try {
    subscriber.socket.write(`SUB ${PROBE_SUBJECT} 1\r\n`, 'latin1');
    await subscriber.flush(LINK_TIMEOUT_MS);
    const deadline = Date.now() + LINK_TIMEOUT_MS;
    while (received === 0) {
      if (Date.now() > deadline) throw new Error(`no link between ports ${publisherPort} and ${subscriberPort} within ${LINK_TIMEOUT_MS} ms`);
      publisher.socket.write(`PUB ${PROBE_SUBJECT} 1\r\nx\r\n`, 'latin1');
      await publisher.flush(LINK_TIMEOUT_MS);
      await sleep(50);
    }
  } finally {
    subscriber.close();
    publisher.close();
  }
}
