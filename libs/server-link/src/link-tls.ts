import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, createServer as createTlsServer, type SecureContext, type TLSSocket } from 'node:tls';

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
  private readonly files: { cert?: Buffer; key?: Buffer; ca?: Buffer };
  private readonly context: SecureContext;

  constructor(
    private readonly config: LinkTlsConfig,
    readonly kind: LinkTlsKind,
  ) {
    this.files = tlsFiles(config);
    this.context = createSecureContext(this.files);
  }

  get timeoutMs(): number {
    return this.config.timeoutMs;
  }

  /**
   * The server side of an accepted connection: `ready` gets the stream once the peer's
   * certificate is verified; otherwise `failed` hears why and the socket is closed.
   */
  accept(socket: Socket, ready: (secured: TLSSocket) => void, failed: (reason: string) => void): void {
    acceptTls(socket, { files: this.files, requestCert: true, timeoutMs: this.config.timeoutMs, kind: this.kind }, ready, failed);
  }

  /**
   * The client side of a connection we dialed to `host` (a name is also sent as SNI and
   * checked); a handshake that fails or does not finish in time goes to `failed`.
   */
  dial(socket: Socket, host: string, failed: (reason: string) => void): TLSSocket {
    const secured = tlsConnect({
      socket,
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      secureContext: this.context,
      rejectUnauthorized: !this.config.insecure,
    });
    watchHandshake(secured, this.config.timeoutMs, this.kind, failed);
    return secured;
  }
}

/** How an accepting server runs its TLS handshake. */
export interface AcceptTlsOptions {
  readonly files: { cert?: Buffer; key?: Buffer; ca?: Buffer };
  /** Require the peer's certificate, signed by the CA in `files`. */
  readonly requestCert: boolean;
  readonly timeoutMs: number;
  readonly kind: LinkTlsKind;
}

/**
 * The server side of a TLS handshake on an accepted socket: `ready` gets the stream once done
 * (the peer's certificate verified when required); otherwise `failed` hears why and the socket
 * is closed.
 */
export function acceptTls(socket: Socket, options: AcceptTlsOptions, ready: (secured: TLSSocket) => void, failed: (reason: string) => void): void {
  // Through a (never listening) TLS server: a bare server-side TLSSocket requests the client's
  // certificate but accepts one from any CA; only tls.Server's handshake rejects it.
  const server = createTlsServer({
    ...options.files,
    requestCert: options.requestCert,
    rejectUnauthorized: options.requestCert,
    handshakeTimeout: options.timeoutMs,
  });
  server.once('secureConnection', ready);
  server.once('tlsClientError', (err: NodeJS.ErrnoException, secured: TLSSocket) => {
    if (secured.authorizationError) failed(`TLS ${options.kind} handshake error: peer certificate not trusted (${String(secured.authorizationError)})`);
    else if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') failed(`TLS ${options.kind} handshake timeout`);
    // Typically a peer that did not trust our certificate.
    else if (err.code === 'ECONNRESET') failed(`TLS ${options.kind} handshake error: connection closed by the peer`);
    else failed(`TLS ${options.kind} handshake error: ${err.message.trim()}`);
  });
  server.emit('connection', socket);
}

/**
 * Reports a client-side TLS handshake that fails (the server's certificate not trusted included)
 * or does not complete within `timeoutMs` (the socket is then destroyed); errors after the
 * handshake are the connection's own business.
 */
function watchHandshake(socket: TLSSocket, timeoutMs: number, kind: LinkTlsKind, failed: (reason: string) => void): void {
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
  // Not 'secure': it comes before the server's certificate is checked.
  socket.once('secureConnect', finish);
  socket.once('close', finish);
  socket.on('error', (err) => {
    if (done) return;
    finish();
    failed(`TLS ${kind} handshake error: ${err.message}`);
  });
}
