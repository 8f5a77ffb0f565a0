import { performance } from 'node:perf_hooks';
import { RawClient, type MessageHooks } from './raw-client.js';
import { StallWatch } from './stall-watch.js';

const STALL_TIMEOUT_MS = 15_000;
const LOWER_M = 0x6d;

export interface DrainResult {
  /** Messages counted after the warm-up. */
  messages: number;
  /** From the last warm-up message to the last message (for acked drains: to the server's PONG after the last ack). */
  elapsedMs: number;
}

export interface DrainTarget {
  /** The stream's length: every one is expected once. */
  messages: number;
  /** Delivered before the clock starts: the consumer's set-up and the server's coldest deliveries. */
  warmupMessages: number;
}

/** At least one warm-up message (it starts the clock) and at least one after it. */
export function checkDrainTarget({ messages, warmupMessages }: DrainTarget): void {
  if (!(warmupMessages >= 1 && warmupMessages < messages)) {
    throw new Error(`a warm-up of ${warmupMessages} messages leaves nothing of ${messages} to measure`);
  }
}

/**
 * ` <size>` as the end of a MSG line of `payloadSize` bytes: comparing the line's tail with it
 * checks a delivery's size without parsing a number.
 */
export function sizeSuffix(payloadSize: number): Buffer {
  return Buffer.from(` ${payloadSize}`, 'latin1');
}

/** True when `line[start, end)` is a MSG (not HMSG) line ending in `suffix`. */
export function isPlainMessageOfSize(line: Buffer, start: number, end: number, suffix: Buffer): boolean {
  return (
    (line[start] | 0x20) === LOWER_M &&
    end - start > suffix.length &&
    line.compare(suffix, 0, suffix.length, end - suffix.length, end) === 0
  );
}

/**
 * The subscriber of a push consumer's deliver subject: counts the deliveries of a stream of
 * known length, each checked to be a plain message of the written size (a status such as a
 * heartbeat would be an HMSG), and times the part after the warm-up. It counts from the
 * subscription on, so deliveries that come before anyone asks for the result are not lost.
 */
export class PushConsumer implements MessageHooks {
  private client: RawClient | undefined;
  private readonly suffix: Buffer;
  private readonly stallWatch: StallWatch;
  private received = 0;
  private startedAt = 0;
  private result: DrainResult | undefined;
  private failed = false;

  private constructor(
    payloadSize: number,
    private readonly target: DrainTarget,
    private readonly report: (error: Error) => void,
    private readonly drained: (result: DrainResult) => void,
  ) {
    checkDrainTarget(target);
    this.suffix = sizeSuffix(payloadSize);
    this.stallWatch = new StallWatch(STALL_TIMEOUT_MS, (idleMs) =>
      this.fail(new Error(`no push delivery for ${(idleMs / 1000).toFixed(0)} s after ${this.received} of ${target.messages}`)),
    );
  }

  /** Subscribes to `deliverSubject`; the consumer is created afterwards, by someone else. */
  static async start(
    port: number,
    deliverSubject: string,
    payloadSize: number,
    target: DrainTarget,
    report: (error: Error) => void,
    drained: (result: DrainResult) => void,
  ): Promise<PushConsumer> {
    const consumer = new PushConsumer(payloadSize, target, report, drained);
    // With headers on, a status message would arrive as an HMSG and fail the run instead of being stripped.
    const client = await RawClient.open(port, consumer, { headers: true });
    consumer.client = client;
    client.socket.write(`SUB ${deliverSubject} 1\r\n`, 'latin1');
    await client.flush(10_000);
    consumer.stallWatch.start();
    return consumer;
  }

  onMessageHeader(line: Buffer, start: number, end: number): void {
    // Thrown here, the error fails the connection and reaches onFailure.
    if (!isPlainMessageOfSize(line, start, end, this.suffix)) {
      throw new Error(`unexpected delivery: ${line.toString('latin1', start, end)}`);
    }
  }

  onMessageEnd(): void {
    const received = ++this.received;
    if (received === this.target.warmupMessages) this.startedAt = performance.now();
    if (received === this.target.messages) {
      this.result = { messages: received - this.target.warmupMessages, elapsedMs: performance.now() - this.startedAt };
      this.stallWatch.stop();
      this.drained(this.result);
    }
  }

  afterRead(): void {
    this.stallWatch.progress();
  }

  onFailure(error: Error): void {
    this.fail(error);
  }

  close(): void {
    this.stallWatch.stop();
    this.client?.close();
  }

  private fail(error: Error): void {
    if (this.failed || this.result !== undefined) return;
    this.failed = true;
    this.close();
    this.report(error);
  }
}
