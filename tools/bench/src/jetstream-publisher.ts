import { performance } from 'node:perf_hooks';
import { FrameRing, keyName } from './frame-ring.js';
import { PayloadPrefix } from './payload-prefix.js';
import { encodePublishBatch, encodePublishFrame } from './publisher.js';
import { RawClient, type MessageHooks } from './raw-client.js';
import { StallWatch } from './stall-watch.js';

/** Enough of an ack for `{"stream":"BENCH","seq":N}` and for the start of an error. */
const ACK_PREFIX_BYTES = 256;
const ERROR_KEY = Buffer.from('"error"', 'latin1');
const SEQUENCE_KEY = Buffer.from('"seq"', 'latin1');
const STALL_TIMEOUT_MS = 15_000;

export interface AckedPublishResult {
  /** Acks received inside the window, or every message of a counted run. */
  acks: number;
  /** The window's length, or from the first publish to the last ack. */
  elapsedMs: number;
}

/** A JetStream publish ack carries the stored message's sequence; a failed publish an error. */
export function isPublishAck(reply: PayloadPrefix): boolean {
  return reply.includes(SEQUENCE_KEY) && !reply.includes(ERROR_KEY);
}

/**
 * The publish frames, encoded once: all on `subject`, or on `<subject>.k000` … `<subject>.k<keys-1>`
 * in turn (the puts of a KV bucket over a key space).
 */
function publishRing(subject: string, payloadSize: number, inbox: string, keys: number | undefined): FrameRing {
  if (keys === undefined) {
    const { batch, messagesPerBatch } = encodePublishBatch(subject, payloadSize, inbox);
    return new FrameRing(batch, messagesPerBatch);
  }
  return FrameRing.of(keys, (index) => encodePublishFrame(`${subject}.${keyName(index, keys)}`, payloadSize, inbox));
}

/**
 * Publishes to a stream's subject (or over a key space of subjects) with a reply subject and
 * keeps `inFlight` messages unacked: after each read the acks it held are replaced by as many
 * new messages in one corked write. Acks are counted, not matched to messages, so every message
 * has the same reply subject and the frames are encoded once.
 */
export class JetStreamPublisher implements MessageHooks {
  private client: RawClient | undefined;
  private readonly frames: FrameRing;
  private readonly reply = new PayloadPrefix(ACK_PREFIX_BYTES);
  private readonly stallWatch: StallWatch;
  private sent = 0;
  private acked = 0;
  /** Publishing stops once `sent` reaches it. */
  private sendLimit = 0;
  /** Called once `sendLimit` messages are acked. */
  private allAcked: (() => void) | undefined;
  private failed = false;

  private constructor(
    subject: string,
    inbox: string,
    payloadSize: number,
    private readonly inFlight: number,
    private readonly report: (error: Error) => void,
    keys: number | undefined,
  ) {
    this.frames = publishRing(subject, payloadSize, inbox, keys);
    this.stallWatch = new StallWatch(STALL_TIMEOUT_MS, (idleMs) =>
      this.fail(new Error(`no publish ack for ${(idleMs / 1000).toFixed(0)} s with ${this.sent - this.acked} in flight`)),
    );
  }

  static async start(
    port: number,
    subject: string,
    payloadSize: number,
    inFlight: number,
    report: (error: Error) => void,
    keys?: number,
  ): Promise<JetStreamPublisher> {
    const inbox = `_INBOX.bench.acks.${process.pid}`;
    const publisher = new JetStreamPublisher(subject, inbox, payloadSize, inFlight, report, keys);
    const client = await RawClient.open(port, publisher);
    publisher.client = client;
    client.socket.write(`SUB ${inbox} 1\r\n`, 'latin1');
    await client.flush(10_000);
    return publisher;
  }

  /** Publishes for `warmupMs + windowMs`; resolves with the acks of the window once all in flight are acked. */
  publishWindow(warmupMs: number, windowMs: number): Promise<AckedPublishResult> {
    return new Promise((resolve) => {
      let acksBefore = 0;
      let windowStartedAt = 0;
      setTimeout(() => {
        acksBefore = this.acked;
        windowStartedAt = performance.now();
      }, warmupMs);
      setTimeout(() => {
        const result = { acks: this.acked - acksBefore, elapsedMs: performance.now() - windowStartedAt };
        this.sendLimit = this.sent;
        this.whenAllAcked(() => resolve(result));
      }, warmupMs + windowMs);
      this.startSending(Number.POSITIVE_INFINITY);
    });
  }

  /** Publishes `messages` messages; resolves when the last is acked. */
  publishCount(messages: number): Promise<AckedPublishResult> {
    return new Promise((resolve) => {
      const startedAt = performance.now();
      this.startSending(this.sent + messages);
      this.whenAllAcked(() => resolve({ acks: messages, elapsedMs: performance.now() - startedAt }));
    });
  }

  onPayload(chunk: Buffer, start: number, end: number): void {
    this.reply.capture(chunk, start, end);
  }

  onMessageEnd(): void {
    // Thrown here, the error fails the connection and reaches onFailure.
    if (!isPublishAck(this.reply)) throw new Error(`publish not acknowledged: ${this.reply.toString()}`);
    this.reply.reset();
    this.acked++;
    if (this.acked === this.sendLimit) this.settle();
  }

  afterRead(): void {
    this.stallWatch.progress();
    this.topUp();
  }

  onFailure(error: Error): void {
    this.fail(error);
  }

  close(): void {
    this.stallWatch.stop();
    this.client?.close();
  }

  private startSending(limit: number): void {
    this.sendLimit = limit;
    this.stallWatch.start();
    this.topUp();
  }

  private whenAllAcked(callback: () => void): void {
    this.allAcked = callback;
    if (this.acked === this.sendLimit) this.settle();
  }

  private settle(): void {
    const callback = this.allAcked;
    if (!callback) return;
    this.allAcked = undefined;
    this.stallWatch.stop();
    callback();
  }

  private topUp(): void {
    const socket = this.client?.socket;
    const count = Math.min(this.inFlight - (this.sent - this.acked), this.sendLimit - this.sent);
    if (!socket || this.failed || count <= 0) return;
    socket.cork();
    this.frames.write(socket, count);
    socket.uncork();
    this.sent += count;
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.close();
    this.report(error);
  }
}
