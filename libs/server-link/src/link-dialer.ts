import { connect, type Socket } from 'node:net';

/**
 * What a role that dials its peers again and again (routes, gateways) keeps: the peers being
 * dialed, pending retry timers and sockets still connecting; `stop()` ends all of it.
 */
export abstract class LinkDialer {
  /** Keys of the peers being dialed now, so a second dial of one does not start. */
  protected readonly dialing = new Set<string>();
  protected stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.dialing.clear();
  }

  /** Runs `run` after `delayMs`, at once when it is 0; timers pending at stop() never fire. */
  protected later(delayMs: number, run: () => void): void {
    if (delayMs <= 0) return run();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    this.timers.add(timer);
  }

  /**
   * Connects to host:port within `timeoutMs` (an `i/o timeout` error past it). `connected` gets
   * the socket, unless the dialer stopped meanwhile (then it is destroyed); `failed` the error.
   */
  protected dialTcp(host: string, port: number, timeoutMs: number, connected: (socket: Socket) => void, failed: (err: Error) => void): void {
    const socket = connect({ host, port });
    this.sockets.add(socket);
    const timeout = setTimeout(() => socket.destroy(new Error('i/o timeout')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timeout);
      socket.removeAllListeners('error');
      this.sockets.delete(socket);
      if (this.stopped) socket.destroy();
      else connected(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timeout);
      this.sockets.delete(socket);
      socket.destroy();
      failed(err);
    });
  }
}
