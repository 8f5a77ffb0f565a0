import type { Server } from 'node:net';
import { ClosedState } from './closed-state.js';

/**
 * A role's shutdown: stops accepting and closes every link with Server Shutdown, resolving once
 * the listener has closed (a listener's close completes only after its connections are gone).
 */
export async function closeListenerAndLinks(listener: Server | undefined, links: Iterable<{ close(reason: ClosedState): void }>): Promise<void> {
  const closed = listener ? new Promise<void>((resolve) => listener.close(() => resolve())) : Promise.resolve();
  for (const link of [...links]) link.close(ClosedState.ServerShutdown);
  await closed;
}
