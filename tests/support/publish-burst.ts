// A JetStream publish burst for kill -9 and failover tests: what was acked is noted, what failed
// is retried later, so the test can check that no acked message was lost.
import { jetstream, type JetStreamManager } from '@nats-io/jetstream';
import { expect } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Publishes `<id>-<n>` on `burst.<id>` until `stop()` says so, 16 in flight, noting each ack's sequence; a failure slows it down. */
export async function publishUntil(nc: NatsConnection, id: number, acked: Map<string, number>, stop: () => boolean): Promise<void> {
  const js = jetstream(nc, { timeout: 2_000 });
  const inFlight = new Set<Promise<void>>();
  for (let n = 0; !stop(); n++) {
    const payload = `${id}-${n}`;
    const sent: Promise<void> = js
      .publish(`burst.${id}`, payload)
      .then(
        (ack) => void acked.set(payload, ack.seq),
        () => sleep(50),
      )
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
    if (inFlight.size >= 16) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

/**
 * Checks a burst stream against what was acked: every acked payload is stored at the sequence
 * its ack named, and no payload is stored twice.
 */
export async function expectBurstKept(jsm: JetStreamManager, stream: string, acked: ReadonlyMap<string, number>): Promise<void> {
  const state = (await jsm.streams.info(stream)).state;
  expect(state.last_seq).toBeGreaterThanOrEqual(Math.max(...acked.values()));
  const decoder = new TextDecoder();
  const seen = new Set<string>();
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (msg === null) continue;
    const payload = decoder.decode(msg.data);
    expect(seen.has(payload), `${payload} stored twice`).toBe(false);
    seen.add(payload);
    const ackedSeq = acked.get(payload);
    if (ackedSeq !== undefined) expect(ackedSeq, payload).toBe(seq);
  }
  for (const payload of acked.keys()) expect(seen.has(payload), `acked ${payload} lost`).toBe(true);
}
