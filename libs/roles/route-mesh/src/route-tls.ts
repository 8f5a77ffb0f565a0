import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import type { TlsConfig } from '@nats-ts/config';

/**
 * `cluster { tls {...} }`: every route is TLS from its first byte. As nats-server, both sides
 * verify: the accepting side requires the peer's certificate (signed by the configured CA), the
 * dialing side checks the server's, unless `insecure`.
 */
export class RouteTls {
  private readonly context: SecureContext;

  constructor(private readonly config: TlsConfig) {
    this.context = createSecureContext({
      cert: config.certFile ? readFileSync(config.certFile) : undefined,
      key: config.keyFile ? readFileSync(config.keyFile) : undefined,
      ca: config.caFile ? readFileSync(config.caFile) : undefined,
    });
  }

  get timeoutMs(): number {
    return this.config.timeoutMs;
  }

  /** The server side of an accepted route. */
  accept(socket: Socket): TLSSocket {
    return new TLSSocket(socket, { isServer: true, secureContext: this.context, requestCert: true, rejectUnauthorized: true });
  }

  /** The client side of a route we dialed to `host`. */
  dial(socket: Socket, host: string): TLSSocket {
    return tlsConnect({
      socket,
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      secureContext: this.context,
      rejectUnauthorized: !this.config.insecure,
    });
  }
}

/**
 * Reports a TLS handshake that fails or does not complete within `timeoutMs` (the socket is
 * destroyed on timeout); errors after the handshake are the connection's own business.
 */
export function watchHandshake(socket: TLSSocket, timeoutMs: number, failed: (reason: string) => void): void {
  let done = false;
  const finish = (): void => {
    done = true;
    clearTimeout(timer);
  };
  const timer = setTimeout(() => {
    if (done) return;
    finish();
    failed('TLS route handshake timeout');
    socket.destroy();
  }, timeoutMs);
  socket.once('secureConnect', finish);
  socket.once('secure', finish);
  socket.once('close', finish);
  socket.on('error', (err) => {
    if (done) return;
    finish();
    failed(`TLS route handshake error: ${err.message}`);
  });
}
