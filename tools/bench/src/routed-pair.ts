import { ServerPair } from './server-pair.js';
import { freePort } from './server-process.js';
import type { TargetName } from './targets.js';

/** The `routed` scenario: two servers of one target joined by a route (cluster `bench`). */
export async function startRoutedPair(target: TargetName, repositoryRoot: string): Promise<ServerPair> {
  const [publisherCluster, subscriberCluster] = [await freePort(), await freePort()];
  return ServerPair.start(target, repositoryRoot, {
    publisher: { flags: ['--cluster', `nats://127.0.0.1:${publisherCluster}`, '--cluster_name', 'bench'] },
    subscriber: {
      flags: ['--cluster', `nats://127.0.0.1:${subscriberCluster}`, '--cluster_name', 'bench', '--routes', `nats://127.0.0.1:${publisherCluster}`],
    },
    order: 'publisher first',
  });
}
