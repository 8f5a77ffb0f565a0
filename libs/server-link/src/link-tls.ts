import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';

/** A link's `tls {}` block (the config's TlsConfig has this shape). */
export interface LinkTlsConfig {
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
  /** The dialing side skips verifying the server's certificate. */
  readonly insecure: boolean;
  /** Handshake deadline in ms. */
  readonly timeoutMs: number;
}

/** Which link a TLS error is about, in nats-server's log words (`TLS route handshake error`). */
export type LinkTlsKind = 'route' | 'gateway' | 'leafnode';

/** The PEM contents a tls block names, for node's TLS options. */
export function tlsFiles(config: LinkTlsConfig): { cert?: Buffer; key?: Buffer; ca?: Buffer } {
  return {
    ...(config.certFile ? { cert: readFileSync(config.certFile) } : {}),
    ...(config.keyFile ? { key: readFileSync(config.keyFile) } : {}),
    ...(config.caFile ? { ca: readFileSync(config.caFile) } : {}),
  };
}

/**
 * TLS between servers of a cluster or super-cluster, as nats-server 2.9 does it for routes and
 * gateways: from the first byte after TCP connect, verified both ways. The accepting side requires
 * the peer's certificate signed by the configured CA (nats-server forces this for these links,
 * whatever `verify` says); the dialing side checks the server's, unless `insecure`.
 */
export class MutualLinkTls {
  private readonly context: SecureContext;

  constructor(
    private readonly config: LinkTlsConfig,
    readonly kind: LinkTlsKind,
  ) {
    this.context = createSecureContext(tlsFiles(config));
  }

  get timeoutMs(): number {
    return this.config.timeoutMs;
  }

  /** The server side of an accepted connection. */
  accept(socket: Socket): TLSSocket {
    return new TLSSocket(socket, { isServer: true, secureContext: this.context, requestCert: true, rejectUnauthorized: true });
  }

  /** The client side of a connection we dialed to `host` (a name is also sent as SNI and checked). */
  dial(socket: Socket, host: string): TLSSocket {
    return tlsConnect({
      socket,
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      secureContext: this.context,
      rejectUnauthorized: !this.config.insecure,
    });
  }

  /**
   * Starts TLS on an accepted (`dialedHost` undefined) or dialed socket; a handshake that fails
   * or times out is reported to `failed` and the socket closes.
   */
  secure(socket: Socket, dialedHost: string | undefined, failed: (reason: string) => void): TLSSocket {
    const secure = dialedHost === undefined ? this.accept(socket) : this.dial(socket, dialedHost);
    watchHandshake(secure, this.config.timeoutMs, this.kind, failed);
    return secure;
  }
}

/**
 * Reports a TLS handshake that fails or does not complete within `timeoutMs` (the socket is
 * destroyed on timeout); errors after the handshake are the connection's own business.
 */
export function watchHandshake(socket: TLSSocket, timeoutMs: number, kind: LinkTlsKind, failed: (reason: string) => void): void {
  let done = false;
  const finish = (): void => {
    done = true;
    clearTimeout(timer);
  };
  const timer = setTimeout(() => {
    if (done) return;
    finish();
    failed(`TLS ${kind} handshake timeout`);
    socket.destroy();
  }, timeoutMs);
  socket.once('secureConnect', finish);
  socket.once('secure', finish);
  socket.once('close', finish);
  socket.on('error', (err) => {
    if (done) return;
    finish();
    failed(`TLS ${kind} handshake error: ${err.message}`);
  });
}
