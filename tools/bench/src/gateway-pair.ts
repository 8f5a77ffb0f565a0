import { ServerPair, writeConfigs } from './server-pair.js';
import { freePort } from './server-process.js';
import type { TargetName } from './targets.js';

/**
 * The `gateway` scenario: two servers of one target, each a cluster of its own (`A` for the
 * publisher, `B` for the subscribers) joined by gateways. Gateways have no command-line flags,
 * so each server gets a small config file.
 */
export async function startGatewayPair(target: TargetName, repositoryRoot: string): Promise<ServerPair> {
  const ports = { A: await freePort(), B: await freePort() };
  const configOf = (name: 'A' | 'B'): string =>
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
    ].join('\n');
  const { dir, paths } = writeConfigs('bench-gateway-', { 'A.conf': configOf('A'), 'B.conf': configOf('B') });
  return ServerPair.start(target, repositoryRoot, {
    publisher: { flags: ['-c', paths['A.conf']!] },
    subscriber: { flags: ['-c', paths['B.conf']!] },
    order: 'publisher first',
    configDir: dir,
  });
}
