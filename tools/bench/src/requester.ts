import { performance } from 'node:perf_hooks';
import { RawClient, type MessageHooks } from './raw-client.js';

export interface RequestResult {
  /** Replies to requests sent and answered inside the measurement window. */
  replies: number;
  windowMs: number;
  /** Round-trip time of each of those replies, in microseconds. */
  latenciesMicros: Float64Array;
}

/**
 * Sends one request, waits for its reply, sends the next: a closed loop whose rate is
 * one over the round-trip latency. Only round trips entirely inside the window count.
 */
export class Requester implements MessageHooks {
  private client: RawClient | undefined;
  private readonly requestFrame: Buffer;
  private sentAt = 0;
  private windowStart = 0;
  private windowEnd = 0;
  private latencies = new Float64Array(16_384);
  private replies = 0;
  private done: ((result: RequestResult) => void) | undefined;

  private constructor(
    subject: string,
    inbox: string,
    payloadSize: number,
    readonly onFailure: (error: Error) => void,
  ) {
    this.requestFrame = Buffer.concat([
      Buffer.from(`PUB ${subject} ${inbox} ${payloadSize}\r\n`, 'latin1'),
      Buffer.alloc(payloadSize, 0x78),
      Buffer.from('\r\n', 'latin1'),
    ]);
  }

  static async start(
    port: number,
    subject: string,
    payloadSize: number,
    onFailure: (error: Error) => void,
  ): Promise<Requester> {
    const inbox = `_INBOX.bench.${process.pid}`;
    const requester = new Requester(subject, inbox, payloadSize, onFailure);
    const client = await RawClient.open(port, requester);
    requester.client = client;
    client.socket.write(`SUB ${inbox} 1\r\n`, 'latin1');
    await client.flush(10_000);
    return requester;
  }

  run(warmupMs: number, windowMs: number): Promise<RequestResult> {
    return new Promise<RequestResult>((resolve) => {
      this.done = resolve;
      const now = performance.now();
      this.windowStart = now + warmupMs;
      this.windowEnd = this.windowStart + windowMs;
      this.send(now);
    });
  }

  onMessageEnd(): void {
    const now = performance.now();
    if (this.sentAt >= this.windowStart && now < this.windowEnd) this.record((now - this.sentAt) * 1000);
    if (now < this.windowEnd) {
      this.send(now);
      return;
    }
    this.done?.({
      replies: this.replies,
      windowMs: this.windowEnd - this.windowStart,
      latenciesMicros: this.latencies.slice(0, this.replies),
    });
    this.done = undefined;
  }

  close(): void {
    this.client?.close();
  }

  private send(now: number): void {
    this.sentAt = now;
    this.client?.socket.write(this.requestFrame);
  }

  private record(latencyMicros: number): void {
    if (this.replies === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.replies++] = latencyMicros;
  }
}
