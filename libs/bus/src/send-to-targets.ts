import { clearArray } from '@nats-ts/protocol';
import type { BusEndpoint } from './types.js';

/** A member a message goes to, with the queue groups it was chosen for (reused across messages). */
export interface BusTarget {
  readonly memberId: string;
  readonly queues: string[];
}

/**
 * Sends one message to each target, naming the queue groups each was chosen for, then empties
 * `targets` for the next message. `header` and `payload` are the message's two parts.
 */
export function sendToTargets(
  bus: BusEndpoint,
  targets: BusTarget[],
  account: string,
  subject: string,
  reply: string | undefined,
  header: Uint8Array | undefined,
  payload: Uint8Array,
  traceparent: string | undefined,
): void {
  const origin = bus.self.memberId;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    bus.send(target.memberId, {
      account,
      subject,
      reply,
      header,
      payload,
      originMemberId: origin,
      // The target's list is reused for the next message: the receiver gets its own copy.
      queues: target.queues.length > 0 ? target.queues.slice() : undefined,
      traceparent,
    });
  }
  clearArray(targets);
}
