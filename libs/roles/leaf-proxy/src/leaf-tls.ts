import type { Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import type { TlsConfig } from '@nats-ts/config';
import { tlsFiles } from '@nats-ts/server-link';

/**
 * `leafnodes { tls {...} }` on the hub side: TLS starts after our plaintext INFO, as nats-server
 * 2.9 does; with `verify` the leaf must present a certificate signed by the configured CA.
 */
export class LeafTls {
  private readonly context: SecureContext;

  constructor(private readonly config: TlsConfig) {
    this.context = createSecureContext(tlsFiles(config));
  }

  get verify(): boolean {
    return this.config.verify;
  }

  get timeoutMs(): number {
    return this.config.timeoutMs;
  }

  accept(socket: Socket): TLSSocket {
    return new TLSSocket(socket, { isServer: true, secureContext: this.context, requestCert: this.config.verify, rejectUnauthorized: this.config.verify });
  }
}
