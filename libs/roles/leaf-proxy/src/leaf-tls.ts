import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsConfig } from '@nats-ts/config';
import { TlsAcceptor, tlsFiles } from '@nats-ts/server-link/tls';

/**
 * `leafnodes { tls {...} }` on the hub side: TLS starts after our plaintext INFO, as nats-server
 * 2.9 does; with `verify` the leaf must present a certificate signed by the configured CA.
 */
export class LeafTls {
  private readonly acceptor: TlsAcceptor;

  constructor(private readonly config: TlsConfig) {
    this.acceptor = new TlsAcceptor({ files: tlsFiles(config), requestCert: config.verify, timeoutMs: config.timeoutMs, kind: 'leafnode' });
  }

  get verify(): boolean {
    return this.config.verify;
  }

  /** `ready` gets the stream once the handshake is done; otherwise `failed` hears why. */
  accept(socket: Socket, ready: (secured: TLSSocket) => void, failed: (reason: string) => void): void {
    this.acceptor.accept(socket, ready, failed);
  }
}
