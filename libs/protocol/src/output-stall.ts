/** Longest a producer waits for stalled outputs before it reads again (nats-server's stallClientMaxDuration). */
export const STALL_MAX_WAIT_MS = 1000;

/**
 * nats-server's fast-producer stall. An output (a client or a server link) whose unsent bytes
 * pass half its max_pending is stalled until it has written them; while any output is stalled,
 * client connections stop reading after each read, for at most a second at a time. A publisher
 * then cannot pile up more than the slowest output takes, instead of pushing it over max_pending
 * (which closes it). One per process: the node's roles share it as they share the event loop.
 */
export class OutputStall {
  private stalledOutputs = 0;
  private waiting: (() => void)[] = [];

  /** Whether producers should pause now. */
  get active(): boolean {
    return this.stalledOutputs > 0;
  }

  /** An output's unsent bytes changed; returns whether it is stalled now (pass 0 when it closes). */
  update(wasStalled: boolean, pending: number, maxPending: number): boolean {
    const stalled = pending > maxPending / 2;
    if (stalled === wasStalled) return stalled;
    if (stalled) this.stalledOutputs++;
    else if (--this.stalledOutputs === 0) this.wakeAll();
    return stalled;
  }

  /** Calls `resume` once no output is stalled, or after STALL_MAX_WAIT_MS, whichever comes first. */
  wait(resume: () => void): void {
    let resumed = false;
    const once = (): void => {
      if (resumed) return;
      resumed = true;
      clearTimeout(timer);
      resume();
    };
    const timer = setTimeout(once, STALL_MAX_WAIT_MS);
    this.waiting.push(once);
  }

  private wakeAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resume of waiting) resume();
  }
}

/** The process's output stall. */
export const outputStall = new OutputStall();
