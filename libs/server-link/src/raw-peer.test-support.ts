import { connect, type Socket } from 'node:net';

/**
 * The other end of a route, gateway or leaf connection, written by hand on a raw socket (as the
 * protocol notes' [fake] peers): sends exact bytes and keeps everything it receives as text.
 */
export class RawPeer {
  text = '';
  closed = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.text += chunk.toString('latin1')));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static dial(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Resolves with everything received once it contains `pattern`. */
  async waitFor(pattern: RegExp | string, timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = typeof pattern === 'string' ? this.text.includes(pattern) : pattern.test(this.text);
      if (found) return this.text;
      if (Date.now() > deadline) throw new Error(`peer did not receive ${String(pattern)}; got:\n${this.text}`);
      await sleep(10);
    }
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('peer connection still open');
      await sleep(10);
    }
  }

  /** Every INFO received so far, parsed. */
  infos(): Record<string, unknown>[] {
    return [...this.text.matchAll(/^INFO (\{.*\}) ?\r\n/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries `check` until it passes, or throws its last failure after `timeoutMs`. */
export async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(10);
    }
  }
}
