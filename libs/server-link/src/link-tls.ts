import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect, createSecureContext, createServer as createTlsServer, type SecureContext } from 'node:tls';

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
  private readonly acceptor: TlsAcceptor;

  constructor(
    private readonly config: LinkTlsConfig,
    readonly kind: LinkTlsKind,
  ) {
    const files = tlsFiles(config);
    this.context = createSecureContext(files);
    this.acceptor = new TlsAcceptor({ files, requestCert: true, timeoutMs: config.timeoutMs, kind });
  }

  get timeoutMs(): number {
    return this.config.timeoutMs;
  }

  /**
   * The server side of an accepted connection: `ready` gets the stream once the peer's
   * certificate is verified; otherwise `failed` hears why and the socket is closed.
   */
  accept(socket: Socket, ready: (secured: TLSSocket) => void, failed: (reason: string) => void): void {
    this.acceptor.accept(socket, ready, failed);
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

/** How an accepting server runs its TLS handshakes. */
export interface AcceptTlsOptions {
  readonly files: { cert?: Buffer; key?: Buffer; ca?: Buffer };
  /** Require the peer's certificate, signed by the CA in `files`. */
  readonly requestCert: boolean;
  readonly timeoutMs: number;
  /** Which connections, for the failure texts (`TLS route handshake error: …`; clients: `TLS handshake error: …`). */
  readonly kind: LinkTlsKind | 'client';
}

/**
 * The server side of TLS handshakes on accepted sockets. With `requestCert` the handshake runs
 * through a (never listening) tls.Server made for the connection: a bare server-side TLSSocket
 * requests the client's certificate but accepts one from any CA, and only tls.Server's handshake
 * rejects it (at the price of loading the credentials per connection, about a millisecond).
 * Without it a bare TLSSocket over credentials loaded once is enough.
 */
export class TlsAcceptor {
  private readonly context: SecureContext;
  private readonly label: string;

  constructor(private readonly options: AcceptTlsOptions) {
    this.context = createSecureContext(options.files);
    this.label = options.kind === 'client' ? 'TLS handshake' : `TLS ${options.kind} handshake`;
  }

  /** `ready` gets the stream once done (the peer's certificate verified when required); otherwise `failed` hears why and the socket is closed. */
  accept(socket: Socket, ready: (secured: TLSSocket) => void, failed: (reason: string) => void): void {
    if (this.options.requestCert) this.acceptVerifying(socket, ready, failed);
    else this.acceptPlain(socket, ready, failed);
  }

  private acceptVerifying(socket: Socket, ready: (secured: TLSSocket) => void, failed: (reason: string) => void): void {
    const server = createTlsServer({ ...this.options.files, requestCert: true, rejectUnauthorized: true, handshakeTimeout: this.options.timeoutMs });
    server.once('secureConnection', ready);
    server.once('tlsClientError', (err: NodeJS.ErrnoException, secured: TLSSocket) => failed(this.reason(err, secured)));
    server.emit('connection', socket);
  }

  private acceptPlain(socket: Socket, ready: (secured: TLSSocket) => void, failed: (reason: string) => void): void {
    const secured = new TLSSocket(socket, { isServer: true, secureContext: this.context });
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      failed(`${this.label} timeout`);
      secured.destroy();
    }, this.options.timeoutMs);
    secured.once('secure', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ready(secured);
    });
    secured.on('error', (err: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      failed(this.reason(err, secured));
      secured.destroy();
    });
  }

  private reason(err: NodeJS.ErrnoException, secured: TLSSocket): string {
    if (secured.authorizationError) return `${this.label} error: peer certificate not trusted (${String(secured.authorizationError)})`;
    if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return `${this.label} timeout`;
    // Typically a peer that did not trust our certificate.
    if (err.code === 'ECONNRESET') return `${this.label} error: connection closed by the peer`;
    return `${this.label} error: ${err.message.trim()}`;
  }
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
