import { ServerPair, writeConfigs } from './server-pair.js';
import { freePort } from './server-process.js';
import type { TargetName } from './targets.js';

/**
 * The `leaf` scenario: two servers of one target, a hub (the subscribers') and a leaf node
 * connected to it (the publisher's). Leaf nodes have no command-line flags, so each server gets
 * a small config file.
 */
export async function startLeafPair(target: TargetName, repositoryRoot: string): Promise<ServerPair> {
  const leafPort = await freePort();
  const { dir, paths } = writeConfigs('bench-leaf-', {
    'hub.conf': `leafnodes {\n  listen: "127.0.0.1:${leafPort}"\n}\n`,
    'leaf.conf': `leafnodes {\n  remotes: [ { url: "nats-leaf://127.0.0.1:${leafPort}" } ]\n}\n`,
  });
  return ServerPair.start(target, repositoryRoot, {
    publisher: { flags: ['-c', paths['leaf.conf']!] },
    subscriber: { flags: ['-c', paths['hub.conf']!] },
    order: 'subscriber first',
    configDir: dir,
  });
}
