import { clearArray } from '@nats-ts/base';
import { GATEWAY_REPLY_WINDOW_MS } from '@nats-ts/protocol';
import { Sublist } from '@nats-ts/routing';

class RecentSubscription {
  constructor(
    readonly account: string,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly expiresAt: number,
  ) {}
}

/**
 * Subscriptions the cluster made in the last moments (nats-server's recent subscriptions): a
 * request whose reply matches one is sent with the reply mapped (`_GR_.`), because the other
 * cluster may not have heard of that interest yet; the answer then comes straight back to this
 * server. Older interest is known over there, and the answer follows it.
 */
export class RecentSubscriptions {
  private readonly accounts = new Map<string, Sublist<RecentSubscription>>();
  /** In the order they were made, which is the order they expire. */
  private readonly pending: RecentSubscription[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  add(account: string, subject: string, queue: string | undefined, now: number): void {
    let sublist = this.accounts.get(account);
    if (sublist === undefined) {
      sublist = new Sublist();
      this.accounts.set(account, sublist);
    }
    const sub = new RecentSubscription(account, subject, queue, now + GATEWAY_REPLY_WINDOW_MS);
    try {
      sublist.insert(sub);
    } catch {
      return; // an invalid subject matches no reply
    }
    this.pending.push(sub);
    if (this.timer === undefined) this.scheduleExpiry(now);
  }

  /** Whether a reply subject matches a recent subscription of the account. */
  matches(account: string, reply: string): boolean {
    const sublist = this.accounts.get(account);
    if (sublist === undefined) return false;
    const result = sublist.match(reply);
    return result.plain.length > 0 || result.queues.length > 0;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleExpiry(now: number): void {
    const next = this.pending[this.head];
    if (next === undefined) return;
    this.timer = setTimeout(() => this.expire(Date.now()), Math.max(0, next.expiresAt - now));
    this.timer.unref();
  }

  private expire(now: number): void {
    this.timer = undefined;
    while (this.head < this.pending.length && this.pending[this.head]!.expiresAt <= now) {
      const sub = this.pending[this.head++]!;
      const sublist = this.accounts.get(sub.account);
      if (sublist === undefined) continue;
      sublist.remove(sub);
      if (sublist.count === 0) this.accounts.delete(sub.account);
    }
    if (this.head === this.pending.length) {
      clearArray(this.pending);
      this.head = 0;
    } else if (this.head > 1024) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    this.scheduleExpiry(now);
  }
}
