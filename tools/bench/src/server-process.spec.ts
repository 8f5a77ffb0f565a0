import { describe, expect, it } from 'vitest';
import { startRetryingPortRace } from './server-process.js';

describe('startRetryingPortRace', () => {
  it('starts again when a port was taken meanwhile, up to three times', async () => {
    let calls = 0;
    const started = await startRetryingPortRace(async () => {
      if (++calls < 3) throw new Error('failed to start: listen tcp 127.0.0.1:41393: bind: address already in use');
      return 'server';
    });
    expect(started).toBe('server');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      startRetryingPortRace(async () => {
        calls++;
        throw new Error('listen EADDRINUSE: address already in use 127.0.0.1:4222');
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    expect(calls).toBe(3);
  });

  it('gives up at once on any other failure', async () => {
    let calls = 0;
    await expect(
      startRetryingPortRace(async () => {
        calls++;
        throw new Error('failed to start: exited with code 1: bad config');
      }),
    ).rejects.toThrow(/bad config/);
    expect(calls).toBe(1);
  });
});
