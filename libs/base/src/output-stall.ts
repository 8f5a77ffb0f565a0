/** Longest a producer waits for stalled outputs before it reads again (nats-server's stallClientMaxDuration). */
export const STALL_MAX_WAIT_MS = 1000;
/** Shortest such wait (stallClientMinDuration). */
export const STALL_MIN_WAIT_MS = 100;

/**
 * nats-server's stallDuration: 100 ms, plus 100 ms per tenth of half max_pending that the
 * output holds beyond half of it, at most a second (a second once it reaches max_pending).
 */
export function stallWaitMs(pending: number, maxPending: number): number {
  if (pending >= maxPending) return STALL_MAX_WAIT_MS;
  const half = maxPending / 2;
  if (pending <= half) return STALL_MIN_WAIT_MS;
  const steps = Math.floor((pending - half) / (half / 10));
  return Math.min(STALL_MAX_WAIT_MS, STALL_MIN_WAIT_MS * (1 + steps));
}

/**
 * nats-server's fast-producer stall. An output (a client, a server link, a bus link) whose unsent
 * bytes pass half its max_pending is stalled until it has written them; a producer (a client
 * connection) whose messages went to a stalled output during a read stops reading after it, for
 * stallWaitMs (100 ms to 1 s) or until no output is stalled. A publisher then cannot pile up more
 * than the slowest output it feeds takes, instead of pushing it over max_pending (which closes
 * it); publishers feeding other outputs go on. One per process: the node's roles share it as they
 * share the event loop, so a read's deliveries all happen between producing() and mustWait.
 */
export class OutputStall {
  private stalledOutputs = 0;
  /** A stalled output took a message since the current producer's read began. */
  private fed = false;
  private waiting: (() => void)[] = [];
  /** How long producers wait, from the output that stalled or grew last. */
  private waitMs = STALL_MIN_WAIT_MS;

  /** Whether some output is stalled. */
  get active(): boolean {
    return this.stalledOutputs > 0;
  }

  /** A producer starts handling a read: what it delivers from now on counts as its own. */
  producing(): void {
    this.fed = false;
  }

  /** A stalled output took a message: the producer that sent it must wait. */
  feeding(): void {
    this.fed = true;
  }

  /** Whether the producer whose read just ended fed a stalled output (and one still is). */
  get mustWait(): boolean {
    return this.fed && this.stalledOutputs > 0;
  }

  /** An output's unsent bytes changed; returns whether it is stalled now (pass 0 when it closes). */
  update(wasStalled: boolean, pending: number, maxPending: number): boolean {
    const stalled = pending > maxPending / 2;
    if (stalled) this.waitMs = stallWaitMs(pending, maxPending);
    if (stalled === wasStalled) return stalled;
    if (stalled) this.stalledOutputs++;
    // Woken after the caller has recorded that its output is no longer stalled: a producer woken
    // inside this call would feed that output and see it still marked stalled.
    else if (--this.stalledOutputs === 0) queueMicrotask(this.wakeAll);
    return stalled;
  }

  /** Calls `resume` once no output is stalled, or after stallWaitMs of the latest stalled output, whichever comes first. */
  wait(resume: () => void): void {
    let resumed = false;
    const once = (): void => {
      if (resumed) return;
      resumed = true;
      clearTimeout(timer);
      resume();
    };
    const timer = setTimeout(once, this.waitMs);
    this.waiting.push(once);
  }

  private readonly wakeAll = (): void => {
    // Stalled again before the wake: the producers wait for that stall's end (or their timers).
    if (this.stalledOutputs > 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resume of waiting) resume();
  };
}

/** The process's output stall. */
export const outputStall = new OutputStall();
