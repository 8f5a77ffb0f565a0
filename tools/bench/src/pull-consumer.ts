import { performance } from 'node:perf_hooks';
import { PayloadPrefix } from './payload-prefix.js';
import { checkDrainTarget, isPlainMessageOfSize, sizeSuffix, type DrainResult, type DrainTarget } from './push-consumer.js';
import { RawClient, type MessageHooks } from './raw-client.js';
import { StallWatch } from './stall-watch.js';

const STALL_TIMEOUT_MS = 15_000;
const SPACE = 32;
const LOWER_H = 0x68;
/** A status is one line and a pending count or two. */
const STATUS_PREFIX_BYTES = 256;
const STATUS_LINE = Buffer.from('NATS/1.0 ', 'latin1');
const TIMEOUT_STATUS = Buffer.from('NATS/1.0 408', 'latin1');
const HEARTBEAT_STATUS = Buffer.from('NATS/1.0 100', 'latin1');
const PENDING_MESSAGES = Buffer.from('Nats-Pending-Messages: ', 'latin1');
const ACK_HEAD = Buffer.from('PUB ', 'latin1');
/** An ack is a publish to the delivery's reply subject with an empty body. */
const ACK_TAIL = Buffer.from(' 0\r\n\r\n', 'latin1');
const ACK_BUFFER_BYTES = 64 * 1024;

/** Messages asked for by one pull request. */
export const PULL_BATCH = 100;
/** A pull request lives this long on the server; one that runs out comes back as a 408 with what it still owed. */
const PULL_EXPIRES_NS = 10_000_000_000;

/**
 * Where the reply token of `MSG <subject> <sid> <reply> <size>` (or of an HMSG line) starts in
 * `line[start, end)`, or -1 when the line has none; the token ends at the next space.
 */
export function replyStartOf(line: Buffer, start: number, end: number): number {
  const afterVerb = line.indexOf(SPACE, start);
  const afterSubject = afterVerb < 0 || afterVerb >= end ? -1 : line.indexOf(SPACE, afterVerb + 1);
  const afterSid = afterSubject < 0 || afterSubject >= end ? -1 : line.indexOf(SPACE, afterSubject + 1);
  if (afterSid < 0 || afterSid >= end) return -1;
  const afterReply = line.indexOf(SPACE, afterSid + 1);
  // An empty reply (two spaces) or a line of four tokens has no reply.
  if (afterReply < 0 || afterReply >= end || afterReply === afterSid + 1) return -1;
  return afterSid + 1;
}

/**
 * A durable pull consumer's client: keeps one or two `$JS.API.CONSUMER.MSG.NEXT` requests of
 * `{"batch":100}` outstanding (a new one goes out once at most one batch is owed), acks every
 * delivery by publishing an empty message to its `$JS.ACK…` reply, and drains a stream of known
 * length. Acks are copied from the delivery's control line straight into one buffer and written
 * once per read; the clock stops at the PONG that follows the last ack, so every counted message
 * was acked and the ack read by the server.
 */
export class PullConsumer implements MessageHooks {
  private client: RawClient | undefined;
  private readonly suffix: Buffer;
  private readonly requestFrame: Buffer;
  private readonly status = new PayloadPrefix(STATUS_PREFIX_BYTES);
  private readonly stallWatch: StallWatch;
  private acks = Buffer.allocUnsafe(ACK_BUFFER_BYTES);
  private ackBytes = 0;
  /** Of the message being received: a status (HMSG), not a delivery. */
  private inStatus = false;
  /** Bytes of the ack for the delivery being received, committed once its payload is complete. */
  private pendingAckEnd = 0;
  private requested = 0;
  private received = 0;
  private acked = 0;
  private startedAt = 0;
  private finishing = false;
  private failed = false;

  private constructor(
    private readonly requestPrefix: string,
    payloadSize: number,
    private readonly target: DrainTarget,
    private readonly report: (error: Error) => void,
    private readonly drained: (result: DrainResult) => void,
  ) {
    checkDrainTarget(target);
    this.suffix = sizeSuffix(payloadSize);
    this.requestFrame = this.encodeRequest(PULL_BATCH);
    this.stallWatch = new StallWatch(STALL_TIMEOUT_MS, (idleMs) =>
      this.fail(
        new Error(`no pull delivery for ${(idleMs / 1000).toFixed(0)} s after ${this.received} of ${target.messages} (${this.requested} requested)`),
      ),
    );
  }

