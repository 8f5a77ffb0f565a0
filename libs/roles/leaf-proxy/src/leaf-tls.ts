import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsConfig } from '@nats-ts/config';
import { acceptTls, tlsFiles } from '@nats-ts/server-link';

/**
 * `leafnodes { tls {...} }` on the hub side: TLS starts after our plaintext INFO, as nats-server
 * 2.9 does; with `verify` the leaf must present a certificate signed by the configured CA.
 */
export class LeafTls {
  private readonly files: { cert?: Buffer; key?: Buffer; ca?: Buffer };

  constructor(private readonly config: TlsConfig) {
    this.files = tlsFiles(config);
  }

  get verify(): boolean {
    return this.config.verify;
  }

  /** `ready` gets the stream once the handshake is done; otherwise `failed` hears why. */
  accept(socket: Socket, ready: (secured: TLSSocket) => void, failed: (reason: string) => void): void {
    acceptTls(socket, { files: this.files, requestCert: this.config.verify, timeoutMs: this.config.timeoutMs, kind: 'leafnode' }, ready, failed);
  }
}
