import { performance } from 'node:perf_hooks';
import { headerBytesOf } from './frame-reader.js';
import { PayloadPrefix } from './payload-prefix.js';
import { RawClient, type MessageHooks } from './raw-client.js';
import { StallWatch } from './stall-watch.js';

/** DIRECT.GET's headers (stream, subject, sequence, time stamp) take about 120 bytes. */
const HEADER_PREFIX_BYTES = 512;
/** A stored message comes with a status line without a code; errors carry one (`NATS/1.0 404 ...`). */
const STORED_MESSAGE_STATUS = Buffer.from('NATS/1.0\r\n', 'latin1');
const SEQUENCE_HEADER = Buffer.from('\r\nNats-Sequence: ', 'latin1');
const STALL_TIMEOUT_MS = 15_000;

export interface StreamReadResult {
  /** Messages read back, each sequence exactly once. */
  messages: number;
  elapsedMs: number;
}

/** The sequence a DIRECT.GET reply's headers name; throws on a status reply (not found, no responders). */
export function directGetSequence(headers: PayloadPrefix): number {
  if (!headers.startsWith(STORED_MESSAGE_STATUS)) throw new Error(`DIRECT.GET failed: ${headers.toString().split('\r\n')[0]}`);
  const sequence = headers.numberAfter(SEQUENCE_HEADER);
  if (sequence === undefined) throw new Error(`DIRECT.GET reply without Nats-Sequence: ${headers.toString()}`);
  return sequence;
}

/**
 * Reads sequences 1..N of a stream back with `$JS.API.DIRECT.GET.<stream>` requests, `inFlight`
 * at a time, and checks every reply: a stored message (not a status), of the payload size that
 * was written, each sequence once. Only the headers are kept; bodies are skipped.
 */
export class StreamReader implements MessageHooks {
  private client: RawClient | undefined;
  private readonly headers = new PayloadPrefix(HEADER_PREFIX_BYTES);
  private readonly stallWatch: StallWatch;
  /** Of the message being received: its header size (-1 for MSG) and the payload bytes seen so far. */
  private headerBytes = -1;
  private payloadOffset = 0;
  private seen = new Uint8Array(0);
  private messages = 0;
  private requested = 0;
  private received = 0;
  private done: (() => void) | undefined;
  private failed = false;

  private constructor(
    /** `PUB $JS.API.DIRECT.GET.<stream> <inbox> ` — each request adds its size and body. */
    private readonly requestPrefix: string,
    private readonly payloadSize: number,
    private readonly inFlight: number,
    private readonly report: (error: Error) => void,
  ) {
    this.stallWatch = new StallWatch(STALL_TIMEOUT_MS, (idleMs) =>
      this.fail(new Error(`no DIRECT.GET reply for ${(idleMs / 1000).toFixed(0)} s with ${this.requested - this.received} in flight`)),
    );
  }

  static async start(
    port: number,
    stream: string,
    payloadSize: number,
    inFlight: number,
    report: (error: Error) => void,
  ): Promise<StreamReader> {
    const inbox = `_INBOX.bench.reads.${process.pid}`;
    const reader = new StreamReader(`PUB $JS.API.DIRECT.GET.${stream} ${inbox} `, payloadSize, inFlight, report);
    // DIRECT.GET answers with headers; a client without headers would get them stripped.
    const client = await RawClient.open(port, reader, { headers: true });
    reader.client = client;
    client.socket.write(`SUB ${inbox} 1\r\n`, 'latin1');
    await client.flush(10_000);
    return reader;
  }

  /** Reads sequences 1..`messages`; resolves once every one has been received and checked. */
  readAll(messages: number): Promise<StreamReadResult> {
    return new Promise((resolve) => {
      const startedAt = performance.now();
      this.seen = new Uint8Array(messages + 1);
      this.messages = messages;
      this.requested = 0;
      this.received = 0;
      this.done = () => resolve({ messages, elapsedMs: performance.now() - startedAt });
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
    const sequence = directGetSequence(this.headers);
    const bodyBytes = this.payloadOffset - this.headerBytes;
    if (bodyBytes !== this.payloadSize) throw new Error(`sequence ${sequence} came back with ${bodyBytes} bytes, not ${this.payloadSize}`);
    if (sequence < 1 || sequence > this.messages || this.seen[sequence] === 1) {
      throw new Error(`unexpected sequence ${sequence} (reading 1..${this.messages})`);
    }
    this.seen[sequence] = 1;
    this.received++;
    if (this.received === this.messages) {
      this.stallWatch.stop();
      this.done?.();
      this.done = undefined;
    }
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

  private topUp(): void {
    const socket = this.client?.socket;
    if (!socket || this.failed) return;
    let requests = '';
    while (this.requested - this.received < this.inFlight && this.requested < this.messages) {
      const body = `{"seq":${++this.requested}}`;
      requests += `${this.requestPrefix}${body.length}\r\n${body}\r\n`;
    }
    if (requests !== '') socket.write(requests, 'latin1');
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.close();
    this.report(error);
  }
}