  /** Connects and starts pulling from `<stream>.<consumer>` at once; `drained` gets the result. */
  static async start(
    port: number,
    stream: string,
    consumer: string,
    payloadSize: number,
    target: DrainTarget,
    report: (error: Error) => void,
    drained: (result: DrainResult) => void,
  ): Promise<PullConsumer> {
    const inbox = `_INBOX.bench.pull.${process.pid}`;
    const puller = new PullConsumer(`PUB $JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer} ${inbox} `, payloadSize, target, report, drained);
    // Statuses (408 and the like) come as HMSG: headers must be on to see them.
    const client = await RawClient.open(port, puller, { headers: true });
    puller.client = client;
    client.socket.write(`SUB ${inbox} 1\r\n`, 'latin1');
    await client.flush(10_000);
    puller.stallWatch.start();
    puller.topUp();
    return puller;
  }

  onMessageHeader(line: Buffer, start: number, end: number): void {
    // Thrown here, an error fails the connection and reaches onFailure.
    if ((line[start] | 0x20) === LOWER_H) {
      this.inStatus = true;
      this.status.reset();
      return;
    }
    this.inStatus = false;
    if (!isPlainMessageOfSize(line, start, end, this.suffix)) throw new Error(`unexpected delivery: ${line.toString('latin1', start, end)}`);
    const replyStart = replyStartOf(line, start, end);
    if (replyStart < 0) throw new Error(`delivery without an ack subject: ${line.toString('latin1', start, end)}`);
    const replyEnd = line.indexOf(SPACE, replyStart);
    const ackLength = ACK_HEAD.length + replyEnd - replyStart + ACK_TAIL.length;
    if (this.ackBytes + ackLength > this.acks.length) this.growAcks(ackLength);
    let at = this.ackBytes;
    at += ACK_HEAD.copy(this.acks, at);
    at += line.copy(this.acks, at, replyStart, replyEnd);
    at += ACK_TAIL.copy(this.acks, at);
    this.pendingAckEnd = at;
  }

  onPayload(chunk: Buffer, start: number, end: number): void {
    if (this.inStatus) this.status.capture(chunk, start, end);
  }

  onMessageEnd(): void {
    if (this.inStatus) {
      this.onStatus();
      return;
    }
    this.ackBytes = this.pendingAckEnd;
    this.received++;
  }

  afterRead(): void {
    this.stallWatch.progress();
    this.flushAcks();
    this.topUp();
  }

  onFailure(error: Error): void {
    this.fail(error);
  }

  close(): void {
    this.stallWatch.stop();
    this.client?.close();
  }

  private onStatus(): void {
    if (this.status.startsWith(HEARTBEAT_STATUS)) return;
    if (!this.status.startsWith(TIMEOUT_STATUS)) {
      const line = this.status.startsWith(STATUS_LINE) ? this.status.toString().split('\r\n')[0] : this.status.toString();
      throw new Error(`pull request failed: ${line}`);
    }
    // The request expired owing this many: ask for them again.
    this.requested -= this.status.numberAfter(PENDING_MESSAGES) ?? 0;
  }

  /** Writes the acks gathered during this read in one write (a copy: the socket may keep it while the buffer is reused). */
  private flushAcks(): void {
    const socket = this.client?.socket;
    if (!socket || this.failed || this.ackBytes === 0) return;
    const acked = this.received - this.acked;
    socket.write(Buffer.from(this.acks.subarray(0, this.ackBytes)));
    // A delivery whose payload goes on in the next read keeps its ack, moved to the front.
    this.pendingAckEnd = this.acks.copy(this.acks, 0, this.ackBytes, this.pendingAckEnd);
    this.ackBytes = 0;
    const before = this.acked;
    this.acked += acked;
    if (before < this.target.warmupMessages && this.acked >= this.target.warmupMessages) this.startedAt = performance.now();
    if (this.acked >= this.target.messages && !this.finishing) this.finish();
  }

  private finish(): void {
    this.finishing = true;
    this.stallWatch.stop();
    const client = this.client!;
    client.flush(STALL_TIMEOUT_MS).then(
      () => this.drained({ messages: this.acked - this.target.warmupMessages, elapsedMs: performance.now() - this.startedAt }),
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Keeps at most two requests owed: a new one goes out once at most one batch is outstanding. */
  private topUp(): void {
    const socket = this.client?.socket;
    if (!socket || this.failed) return;
    while (this.requested - this.received <= PULL_BATCH && this.requested < this.target.messages) {
      const batch = Math.min(PULL_BATCH, this.target.messages - this.requested);
      socket.write(batch === PULL_BATCH ? this.requestFrame : this.encodeRequest(batch));
      this.requested += batch;
    }
  }

  private encodeRequest(batch: number): Buffer {
    const body = `{"batch":${batch},"expires":${PULL_EXPIRES_NS}}`;
    return Buffer.from(`${this.requestPrefix}${body.length}\r\n${body}\r\n`, 'latin1');
  }

  private growAcks(needed: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.acks.length * 2, this.ackBytes + needed));
    this.acks.copy(grown, 0, 0, this.ackBytes);
    this.acks = grown;
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.close();
    this.report(error);
  }
}
