// Consumers across server restarts, against nats-ts and nats-server -js: a durable's acks (sent
// as requests, and plain ones a moment later) and pending deliveries after kill -9, and an ordered consumer that carries on when its server is back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import { describeEachTarget, startServer } from './support/servers.js';

const MS = 1_000_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeEachTarget('JetStream consumers across restarts', (target) => {
  it('redelivers every unacked message and no acked one after kill -9', { timeout: 30_000 }, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-cons-kill-${target}-`));
    const config = `jetstream { store_dir: ${JSON.stringify(storeDir)} }`;
    let server = await startServer(target, config);
    try {
      let nc = await connect({ servers: server.clientUrl, reconnect: false });
      let jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'JOBS', subjects: ['jobs.*'] });
      for (let i = 1; i <= 10; i++) await jetstream(nc).publish('jobs.run', `j${i}`);
      await jsm.consumers.add('JOBS', { durable_name: 'WORKER', ack_policy: AckPolicy.Explicit, ack_wait: 1_000 * MS });
      const consumer = await jetstream(nc).consumers.get('JOBS', 'WORKER');
      const acked = [1, 2, 3, 5, 7];
      for await (const m of await consumer.fetch({ max_messages: 10, expires: 2_000 })) {
        if (acked.includes(m.seq)) expect(await m.ackAck()).toBe(true);
      }
      // nats-ts answers an ack sent as a request once the consumer state holding it is written;
      // nats-server writes its consumer state up to 100 ms after answering.
      if (target === 'nats-server') await sleep(300);
      server.signal('SIGKILL');
      await server.waitExit();
      await nc.close().catch(() => undefined);
      await server.stop();

      server = await startServer(target, config);
      nc = await connect({ servers: server.clientUrl });
      jsm = await jetstreamManager(nc);
      expect(await jsm.consumers.info('JOBS', 'WORKER')).toMatchObject({
        delivered: { consumer_seq: 10, stream_seq: 10 },
        ack_floor: { consumer_seq: 3, stream_seq: 3 },
        num_ack_pending: 5,
        num_pending: 0,
      });
      const again = await jetstream(nc).consumers.get('JOBS', 'WORKER');
      const redelivered: [number, number][] = [];
      for await (const m of await again.fetch({ max_messages: 5, expires: 4_000 })) {
        redelivered.push([m.seq, m.info.deliveryCount]);
        await m.ackAck();
      }
      expect(redelivered).toEqual([4, 6, 8, 9, 10].map((seq) => [seq, 2]));
      expect(await again.next({ expires: 1_500 })).toBeNull();
      expect(await jsm.consumers.info('JOBS', 'WORKER')).toMatchObject({
        delivered: { consumer_seq: 15, stream_seq: 10 },
        ack_floor: { consumer_seq: 15, stream_seq: 10 },
        num_ack_pending: 0,
        num_redelivered: 0,
      });
      await nc.close();
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it('keeps plain acks written a moment after a burst of them, as nats-server (about ten states a second)', { timeout: 30_000 }, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-cons-plain-${target}-`));
    const config = `jetstream { store_dir: ${JSON.stringify(storeDir)} }`;
    let server = await startServer(target, config);
    try {
      let nc = await connect({ servers: server.clientUrl, reconnect: false });
      await (await jetstreamManager(nc)).streams.add({ name: 'JOBS', subjects: ['jobs.*'] });
      for (let i = 1; i <= 200; i++) await jetstream(nc).publish('jobs.run', `j${i}`);
      await (await jetstreamManager(nc)).consumers.add('JOBS', { durable_name: 'WORKER', ack_policy: AckPolicy.Explicit });
      const consumer = await jetstream(nc).consumers.get('JOBS', 'WORKER');
      for await (const m of await consumer.fetch({ max_messages: 150, expires: 2_000 })) m.ack();
      await nc.flush();
      // The last state written within nats-server's interval: 100 ms, and some slack.
      await sleep(400);
      server.signal('SIGKILL');
      await server.waitExit();
      await nc.close().catch(() => undefined);
      await server.stop();

      server = await startServer(target, config);
      nc = await connect({ servers: server.clientUrl });
      expect(await (await jetstreamManager(nc)).consumers.info('JOBS', 'WORKER')).toMatchObject({
        delivered: { consumer_seq: 150, stream_seq: 150 },
        ack_floor: { consumer_seq: 150, stream_seq: 150 },
        num_ack_pending: 0,
        num_pending: 50,
      });
      await nc.close();
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it('keeps an ordered consumer reading in order when its server restarts', { timeout: 30_000 }, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-ordered-${target}-`));
    const config = `jetstream { store_dir: ${JSON.stringify(storeDir)} }`;
    let server = await startServer(target, config);
    const nc = await connect({ servers: server.clientUrl, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    try {
      const js = jetstream(nc);
      await (await jetstreamManager(nc)).streams.add({ name: 'FEED', subjects: ['feed'] });
      for (let i = 1; i <= 10; i++) await js.publish('feed', `f${i}`);
      const ordered = await js.consumers.get('FEED');
      const messages = await ordered.consume({ idle_heartbeat: 500 });
      const read: string[] = [];
      const done = (async () => {
        for await (const m of messages) {
          read.push(m.string());
          if (read.length === 20) break;
        }
      })();
      while (read.length < 10) await sleep(10);
      const port = server.port;
      const reconnected = (async () => {
        for await (const s of nc.status()) if (s.type === 'reconnect') return;
      })();
      await server.stop();
      server = await startServer(target, `port: ${port}\n${config}`);
      await reconnected;
      for (let i = 11; i <= 20; i++) await js.publish('feed', `f${i}`, { timeout: 5_000 });
      await Promise.race([done, sleep(15_000)]);
      expect(read).toEqual(Array.from({ length: 20 }, (_, i) => `f${i + 1}`));
    } finally {
      await nc.close();
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
