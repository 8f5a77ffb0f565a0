import { randomBytes } from 'node:crypto';
import { ImportOrigin, type SharingEntry } from './account-sharing.js';
import { forwardMask } from './delivery-policy.js';
import type { InterestRouter, RouterAccount } from './interest-router.js';
import type { RouterOrigin } from './router-entry.js';
import { latencyMetric, type LatencyMeasurement } from './service-latency.js';

/** How many responses a service sends to one request (nats-server's response types). */
export type ResponseType = 'Singleton' | 'Stream' | 'Chunked';

interface PendingResponse {
  readonly account: RouterAccount;
  readonly reply: string;
  readonly singleton: boolean;
  readonly thresholdMs: number;
  /** The import's `share` flag, shown by /accountz. */
  readonly share: boolean;
  /** A sampled request of a service with latency tracking, until its first response. */
  measurement: LatencyMeasurement | undefined;
  expiresAt: number;
}

/** Sweeps of expired responses happen at most this often. */
const MIN_SWEEP_MS = 1000;

/**
 * The replies of requests imported into an exporting account (nats-server's response service
 * imports): each request's reply becomes `_R_.<account prefix>.<n>` in the exporter, and one
 * entry on `_R_.<prefix>.>` routes a response there back to the requester's account and reply.
 * A Singleton's route goes after its response; a Stream's or Chunked's after its threshold
 * passes without a response (or on an empty message); any route after its threshold.
 */
export class ResponseRoutes implements SharingEntry {
  readonly subject: string;
  readonly queue = undefined;
  readonly imports = false;
  readonly wanted = true;
  private readonly prefix: string;
  private readonly pending = new Map<string, PendingResponse>();
  private readonly origin = new ImportOrigin(forwardMask('internal'));
  private next = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private sweepMs = Infinity;

  constructor(
    /** The exporting account, where latency metrics are published. */
    private readonly exporter: RouterAccount,
  ) {
    const tag = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x');
    this.prefix = `_R_.${tag}.`;
    this.subject = `${this.prefix}>`;
  }

  /** Number of replies waiting for a response. */
  get size(): number {
    return this.pending.size;
  }

  /** The replies waiting, each as the exporter's subject, the requester's account and its reply (for /accountz). */
  waiting(): { subject: string; account: string; reply: string; share: boolean }[] {
    return [...this.pending].map(([subject, p]) => ({ subject, account: p.account.name, reply: p.reply, share: p.share }));
  }

  /** The exporter's reply subject for a request whose requester waits on `reply` in `account`. */
  add(account: RouterAccount, reply: string, type: ResponseType, thresholdMs: number, share: boolean, measurement?: LatencyMeasurement): string {
    const mapped = this.prefix + (this.next++).toString(36);
    this.pending.set(mapped, { account, reply, singleton: type === 'Singleton', thresholdMs, share, measurement, expiresAt: Date.now() + thresholdMs });
    if (thresholdMs < this.sweepMs) this.startSweeping(thresholdMs);
    return mapped;
  }

  drop(mapped: string): void {
    this.pending.delete(mapped);
    if (this.pending.size === 0) this.stopSweeping();
  }

  forward(
    router: InterestRouter,
    origin: RouterOrigin,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
  ): boolean {
    const pending = this.pending.get(subject);
    if (pending === undefined) return false;
    if (pending.singleton || end === start) this.drop(subject);
    else pending.expiresAt = Date.now() + pending.thresholdMs;
    this.origin.originMember = origin.originMember;
    const delivered = router.publish(pending.account, this.origin, pending.reply, reply, headerSize, data, start, end, traceparent);
    const measurement = pending.measurement;
    if (measurement !== undefined) {
      pending.measurement = undefined;
      const metric = latencyMetric(measurement, origin);
      if (metric !== undefined) {
        const payload = Buffer.from(JSON.stringify(metric), 'utf8');
        router.publish(this.exporter, this.origin, measurement.latency.subject, undefined, 0, payload, 0, payload.length, undefined);
      }
    }
    return delivered;
  }

  private startSweeping(thresholdMs: number): void {
    this.stopSweeping();
    this.sweepMs = Math.max(MIN_SWEEP_MS, thresholdMs);
    this.sweeper = setInterval(() => this.sweep(), this.sweepMs);
    this.sweeper.unref();
  }

  private stopSweeping(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.sweepMs = Infinity;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [mapped, pending] of this.pending) {
      if (pending.expiresAt <= now) this.pending.delete(mapped);
    }
    if (this.pending.size === 0) this.stopSweeping();
  }
}
