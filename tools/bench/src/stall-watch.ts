import { performance } from 'node:perf_hooks';

const CHECK_INTERVAL_MS = 1_000;

/**
 * Calls `onStall` once when no progress was noted for `timeoutMs` while running: a server that
 * stops answering (or never stored the stream) ends the run with a reason instead of a hang.
 */
export class StallWatch {
  private lastProgressAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: (idleMs: number) => void,
  ) {}

  start(): void {
    this.stop();
    this.lastProgressAt = performance.now();
    this.timer = setInterval(() => {
      const idleMs = performance.now() - this.lastProgressAt;
      if (idleMs < this.timeoutMs) return;
      this.stop();
      this.onStall(idleMs);
    }, CHECK_INTERVAL_MS);
  }

  progress(): void {
    this.lastProgressAt = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
