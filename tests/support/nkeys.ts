// CONNECT fields of an nkey user, for raw-protocol tests.
import type { KeyPair } from '@nats-io/nkeys';

/** `nkey` claims `claimed`'s public key; `sig` is `signer`'s signature of the INFO nonce, base64url as clients send it. */
export function nkeyConnectFields(nonce: string, claimed: KeyPair, signer: KeyPair = claimed): { nkey: string; sig: string } {
  return { nkey: claimed.getPublicKey(), sig: Buffer.from(signer.sign(Buffer.from(nonce))).toString('base64url') };
}
