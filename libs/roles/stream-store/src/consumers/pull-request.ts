/** One CONSUMER.MSG.NEXT request waiting for messages on its reply subject. */
export class PullRequest {
  delivered = 0;
  bytes = 0;
  done = false;
  expiryTimer: NodeJS.Timeout | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly reply: string,
    readonly batch: number,
    /** 0: no expiry. */
    readonly expiresNs: number,
    readonly noWait: boolean,
    /** 0: no byte limit. */
    readonly maxBytes: number,
    readonly heartbeatNs: number,
    readonly receivedAt: number,
  ) {}

  stopTimers(): void {
    this.done = true;
    clearTimeout(this.expiryTimer);
    clearInterval(this.heartbeatTimer);
  }
}

/**
 * A pull request's body as nats-server reads it: empty (one message, no expiry), a bare number
 * (the batch), or JSON `{batch, expires, no_wait, max_bytes, idle_heartbeat}`. A string is the
 * status line to answer instead.
 */
export function parsePullRequest(body: Uint8Array, reply: string, now: number): PullRequest | string {
  const text = Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8').trim();
  if (text === '') return new PullRequest(reply, 1, 0, false, 0, 0, now);
  if (/^\d+$/.test(text)) return new PullRequest(reply, Math.max(1, Number(text)), 0, false, 0, 0, now);
  let request: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return '400 Bad Request';
    request = value as Record<string, unknown>;
  } catch (err) {
    return `400 Bad Request - ${(err as Error).message}`;
  }
  const int = (key: string): number => {
    const v = request[key];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
  };
  const batch = int('batch');
  return new PullRequest(reply, batch > 0 ? batch : 1, int('expires'), request.no_wait === true, int('max_bytes'), int('idle_heartbeat'), now);
}
