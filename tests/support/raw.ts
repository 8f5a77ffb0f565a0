// Raw-socket NATS client for protocol-level tests: sends exact bytes and inspects exact answers.
import { connect, type Socket } from 'node:net';

export type LineMatcher = RegExp | string | ((line: string) => boolean);

const defaultWaitMs = 3_000;

function toPredicate(match: LineMatcher): (line: string) => boolean {
  if (typeof match === 'function') return match;
  if (typeof match === 'string') return (line) => line === match;
  return (line) => match.test(line);
}

export interface RawConnectOptions {
  host?: string;
  timeoutMs?: number;
  /** Skip waiting for the INFO line (for servers that answer with something else first). */
  skipInfo?: boolean;
  /**
   * Answer the server's PINGs with PONG and leave them out of `lines()` (default true), so idle
   * connections survive and assertions do not depend on when the server pings.
   */
  answerPings?: boolean;
}

export class RawClient {
  /** The server's INFO, parsed (empty when `skipInfo`). */
  info: Record<string, any> = {};
  private buffered: Buffer = Buffer.alloc(0);
  private readonly all: Buffer[] = [];
  private readonly received: string[] = [];
  private cursor = 0;
  private isClosed = false;
  private readonly waiters = new Set<() => void>();
  /** Bytes of MSG/HMSG payload still expected (-1: reading control lines). */
  private payloadRemaining = -1;
  /** Server PINGs answered automatically. */
  serverPings = 0;

  private constructor(
    readonly socket: Socket,
    private readonly answerPings: boolean,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.all.push(chunk);
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.consumeBuffered();
      this.notify();
    });
    socket.on('close', () => {
      this.isClosed = true;
      this.notify();
    });
    // Resets by the server are an expected outcome here; 'close' follows and records it.
    socket.on('error', () => undefined);
  }

  /** Opens a TCP connection to `port` and waits for the server's INFO line. */
  static async connect(port: number, options: RawConnectOptions = {}): Promise<RawClient> {
    const timeoutMs = options.timeoutMs ?? defaultWaitMs;
    const socket = connect({ host: options.host ?? '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to port ${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const client = new RawClient(socket, options.answerPings ?? true);
    if (!options.skipInfo) {
      const infoLine = await client.waitForLine(/^INFO /, timeoutMs);
      client.info = JSON.parse(infoLine.slice('INFO '.length)) as Record<string, any>;
    }
    return client;
  }

  /** Wraps a connection the server under test opened to a hand-written peer (a gateway it dialed). */
  static accepted(socket: Socket, options: Pick<RawConnectOptions, 'answerPings'> = {}): RawClient {
    return new RawClient(socket, options.answerPings ?? true);
  }

  /** Connects and completes CONNECT/PING/PONG so the server has registered the client. */
  static async connected(
    port: number,
    connectFields: Record<string, unknown> = {},
    options: RawConnectOptions = {},
  ): Promise<RawClient> {
    const client = await RawClient.connect(port, options);
    client.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...connectFields })}\r\nPING\r\n`);
    await client.waitForLine('PONG');
    return client;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Writes bytes as given; writes after close are dropped. */
  send(data: string | Uint8Array): void {
    if (this.isClosed || this.socket.destroyed) return;
    this.socket.write(data);
  }

  /**
   * Every complete line received so far (INFO included), without the CRLF. A (R/H)MSG payload is
   * framed by its declared size and then split at CRLFs, so it appears as one or more lines.
   */
  lines(): string[] {
    return [...this.received];
  }

  /** Every byte received so far. */
  bytes(): Buffer {
    return Buffer.concat(this.all);
  }

  /** Lines received after the last line a wait consumed. */
  pendingLines(): string[] {
    return this.received.slice(this.cursor);
  }

  /**
   * Resolves with the first not-yet-consumed line that matches (a string matches exactly) and consumes
   * every line up to it. Rejects on timeout or when the connection closes first.
   */
  waitForLine(match: LineMatcher, timeoutMs = defaultWaitMs): Promise<string> {
    const predicate = toPredicate(match);
    return this.waitUntil(() => {
      for (let i = this.cursor; i < this.received.length; i++) {
        if (predicate(this.received[i]!)) {
          this.cursor = i + 1;
          return this.received[i]!;
        }
      }
      return undefined;
    }, `a line matching ${String(match)}`, timeoutMs);
  }

  /** Resolves with the next unconsumed line. */
  nextLine(timeoutMs = defaultWaitMs): Promise<string> {
    return this.waitForLine(() => true, timeoutMs);
  }

  /** Sends `data` then PING; resolves with the lines that arrived before the PONG (the PONG is consumed). */
  async roundTrip(data: string | Uint8Array = '', timeoutMs = defaultWaitMs): Promise<string[]> {
    const start = this.cursor;
    if (data.length > 0) this.send(data);
    this.send('PING\r\n');
    await this.waitForLine('PONG', timeoutMs);
    return this.received.slice(start, this.cursor - 1);
  }

  /** Resolves true once the server has closed the connection, false if still open after `timeoutMs`. */
  waitClosed(timeoutMs = defaultWaitMs): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.isClosed) return;
        finish();
        resolve(true);
      };
      const timer = setTimeout(() => {
        finish();
        resolve(false);
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Stops reading from the socket, so the server's writes back up (slow consumer tests). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }

  private waitUntil<T>(attempt: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const first = attempt();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const result = attempt();
        if (result !== undefined) {
          finish();
          resolve(result);
        } else if (this.isClosed) {
          finish();
          reject(new Error(`connection closed while waiting for ${what}; received: ${JSON.stringify(this.received)}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}; received: ${JSON.stringify(this.received)}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  private consumeBuffered(): void {
    for (;;) {
      if (this.payloadRemaining >= 0) {
        if (this.buffered.length < this.payloadRemaining + 2) return;
        const payload = this.buffered.subarray(0, this.payloadRemaining).toString('utf8');
        this.received.push(...payload.split('\r\n'));
        this.buffered = this.buffered.subarray(this.payloadRemaining + 2);
        this.payloadRemaining = -1;
        continue;
      }
      const end = this.buffered.indexOf('\r\n');
      if (end < 0) return;
      const line = this.buffered.subarray(0, end).toString('utf8');
      this.buffered = this.buffered.subarray(end + 2);
      if (line === 'PING' && this.answerPings) {
        this.serverPings++;
        this.send('PONG\r\n');
        continue;
      }
      this.received.push(line);
      // MSG/HMSG to clients, RMSG/HMSG between servers: the last argument is the size to read.
      const message = /^[HR]?MSG \S.* (\d+)$/.exec(line);
      if (message) this.payloadRemaining = Number(message[1]);
    }
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
