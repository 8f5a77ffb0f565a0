/** A link's message and byte counters. */
export interface LinkCounters {
  readonly inMsgs: number;
  readonly outMsgs: number;
  readonly inBytes: number;
  readonly outBytes: number;
}

/**
 * A role's traffic over its links for /varz: what closed links carried, kept when they go, plus
 * what the open ones carry, so the totals only grow (nats-server's server-wide counters).
 */
export class LinkTraffic {
  private inMsgs = 0;
  private outMsgs = 0;
  private inBytes = 0;
  private outBytes = 0;

  /** A link closed: its counts stay in the totals. */
  closed(link: LinkCounters): void {
    this.inMsgs += link.inMsgs;
    this.outMsgs += link.outMsgs;
    this.inBytes += link.inBytes;
    this.outBytes += link.outBytes;
  }

  /** /varz's counters: the closed links' and `open` links' together. */
  varz(open: Iterable<LinkCounters>): { in_msgs: number; out_msgs: number; in_bytes: number; out_bytes: number } {
    const t = { in_msgs: this.inMsgs, out_msgs: this.outMsgs, in_bytes: this.inBytes, out_bytes: this.outBytes };
    for (const link of open) {
      t.in_msgs += link.inMsgs;
      t.out_msgs += link.outMsgs;
      t.in_bytes += link.inBytes;
      t.out_bytes += link.outBytes;
    }
    return t;
  }
}
