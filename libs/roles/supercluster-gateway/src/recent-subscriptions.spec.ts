import { afterEach, describe, expect, it, vi } from 'vitest';
import { GATEWAY_REPLY_WINDOW_MS } from '@nats-ts/protocol';
import { RecentSubscriptions } from './recent-subscriptions.js';

describe('RecentSubscriptions', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('matches replies against the subscriptions of the last window, per account', () => {
    vi.useFakeTimers();
    const recent = new RecentSubscriptions();
    recent.add('$G', '_INBOX.abc.*', undefined, Date.now());
    expect(recent.matches('$G', '_INBOX.abc.1')).toBe(true);
    expect(recent.matches('$G', '_INBOX.xyz.1')).toBe(false);
    expect(recent.matches('OTHER', '_INBOX.abc.1')).toBe(false);
    vi.advanceTimersByTime(GATEWAY_REPLY_WINDOW_MS - 1);
    recent.add('$G', 'later', undefined, Date.now());
    expect(recent.matches('$G', '_INBOX.abc.1')).toBe(true);
    vi.advanceTimersByTime(1);
    expect(recent.matches('$G', '_INBOX.abc.1')).toBe(false);
    expect(recent.matches('$G', 'later')).toBe(true);
    vi.advanceTimersByTime(GATEWAY_REPLY_WINDOW_MS);
    expect(recent.matches('$G', 'later')).toBe(false);
    recent.stop();
  });

  it('ignores subjects that cannot be subscribed', () => {
    const recent = new RecentSubscriptions();
    recent.add('$G', 'bad..subject', undefined, Date.now());
    expect(recent.matches('$G', 'bad..subject')).toBe(false);
    recent.stop();
  });
});
