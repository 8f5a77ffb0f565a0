/** How one member's contribution to (account, subject, queue) moved. */
export interface InterestDelta {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  readonly delta: number;
}

/** The members' interest in (account, subject, queue) summed: members with plain interest, or a queue group's members. */
export interface InterestTotal {
  readonly account: string;
  readonly subject: string;
  readonly queue: string | undefined;
  weight: number;
}

/** Sums of the node's members' contributions per (account, subject, queue): what a peer server hears. */
export class InterestTotals {
  private readonly totals = new Map<string, InterestTotal>();

  /** Applies a delta; returns the weight before it and the total after (weight 0: gone). */
  adjust(change: InterestDelta): { before: number; total: InterestTotal } {
    const { account, subject, queue } = change;
    const key = queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
    let total = this.totals.get(key);
    if (total === undefined) {
      total = { account, subject, queue, weight: 0 };
      this.totals.set(key, total);
    }
    const before = total.weight;
    total.weight = Math.max(0, before + change.delta);
    if (total.weight === 0) this.totals.delete(key);
    return { before, total: { ...total } };
  }

  all(): Iterable<InterestTotal> {
    return this.totals.values();
  }

  *ofAccount(account: string): Iterable<InterestTotal> {
    for (const total of this.totals.values()) if (total.account === account) yield total;
  }

  accounts(): Set<string> {
    const names = new Set<string>();
    for (const total of this.totals.values()) names.add(total.account);
    return names;
  }
}
