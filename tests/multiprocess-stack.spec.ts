// `npm run stack` (tools/stack): starts Redis and the role processes, prints the client URLs,
// and stops everything it started on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '@nats-ts/config';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { freePort } from './support/redis.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const stackMain = join(repoRoot, 'tools', 'stack', 'dist', 'main.js');

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('npm run stack', () => {
  it('runs Redis, two client-gateway replicas and a route-mesh as one node, and stops them all', async () => {
    const redisPort = await freePort();
    const stack = spawn(process.execPath, [stackMain, '--port', '-1', '--http-port', '0', '--cluster-port', '-1', '--redis-port', String(redisPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    stack.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stack.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => stack.once('exit', resolve));
    try {
      const deadline = Date.now() + 20_000;
      while (!/Client URLs: (\S+)/.test(output)) {
        if (Date.now() > deadline || stack.exitCode !== null) throw new Error(`stack did not come up:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(output).toMatch(/route-mesh\s+nats-route:\/\/127\.0\.0\.1:\d+/);
      expect(output).toContain(`redis://127.0.0.1:${redisPort} (started by the stack)`);
      const urls = /Client URLs: (\S+)/.exec(output)![1]!.split(',');
      expect(urls).toHaveLength(2);

      const a = await connect({ servers: urls[0] });
      const b = await connect({ servers: urls[1] });
      const received: string[] = [];
      b.subscribe('stack.test', {
        callback: (_err, msg) => {
          received.push(msg.string());
        },
      });
      await b.flush();
      const until = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < until) {
        a.publish('stack.test', 'across');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(received[0]).toBe('across');

      // The stream-store runs in its own process: its API and stream subjects reach every replica.
      expect(output).toMatch(/stream-store\s+/);
      expect(a.info?.jetstream).toBe(true);
      const jsm = await jetstreamManager(a);
      await jsm.streams.add({ name: 'STACK', subjects: ['stack.js'] });
      let seq = 0;
      const storeUntil = Date.now() + 10_000;
      // The new stream's subject reaches the other replica's router over the bus shortly after.
      while (seq === 0 && Date.now() < storeUntil) {
        seq = await jetstream(b)
          .publish('stack.js', 'stored')
          .then((ack) => ack.seq)
          .catch(() => 0);
        if (seq === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seq).toBe(1);
      expect((await jsm.streams.getMessage('STACK', { seq: 1 }))?.string()).toBe('stored');
      await a.close();
      await b.close();
    } finally {
      stack.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Stopping the stack');
    expect(await refused(redisPort)).toBe(true);
  }, 40_000);
});

// No Docker engine here: the compose file is checked for what it points at (CI also runs
// `docker compose config` where the plugin exists).
describe('docker-compose.yml', () => {
  const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');

  it('starts each role app with a configuration that loads cleanly and joins the bus through Redis', () => {
    for (const role of ['client-gateway', 'route-mesh', 'supercluster-gateway', 'leaf-proxy', 'stream-store']) {
      expect(compose).toContain(`entrypoint: ["node", "apps/${role}/dist/main.js"]`);
      expect(compose).toContain(`command: ["-c", "deploy/${role}.conf"]`);
      expect(existsSync(join(repoRoot, 'apps', role, 'src', 'main.ts'))).toBe(true);
      const { options, warnings } = loadConfigFile(join(repoRoot, 'deploy', `${role}.conf`), {});
      expect(warnings).toEqual([]);
      expect(options.bus).toMatchObject({ host: '0.0.0.0', port: 7100, redis: 'redis://redis:6379', name: 'compose' });
    }
  });

  it('runs stream-store replicas on the Redis store, in an append-only Redis of their own', () => {
    expect(compose).toMatch(/^ {2}stream-store:\n(?: {4}.*\n)*? {4}deploy:\n {6}replicas: 2\n/m);
    expect(compose).toMatch(/^ {2}redis-jetstream:\n {4}image: redis:7-alpine\n {4}command: \["redis-server", "--save", "", "--appendonly", "yes", "--appendfsync", "always"\]/m);
    const { options } = loadConfigFile(join(repoRoot, 'deploy', 'stream-store.conf'), {});
    expect(options.jetstream).toMatchObject({ enabled: true, redis: { url: 'redis://redis-jetstream:6379/0' } });
  });

  it('sends the spans of every role to the OpenTelemetry collector, which forwards them to Jaeger', () => {
    expect(compose.match(/OTEL_EXPORTER_OTLP_ENDPOINT: http:\/\/otel-collector:4318/g)).toHaveLength(5);
    expect(compose).toContain('./deploy/otel-collector.yaml:/etc/otelcol/config.yaml:ro');
    expect(compose).toMatch(/^ {2}jaeger:\n {4}image: jaegertracing\/all-in-one:/m);
    expect(compose).toContain('COLLECTOR_OTLP_ENABLED: "true"');
    const collector = readFileSync(join(repoRoot, 'deploy', 'otel-collector.yaml'), 'utf8');
    expect(collector).toContain('endpoint: 0.0.0.0:4318');
    expect(collector).toContain('endpoint: jaeger:4317');
    expect(collector).toMatch(/traces:\n\s+receivers: \[otlp\]\n\s+processors: \[batch\]\n\s+exporters: \[otlp\/jaeger\]/);
  });
});
