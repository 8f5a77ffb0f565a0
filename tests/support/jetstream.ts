import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startServer, type RunningServer, type Target } from './servers.js';

/** What a JetStream suite talks to: one server with its store in a fresh temp dir, and a client. */
export interface JetStreamSuite {
  server: RunningServer;
  storeDir: string;
  nc: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
}

/**
 * Starts a JetStream server of `target` for the enclosing describe block (file store in a temp
 * dir named after `name`), deletes every stream after each test, and stops it all at the end.
 * `ready` receives the suite once it is up.
 */
export function useJetStreamServer(target: Target, name: string, ready: (suite: JetStreamSuite) => void): void {
  let suite: JetStreamSuite | undefined;
  let storeDir = '';
  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), `${name}-${target}-`));
    const server = await startServer(target, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`);
    const nc = await connect({ servers: server.clientUrl });
    suite = { server, storeDir, nc, jsm: await jetstreamManager(nc), js: jetstream(nc) };
    ready(suite);
  });

  afterEach(async () => {
    if (suite === undefined) return;
    for await (const stream of suite.jsm.streams.names()) await suite.jsm.streams.delete(stream);
  });

  afterAll(async () => {
    await suite?.nc.close();
    await suite?.server.stop();
    if (storeDir !== '') rmSync(storeDir, { recursive: true, force: true });
  });
}
