import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nthPort, parseStackOptions, USAGE, UsageError, type StackOptions } from './options.js';
import { ensureRedis, type StackRedis } from './redis.js';
import { RoleRunner, type PortsFile } from './role-runner.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const appMain = (role: string): string => join(repoRoot, 'apps', role, 'dist', 'main.js');

/** What every role's configuration shares: where it listens, its ports file, the bus over Redis. */
function commonConfig(options: StackOptions, dir: string, redis: StackRedis, httpPort: number): string {
  return [
    `host: ${JSON.stringify(options.host)}`,
    `ports_file_dir: ${JSON.stringify(dir)}`,
    httpPort !== 0 ? `http: ${JSON.stringify(`${options.host}:${httpPort}`)}` : '',
    `bus { redis: ${JSON.stringify(redis.url)}, name: stack }`,
  ].join('\n');
}

function describe(name: string, ports: PortsFile): string {
  const urls = [...(ports.nats ?? []), ...(ports.cluster ?? []).map((u) => u.replace(/^nats:/, 'nats-route:')), ...(ports.monitoring ?? [])];
  return `  ${name.padEnd(18)} ${urls.join('  ')}`;
}

async function run(options: StackOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nats-ts-stack-'));
  const redis = await ensureRedis(options.host, options.redisPort);
  const runners: RoleRunner[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('Stopping the stack...\n');
    await Promise.all(runners.map((r) => r.stop()));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const lines: string[] = [];
    const clientUrls: string[] = [];
    for (let i = 0; i < options.replicas; i++) {
      const name = `client-gateway-${i + 1}`;
      // The replicas tell clients in INFO that the node has JetStream (the stream-store process).
      const config = `${commonConfig(options, dir, redis, nthPort(options.httpPort, i))}\nport: ${nthPort(options.port, i)}\njetstream: enabled\n`;
      const runner = new RoleRunner(name, appMain('client-gateway'), dir, config);
      runners.push(runner);
      const ports = await runner.start();
      clientUrls.push(...(ports.nats ?? []));
      lines.push(describe(name, ports));
    }
    if (options.clusterPort !== 0) {
      const httpPort = nthPort(options.httpPort, options.replicas);
      const config = `${commonConfig(options, dir, redis, httpPort)}\ncluster { name: stack, listen: ${JSON.stringify(`${options.host}:${options.clusterPort}`)} }\n`;
      const runner = new RoleRunner('route-mesh', appMain('route-mesh'), dir, config);
      runners.push(runner);
      lines.push(describe('route-mesh', await runner.start()));
    }
    const storeDir = options.storeDir ?? join(dir, 'jetstream');
    const storeConfig = `${commonConfig(options, dir, redis, nthPort(options.httpPort, options.replicas + 1))}\njetstream { store_dir: ${JSON.stringify(storeDir)} }\n`;
    const streamStore = new RoleRunner('stream-store', appMain('stream-store'), dir, storeConfig);
    runners.push(streamStore);
    lines.push(`${describe('stream-store', await streamStore.start())}  ${storeDir}`);
    lines.push(`  ${'redis'.padEnd(18)} ${redis.url}${redis.started ? ' (started by the stack)' : ' (already running)'}`);
    process.stdout.write(`\nnats-ts stack is up; Ctrl-C stops it.\n${lines.join('\n')}\nClient URLs: ${clientUrls.join(',')}\n\n`);
  } catch (err) {
    process.stderr.write(`stack: ${(err as Error).message}\n`);
    await stop(1);
  }
}

try {
  const options = parseStackOptions(process.argv.slice(2));
  if (options === undefined) process.stdout.write(USAGE);
  else await run(options);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`stack: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
