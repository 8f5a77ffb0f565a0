import { randomBytes } from 'node:crypto';
import { natsKeys } from '@nats-ts/base';

/** nats-server's nonce: 11 random bytes, base64url without padding (15 characters). */
const NONCE_BYTES = 11;

/** A fresh challenge for INFO `nonce`, which an nkey user signs in CONNECT `sig`. */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url');
}

/**
 * Whether `signature` (base64url, or standard base64 as nats-server also takes) is the ed25519
 * signature of the nonce's text by the holder of `publicNkey`. A malformed key or signature is no proof.
 */
export function nkeySignatureValid(publicNkey: string, nonce: string, signature: string): boolean {
  try {
    return natsKeys().fromPublic(publicNkey).verify(Buffer.from(nonce), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
