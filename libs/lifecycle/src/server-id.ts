import { randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A 56-character id starting with N, shaped like nats-server's server public nkey. */
export function generateServerId(): string {
  const bytes = randomBytes(55);
  let id = 'N';
  for (const b of bytes) id += BASE32[b & 31];
  return id;
}
