import { performance } from 'node:perf_hooks';
import type { RawClient } from './raw-client.js';

/** Bytes of PUB frames pre-encoded into one write; large enough that a write is never the bottleneck. */
const BATCH_TARGET_BYTES = 256 * 1024;

export interface PublishResult {
  /** Messages written before the deadline; all of them were accepted once the final PONG arrived. */
  messages: number;
  /** From the first write to the PONG that follows the last one. */
  elapsedMs: number;
}

/** `PUB <subject> [<reply>] <size>\r\n<payload>\r\n`, the payload `x` repeated. */
export function encodePublishFrame(subject: string, payloadSize: number, replyTo?: string): Buffer {
  const line = replyTo === undefined ? `PUB ${subject} ${payloadSize}\r\n` : `PUB ${subject} ${replyTo} ${payloadSize}\r\n`;
  return Buffer.concat([Buffer.from(line, 'latin1'), Buffer.alloc(payloadSize, 0x78), Buffer.from('\r\n', 'latin1')]);
}

/** One publish frame repeated to fill one batch buffer. */
export function encodePublishBatch(subject: string, payloadSize: number, replyTo?: string): { batch: Buffer; messagesPerBatch: number } {
  const frame = encodePublishFrame(subject, payloadSize, replyTo);
  const messagesPerBatch = Math.max(1, Math.floor(BATCH_TARGET_BYTES / frame.length));
  const batch = Buffer.allocUnsafe(frame.length * messagesPerBatch);
  for (let offset = 0; offset < batch.length; offset += frame.length) frame.copy(batch, offset);
  return { batch, messagesPerBatch };
}

/**
 * Writes the same pre-encoded batch each time the socket drains until `durationMs` has
 * passed, then measures acceptance with a PING/PONG round trip.
 */
export async function publishFor(
  client: RawClient,
  subject: string,
  payloadSize: number,
  durationMs: number,
  flushTimeoutMs: number,
): Promise<PublishResult> {
  const { batch, messagesPerBatch } = encodePublishBatch(subject, payloadSize);
  const socket = client.socket;
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  let messages = 0;

  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadlineTimer);
      socket.off('drain', pump);
      resolve();
    };
    // A server that stops reading never drains the socket; the timer still ends the window.
    const deadlineTimer = setTimeout(finish, durationMs + 1);
    function pump(): void {
      while (!finished) {
        if (performance.now() >= deadline) {
          finish();
          return;
        }
        messages += messagesPerBatch;
        if (!socket.write(batch)) return;
      }
    }
    socket.on('drain', pump);
    pump();
  });

  await client.flush(flushTimeoutMs);
  return { messages, elapsedMs: performance.now() - startedAt };
}
