// A client that connects the moment a server's client port opens finds JetStream answering:
// the server restarts on a store holding many streams, and the first request of a client that
// was waiting for the port gets account info, not "no responders".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import { freePort } from './cluster-helpers.js';
import { describeEachTarget, startServer } from './support/servers.js';

const STREAMS = 300;

describeEachTarget('JetStream at start-up', (target) => {
  it('answers the first request of a client that connected as soon as the port opened', { timeout: 60_000 }, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-startup-${target}-`));
    const port = await freePort();
    const config = `port: ${port}\njetstream { store_dir: ${JSON.stringify(storeDir)} }`;
    try {
      const first = await startServer(target, config);
      const admin = await connect({ servers: first.clientUrl });
      const jsm = await jetstreamManager(admin);
      for (let i = 0; i < STREAMS; i++) await jsm.streams.add({ name: `S${i}`, subjects: [`s.${i}`] });
      await admin.close();
      await first.stop();

      const starting = startServer(target, config);
      const nc = await connect({ servers: `127.0.0.1:${port}`, waitOnFirstConnect: true, reconnectTimeWait: 5, maxReconnectAttempts: -1, timeout: 20_000 });
      try {
        const info = await (await jetstreamManager(nc)).getAccountInfo();
        expect(info.streams).toBe(STREAMS);
      } finally {
        await nc.close();
        await (await starting).stop();
      }
    } finally {
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
