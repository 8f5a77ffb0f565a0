import { connect, type Socket } from 'node:net';
import { splitBusUrl } from './membership.js';
import type { BusLink } from './tcp-link.js';

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2_000;

export interface DialEvents {
  /** The TCP connection is up; the bus wraps it in an outbound link and returns it. */
  dialed(target: DialTarget, socket: Socket): BusLink;
  dialFailed(target: DialTarget, reason: string): void;
  /** Whether to skip this attempt for now (the peer behind the URL is already linked another way). */
  redundant(target: DialTarget): boolean;
}

/**
 * A bus URL we keep an outbound link to: dials it, and redials with backoff (50 ms doubling to
 * 2 s) whenever the connection fails or closes, for as long as the URL is wanted.
 */
export class DialTarget {
  readonly host: string;
  readonly port: number;
  link: BusLink | undefined;
  /** The peer that answered last time, once known. */
  peerId: string | undefined;
  /** The URL turned out to be our own listener. */
  self = false;
  /** Still listed by the membership or advertised by a linked peer. */
  wanted = true;
  /** The first attempt has ended (answered or failed); start() waits for this. */
  settled = false;
  /** Failures since the last success, for backoff and for logging only the first. */
  failures = 0;
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly url: string,
    private readonly events: DialEvents,
  ) {
    ({ host: this.host, port: this.port } = splitBusUrl(url));
  }

  dial(): void {
    this.timer = undefined;
    if (!this.wanted || this.self || this.link !== undefined || this.socket !== undefined) return;
    if (this.events.redundant(this)) {
      this.retryLater(MAX_RETRY_MS);
      return;
    }
    const socket = connect({ host: this.host, port: this.port });
    this.socket = socket;
    const failed = (err: Error): void => {
      this.socket = undefined;
      socket.destroy();
      this.settled = true;
      this.failures++;
      this.events.dialFailed(this, err.message);
      this.retry();
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      socket.off('error', failed);
      this.socket = undefined;
      this.link = this.events.dialed(this, socket);
    });
  }

  /** The link closed or the attempt failed: try again after the backoff, if still wanted. */
  retry(): void {
    this.retryLater(Math.min(FIRST_RETRY_MS * 2 ** this.failures, MAX_RETRY_MS));
  }

  stop(): void {
    this.wanted = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private retryLater(ms: number): void {
    if (!this.wanted || this.self || this.timer !== undefined) return;
    this.timer = setTimeout(() => this.dial(), ms);
    this.timer.unref();
  }
}
