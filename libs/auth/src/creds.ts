import { natsKeys } from '@nats-ts/base';

/** A `.creds` file's parts: the user JWT and the seed of the user's nkey. */
export interface UserCreds {
  jwt: string;
  seed: string;
}

/**
 * Reads a creds file as nsc writes it: the JWT after a `-----BEGIN NATS USER JWT-----` line and
 * the seed after a `-----BEGIN USER NKEY SEED-----` line. Throws when either is missing.
 */
export function parseUserCreds(text: string): UserCreds {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const after = (marker: RegExp): string | undefined => {
    const at = lines.findIndex((line) => marker.test(line));
    return at < 0 ? undefined : lines.slice(at + 1).find((line) => line !== '');
  };
  const jwt = after(/^-{3,}BEGIN NATS USER JWT-{3,}$/);
  const seed = after(/^-{3,}BEGIN USER NKEY SEED-{3,}$/);
  if (jwt === undefined || jwt.startsWith('---')) throw new Error('no user JWT in the credentials');
  if (seed === undefined || !seed.startsWith('SU')) throw new Error('no user nkey seed in the credentials');
  return { jwt, seed };
}

/** The CONNECT `sig` of a nonce: its ed25519 signature by the seed's key, base64url. */
export function signNonce(seed: string, nonce: string): string {
  return Buffer.from(natsKeys().fromSeed(new TextEncoder().encode(seed)).sign(new TextEncoder().encode(nonce))).toString('base64url');
}
