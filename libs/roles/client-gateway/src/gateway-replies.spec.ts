import { describe, expect, it } from 'vitest';
import { GATEWAY_REPLY_WINDOW_MS } from '@nats-ts/protocol';
import { GatewayReplies } from './gateway-replies.js';

describe('GatewayReplies', () => {
  const routed = '_GR_.NUmM6c.mqWJpI._INBOX.r1';

  it('gives the client the plain reply and maps its answer back within the window', () => {
    const replies = new GatewayReplies();
    expect(replies.track(routed, 1000)).toBe('_INBOX.r1');
    expect(replies.resolve('_INBOX.r1', 1000 + GATEWAY_REPLY_WINDOW_MS - 1)).toBe(routed);
    expect(replies.resolve('other.subject', 1001)).toBe('other.subject');
  });

  it('forgets replies once the window is over', () => {
    const replies = new GatewayReplies();
    replies.track(routed, 1000);
    expect(replies.resolve('_INBOX.r1', 1000 + GATEWAY_REPLY_WINDOW_MS)).toBe('_INBOX.r1');
    expect(replies.size).toBe(0);
  });

  it('sweeps expired replies as new ones arrive, so the map stays as small as the recent requests', () => {
    const replies = new GatewayReplies();
    for (let i = 0; i < 100; i++) replies.track(`_GR_.NUmM6c.mqWJpI._INBOX.a${i}`, 1000);
    replies.track('_GR_.NUmM6c.mqWJpI._INBOX.late', 1000 + GATEWAY_REPLY_WINDOW_MS);
    expect(replies.size).toBe(1);
  });
});
