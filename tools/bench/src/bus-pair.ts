import { join } from 'node:path';
import { startRoutedPair } from './routed-pair.js';
import { ServerPair, writeConfigs } from './server-pair.js';
import { freePort, type BenchServer } from './server-process.js';
import type { TargetName } from './targets.js';

const CLIENT_GATEWAY_APP = join('apps', 'client-gateway', 'dist', 'main.js');

/**
 * The `bus` scenario: publisher and subscriber on different processes of one node. For nats-ts,
 * two client-gateway processes (apps/client-gateway) joined by the TCP bus from a static member
 * list, so every message crosses the bus; nats-server has no such split, so its side of the row
 * is the nearest equivalent, two servers joined by a route (as the `routed` scenario).
 */
export async function startBusPair(target: TargetName, repositoryRoot: string): Promise<BenchServer> {
  if (target === 'nats-server') return startRoutedPair(target, repositoryRoot);
  const busPorts = [await freePort(), await freePort()];
  const members = busPorts.map((port) => `"127.0.0.1:${port}"`).join(', ');
  const { dir, paths } = writeConfigs('bench-bus-', {
    'publisher.conf': `bus { listen: "127.0.0.1:${busPorts[0]}", members: [${members}] }\n`,
    'subscriber.conf': `bus { listen: "127.0.0.1:${busPorts[1]}", members: [${members}] }\n`,
  });
  return ServerPair.start(target, repositoryRoot, {
    publisher: { flags: ['-c', paths['publisher.conf']!], app: CLIENT_GATEWAY_APP },
    subscriber: { flags: ['-c', paths['subscriber.conf']!], app: CLIENT_GATEWAY_APP },
    // Each waits at start for the other to link up.
    order: 'together',
    configDir: dir,
  });
}
