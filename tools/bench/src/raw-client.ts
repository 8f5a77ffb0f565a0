import { connect, type Socket } from 'node:net';
import { FrameReader, type FrameListener } from './frame-reader.js';

/**
 * A client that reads headers also asks for no-responders statuses: a request nobody serves
 * (JetStream off) then fails at once instead of waiting for a timeout.
 */
function connectLine(headers: boolean): string {
  return (
    `CONNECT {"verbose":false,"pedantic":false,"protocol":1,"echo":false,"lang":"nats-ts-bench","version":"0.1.0",` +
    `"headers":${headers},"no_responders":${headers}}\r\n`
  );
}
const PING = Buffer.from('PING\r\n', 'latin1');
const PONG = Buffer.from('PONG\r\n', 'latin1');
/**
 * Each connection reads into one reused buffer (no allocation per read). 64 KiB measured
 * best here: 1 MiB reads cost the subscriber ~50% more system time at 1 KiB payloads
 * (the buffer no longer stays in cache) without raising the rate.
 */
const READ_BUFFER_BYTES = 64 * 1024;

/** What a role wants to hear about beyond counting; every hook is optional. */
export interface MessageHooks {
  onMessageHeader?(line: Buffer, start: number, end: number): void;
  onMessageEnd?(): void;
  /** Payload bytes of the current message (see FrameListener.onPayload); only roles that read payloads set it. */
  onPayload?(chunk: Buffer, start: number, end: number): void;
  /** A read has been fully parsed; `messages` is the running total (published once per read, not per message). */
  afterRead?(messages: number): void;
  /** The connection failed (server error, slow-consumer disconnect, reset) before `close()`. */
  onFailure?(error: Error): void;
}

export interface ConnectOptions {
  /** Receive HMSG with headers (and no-responders statuses); otherwise the server strips headers. */
  headers?: boolean;
  timeoutMs?: number;
}

interface PendingFlush {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One NATS client connection over a raw socket: CONNECT, then PING/PONG round trips to know
 * the server has processed everything written before. Incoming frames go through a FrameReader.
 */
export class RawClient implements FrameListener {
  readonly reader: FrameReader;
  /** Only defined when the hooks read payloads, so the reader skips them otherwise. */
  readonly onPayload: FrameListener['onPayload'];
  /** Outstanding PINGs, oldest first: the server answers PINGs in order. */
  private readonly pendingFlushes: PendingFlush[] = [];
  private failure: Error | undefined;

  private constructor(
    readonly socket: Socket,
    private readonly hooks: MessageHooks,
  ) {
    this.onPayload = hooks.onPayload?.bind(hooks);
    this.reader = new FrameReader(this);
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed by server')));
  }

  /** Connects, sends CONNECT and completes one PING/PONG so the server has accepted the client. */
  static async open(port: number, hooks: MessageHooks = {}, { headers = false, timeoutMs = 10_000 }: ConnectOptions = {}): Promise<RawClient> {
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const socket: Socket = connect({
      host: '127.0.0.1',
      port,
      noDelay: true,
      onread: { buffer: readBuffer, callback: (length: number, buffer: Uint8Array): boolean => client.received(buffer as Buffer, length) },
    });
    const client: RawClient = new RawClient(socket, hooks);
    socket.write(connectLine(headers), 'latin1');
    await client.flush(timeoutMs);
    return client;
  }

  /** Resolves once the server has answered a PING written after everything sent so far. */
  flush(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const timer = setTimeout(() => this.fail(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs);
      this.pendingFlushes.push({ resolve, reject, timer });
      this.socket.write(PING);
    });
  }

  /** Socket read callback; returning true keeps reading. */
  private received(buffer: Buffer, length: number): boolean {
    try {
      this.reader.push(buffer, length);
    } catch (error) {
      this.fail(error as Error);
      return true;
    }
    this.hooks.afterRead?.(this.reader.messages);
    return true;
  }

  close(): void {
    this.failure ??= new Error('closed');
    for (const flush of this.pendingFlushes.splice(0)) clearTimeout(flush.timer);
    this.socket.destroy();
  }

  onMessageHeader(line: Buffer, start: number, end: number): void {
    this.hooks.onMessageHeader?.(line, start, end);
  }

  onMessageEnd(): void {
    this.hooks.onMessageEnd?.();
  }

  onPing(): void {
    this.socket.write(PONG);
  }

  onPong(): void {
    const flush = this.pendingFlushes.shift();
    if (!flush) return;
    clearTimeout(flush.timer);
    flush.resolve();
  }

  onServerError(text: string): void {
    this.fail(new Error(`server error: ${text}`));
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const flush of this.pendingFlushes.splice(0)) {
      clearTimeout(flush.timer);
      flush.reject(error);
    }
    this.socket.destroy();
    this.hooks.onFailure?.(error);
  }
}
