/** nats-server defaults for allow_responses when max or expires is left at zero. */
export const DEFAULT_RESPONSE_MAX_MSGS = 1;
export const DEFAULT_RESPONSE_EXPIRES_MS = 2 * 60 * 1000;

/** Past this many tracked reply subjects, a grant first sweeps out used-up and expired ones. */
const TRACKED_REPLIES_SWEEP_AT = 4096;

interface ReplyGrant {
  grantedAt: number;
  used: number;
}

/**
 * allow_responses: a client that was delivered a message carrying a reply subject may publish
 * to that reply subject up to maxMsgs times within expiresMs, whatever its publish
 * permissions say. Zero limits take nats-server's defaults; negative ones mean no limit.
 * Times are caller-supplied milliseconds so the hot path reads the clock once per batch.
 */
export class ResponsePermissions {
  readonly maxMsgs: number;
  readonly expiresMs: number;
  private readonly grants = new Map<string, ReplyGrant>();

  constructor(maxMsgs: number, expiresMs: number) {
    this.maxMsgs = maxMsgs === 0 ? DEFAULT_RESPONSE_MAX_MSGS : maxMsgs;
    this.expiresMs = expiresMs === 0 ? DEFAULT_RESPONSE_EXPIRES_MS : expiresMs;
  }

  /** Number of reply subjects currently tracked. */
  get size(): number {
    return this.grants.size;
  }

  /** A message with this reply subject was delivered to the client: (re)start its allowance. */
  grant(reply: string, now: number): void {
    const existing = this.grants.get(reply);
    if (existing !== undefined) {
      existing.grantedAt = now;
      existing.used = 0;
      return;
    }
    this.grants.set(reply, { grantedAt: now, used: 0 });
    if (this.grants.size > TRACKED_REPLIES_SWEEP_AT) this.sweep(now);
  }

  /** Uses one response to `reply`; false when none was granted, or it is used up or expired. */
  consume(reply: string, now: number): boolean {
    const grant = this.grants.get(reply);
    if (grant === undefined) return false;
    grant.used++;
    if ((this.maxMsgs > 0 && grant.used > this.maxMsgs) || this.isExpired(grant, now)) {
      this.grants.delete(reply);
      return false;
    }
    return true;
  }

  /** Forgets reply subjects whose allowance is used up or expired. */
  sweep(now: number): void {
    for (const [reply, grant] of this.grants) {
      if ((this.maxMsgs > 0 && grant.used >= this.maxMsgs) || this.isExpired(grant, now)) this.grants.delete(reply);
    }
  }

  private isExpired(grant: ReplyGrant, now: number): boolean {
    return this.expiresMs > 0 && now - grant.grantedAt > this.expiresMs;
  }
}
