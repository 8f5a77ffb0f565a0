// An acknowledged message is never lost: kill -9 during a publish burst from four publishers,
// restart on the same store, and every acked message is there, exactly, with nothing invented.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { describeEachTarget, startServer, targets } from './support/servers.js';

const decoder = new TextDecoder();
const PUBLISHERS = 4;
const IN_FLIGHT = 32;

/** Publishes `p<id>-<n>` until a publish fails (the server is gone), noting each ack's sequence. */
async function publishUntilCut(nc: NatsConnection, id: number, acked: Map<string, number>): Promise<void> {
  const js = jetstream(nc, { timeout: 2_000 });
  const inFlight = new Set<Promise<void>>();
  let cut = false;
  for (let n = 0; !cut; n++) {
    const payload = `p${id}-${n}`;
    const sent: Promise<void> = js
      .publish(`burst.${id}`, payload)
      .then(
        (ack) => void acked.set(payload, ack.seq),
        () => void (cut = true),
      )
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

describeEachTarget('JetStream durability', (target) => {
  it('keeps every acked message after kill -9 in a burst from four publishers', { timeout: 60_000 }, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), `js-kill-${target}-`));
    const config = `jetstream { store_dir: ${JSON.stringify(storeDir)} }`;
    let server = await startServer(target, config);
    try {
      const admin = await connect({ servers: server.clientUrl });
      await (await jetstreamManager(admin)).streams.add({ name: 'BURST', subjects: ['burst.*'] });
      await admin.close();
      const acked = new Map<string, number>();
      const publishers = await Promise.all(Array.from({ length: PUBLISHERS }, () => connect({ servers: server.clientUrl, reconnect: false })));
      const bursts = publishers.map((nc, id) => publishUntilCut(nc, id, acked));
      // Let the burst run, then cut the power.
      while (acked.size < 2_000) await new Promise((resolve) => setTimeout(resolve, 20));
      server.signal('SIGKILL');
      await server.waitExit();
      await Promise.all(bursts);
      for (const nc of publishers) await nc.close().catch(() => undefined);
      await server.stop();

      server = await startServer(target, config);
      const nc = await connect({ servers: server.clientUrl });
      const jsm = await jetstreamManager(nc);
      const state = (await jsm.streams.info('BURST')).state;
      const maxAcked = Math.max(...acked.values());
      expect(state.last_seq).toBeGreaterThanOrEqual(maxAcked);
      // No gaps: nothing was deleted.
      expect(state.messages).toBe(state.last_seq);
      const seen = new Set<string>();
      for (let seq = 1; seq <= state.last_seq; seq++) {
        const msg = await jsm.streams.getMessage('BURST', { seq });
        expect(msg, `seq ${seq}`).not.toBeNull();
        const payload = decoder.decode(msg!.data);
        expect(payload).toMatch(/^p[0-3]-\d+$/);
        expect(msg!.subject).toBe(`burst.${payload.slice(1, 2)}`);
        expect(seen.has(payload), `${payload} stored twice`).toBe(false);
        seen.add(payload);
        const ackedSeq = acked.get(payload);
        if (ackedSeq !== undefined) expect(ackedSeq).toBe(seq);
      }
      for (const payload of acked.keys()) expect(seen.has(payload), `acked ${payload} lost`).toBe(true);
      await nc.close();
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});

// The block format is nats-ts's own: these run against nats-ts only.
describe.skipIf(!targets.includes('nats-ts'))('JetStream file store recovery [nats-ts]', () => {
  it('cuts a torn tail written into a block file and keeps every whole message', { timeout: 30_000 }, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'js-torn-'));
    const config = `jetstream { store_dir: ${JSON.stringify(storeDir)} }`;
    let server = await startServer('nats-ts', config);
    try {
      let nc = await connect({ servers: server.clientUrl });
      await (await jetstreamManager(nc)).streams.add({ name: 'TORN', subjects: ['torn'] });
      for (let i = 1; i <= 20; i++) await jetstream(nc).publish('torn', `m${i}`);
      await nc.close();
      await server.stop();
      const blocks = join(storeDir, 'jetstream', '$G', 'streams', 'TORN', 'msgs');
      const last = readdirSync(blocks).sort((a, b) => parseInt(a, 10) - parseInt(b, 10)).pop()!;
      // Half a record's worth of garbage, as a write cut short by a crash leaves it.
      appendFileSync(join(blocks, last), Buffer.from([0x40, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9]));

      server = await startServer('nats-ts', config);
      nc = await connect({ servers: server.clientUrl });
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info('TORN')).state).toMatchObject({ messages: 20, first_seq: 1, last_seq: 20 });
      expect(decoder.decode((await jsm.streams.getMessage('TORN', { seq: 20 }))!.data)).toBe('m20');
      expect((await jetstream(nc).publish('torn', 'after')).seq).toBe(21);
      await nc.close();
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it('starts with the streams it can read and names the one it cannot', { timeout: 30_000 }, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'js-badmeta-'));
    const config = `jetstream { store_dir: ${JSON.stringify(storeDir)} }`;
    let server = await startServer('nats-ts', config);
    try {
      let nc = await connect({ servers: server.clientUrl });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'GOOD', subjects: ['good'] });
      await jsm.streams.add({ name: 'BROKEN', subjects: ['broken'] });
      await nc.close();
      await server.stop();
      writeFileSync(join(storeDir, 'jetstream', '$G', 'streams', 'BROKEN', 'meta.json'), '{"config": ');
      server = await startServer('nats-ts', config);
      await server.waitForOutput(/BROKEN/);
      nc = await connect({ servers: server.clientUrl });
      const names: string[] = [];
      for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
      expect(names).toEqual(['GOOD']);
      await nc.close();
    } finally {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
