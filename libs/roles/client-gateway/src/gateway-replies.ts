import { GATEWAY_REPLY_WINDOW_MS, unmapGatewayReply } from '@nats-ts/protocol';

interface MappedReply {
  routed: string;
  expiresAt: number;
}

/**
 * The replies of requests from other clusters a client was given, as nats-server keeps them per
 * client: the client sees the reply without its `_GR_.` prefix, and its answer on that subject
 * within the window is published under the prefixed one, which goes straight back to the
 * requester's server. Entries expire after the window; a sweep at most once per window keeps
 * the map as small as the recent requests.
 */
export class GatewayReplies {
  private readonly mapped = new Map<string, MappedReply>();
  private nextSweepAt = 0;

  get size(): number {
    return this.mapped.size;
  }

  /** Remembers a prefixed reply given to the client; returns the reply the client sees. */
  track(routed: string, now: number): string {
    const reply = unmapGatewayReply(routed);
    if (now >= this.nextSweepAt) this.sweep(now);
    this.mapped.set(reply, { routed, expiresAt: now + GATEWAY_REPLY_WINDOW_MS });
    return reply;
  }

  /** The prefixed subject for a publish on a tracked reply, else the subject itself. */
  resolve(subject: string, now: number): string {
    const entry = this.mapped.get(subject);
    if (entry === undefined) return subject;
    if (entry.expiresAt <= now) {
      this.mapped.delete(subject);
      return subject;
    }
    return entry.routed;
  }

  private sweep(now: number): void {
    for (const [reply, entry] of this.mapped) if (entry.expiresAt <= now) this.mapped.delete(reply);
    this.nextSweepAt = now + GATEWAY_REPLY_WINDOW_MS;
  }
}
