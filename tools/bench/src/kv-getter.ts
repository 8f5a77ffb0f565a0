import { performance } from 'node:perf_hooks';
import { headerBytesOf } from './frame-reader.js';
import { FrameRing, keyName } from './frame-ring.js';
import { PayloadPrefix } from './payload-prefix.js';
import { RawClient, type MessageHooks } from './raw-client.js';
import { StallWatch } from './stall-watch.js';

/** DIRECT.GET's headers (stream, subject, sequence, time stamp) take about 130 bytes. */
const HEADER_PREFIX_BYTES = 512;
/** A stored message comes with a status line without a code; a missing key is `NATS/1.0 404 Message Not Found`. */
const STORED_MESSAGE_STATUS = Buffer.from('NATS/1.0\r\n', 'latin1');
const STALL_TIMEOUT_MS = 15_000;

export interface WindowResult {
  /** Replies received inside the window. */
  replies: number;
  elapsedMs: number;
}

/**
 * Reads the keys of a KV bucket the way the clients' `get` does, with
 * `$JS.API.DIRECT.GET.KV_<bucket>.$KV.<bucket>.<key>` and an empty body, `inFlight` at a time,
 * cycling over `k000` … (the requests are encoded once, in a ring). Every reply is checked: a
 * stored message (not a status), of the subject asked for's bucket, with the written value size.
 * Only the headers are kept; values are skipped.
 */
export class KvGetter implements MessageHooks {
  private client: RawClient | undefined;
  private readonly requests: FrameRing;
  private readonly subjectHeader: Buffer;
  private readonly headers = new PayloadPrefix(HEADER_PREFIX_BYTES);
  private readonly stallWatch: StallWatch;
  private headerBytes = -1;
  private payloadOffset = 0;
  private sent = 0;
  private received = 0;
  private sending = false;
  /** Called once the window has closed and every request in flight is answered. */
  private answered: (() => void) | undefined;
  private failed = false;

  private constructor(
    bucket: string,
    keys: number,
    inbox: string,
    private readonly payloadSize: number,
    private readonly inFlight: number,
    private readonly report: (error: Error) => void,
  ) {
    this.requests = FrameRing.of(keys, (index) =>
      Buffer.from(`PUB $JS.API.DIRECT.GET.KV_${bucket}.$KV.${bucket}.${keyName(index, keys)} ${inbox} 0\r\n\r\n`, 'latin1'),
    );
    this.subjectHeader = Buffer.from(`\r\nNats-Subject: $KV.${bucket}.k`, 'latin1');
    this.stallWatch = new StallWatch(STALL_TIMEOUT_MS, (idleMs) =>
      this.fail(new Error(`no DIRECT.GET reply for ${(idleMs / 1000).toFixed(0)} s with ${this.sent - this.received} in flight`)),
    );
  }

  static async start(
    port: number,
    bucket: string,
    keys: number,
    payloadSize: number,
    inFlight: number,
    report: (error: Error) => void,
  ): Promise<KvGetter> {
    const inbox = `_INBOX.bench.gets.${process.pid}`;
    const getter = new KvGetter(bucket, keys, inbox, payloadSize, inFlight, report);
    // DIRECT.GET answers with headers; a client without headers would get them stripped.
    const client = await RawClient.open(port, getter, { headers: true });
    getter.client = client;
    client.socket.write(`SUB ${inbox} 1\r\n`, 'latin1');
    await client.flush(10_000);
    return getter;
  }

  /** Gets for `warmupMs + windowMs`; resolves with the replies of the window once all in flight are answered. */
  getWindow(warmupMs: number, windowMs: number): Promise<WindowResult> {
    return new Promise((resolve) => {
      let repliesBefore = 0;
      let windowStartedAt = 0;
      setTimeout(() => {
        repliesBefore = this.received;
        windowStartedAt = performance.now();
      }, warmupMs);
      setTimeout(() => {
        const result = { replies: this.received - repliesBefore, elapsedMs: performance.now() - windowStartedAt };
        this.sending = false;
        this.whenAnswered(() => resolve(result));
      }, warmupMs + windowMs);
      this.sending = true;
      this.stallWatch.start();
      this.topUp();
    });
  }

  onMessageHeader(line: Buffer, start: number, end: number): void {
    this.headerBytes = headerBytesOf(line, start, end);
    this.payloadOffset = 0;
    this.headers.reset();
  }

  onPayload(chunk: Buffer, start: number, end: number): void {
    const headerEnd = Math.min(end, start + this.headerBytes - this.payloadOffset);
    if (headerEnd > start) this.headers.capture(chunk, start, headerEnd);
    this.payloadOffset += end - start;
  }

  onMessageEnd(): void {
    // Thrown here, an error fails the connection and reaches onFailure.
    if (this.headerBytes < 0) throw new Error('DIRECT.GET reply without headers');
    if (!this.headers.startsWith(STORED_MESSAGE_STATUS)) throw new Error(`DIRECT.GET failed: ${this.headers.toString().split('\r\n')[0]}`);
    if (!this.headers.includes(this.subjectHeader)) throw new Error(`DIRECT.GET reply for another subject: ${this.headers.toString()}`);
    const valueBytes = this.payloadOffset - this.headerBytes;
    if (valueBytes !== this.payloadSize) throw new Error(`a key came back with ${valueBytes} bytes, not ${this.payloadSize}`);
    this.received++;
    if (!this.sending && this.received === this.sent) this.settle();
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

  private whenAnswered(callback: () => void): void {
    this.answered = callback;
    if (this.received === this.sent) this.settle();
  }

  private settle(): void {
    const callback = this.answered;
    if (!callback) return;
    this.answered = undefined;
    this.stallWatch.stop();
    callback();
  }

  private topUp(): void {
    const socket = this.client?.socket;
    const count = this.inFlight - (this.sent - this.received);
    if (!socket || this.failed || !this.sending || count <= 0) return;
    socket.cork();
    this.requests.write(socket, count);
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
