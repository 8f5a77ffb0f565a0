// A JetStream publish burst for kill -9 and failover tests: what was acked is noted, what failed
// is retried later, so the test can check that no acked message was lost.
import { jetstream } from '@nats-io/jetstream';
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
