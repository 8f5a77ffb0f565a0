import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { WebsocketConfig } from '@nats-ts/config';
import type { WebsocketRoutes } from '@nats-ts/lifecycle';
import type { Logger } from '@nats-ts/observability';
import { WebSocketTransport, type ConnectionTransport } from './transport.js';
import type { BoundAddress } from '@nats-ts/server-link';

/**
 * NATS over WebSocket: binary frames carry the client protocol unchanged, as nats-server's
 * `websocket {}` listener does. Plain HTTP requires `no_tls: true`.
 */
export class WebSocketListener {
  private readonly http: HttpServer;
  private readonly wss: WebSocketServer;

  constructor(
    private readonly config: WebsocketConfig,
    private readonly logger: Logger,
    private readonly accept: (transport: ConnectionTransport) => void,
    private readonly routes: WebsocketRoutes | undefined,
  ) {
    const tls = config.tls;
    this.http = tls
      ? createHttpsServer({
          cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
          key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
          ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
          requestCert: tls.verify,
          rejectUnauthorized: tls.verify,
        })
      : createHttpServer();
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: config.compression });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.http.on('request', (_req, res) => {
      res.statusCode = 400;
      res.end('websocket upgrade required\n');
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.originAllowed(req)) {
      this.logger.debug(`websocket upgrade refused: origin ${req.headers.origin} not allowed`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    // Paths other roles registered (nats-server's /leafnode) get the connection as a byte stream.
    const routed = this.routes?.find((req.url ?? '/').split('?')[0]!);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const s = req.socket;
      if (routed !== undefined) {
        routed(createWebSocketStream(ws), { remoteAddress: s.remoteAddress ?? '', remotePort: s.remotePort ?? 0, localAddress: s.localAddress });
        return;
      }
      const tlsSocket = this.config.tls ? (s as TLSSocket) : undefined;
      const cipher = tlsSocket?.getCipher();
      const tlsDetails = tlsSocket ? { version: tlsSocket.getProtocol() ?? '', cipher: cipher?.standardName ?? cipher?.name ?? '' } : undefined;
      this.accept(new WebSocketTransport(ws, s.remoteAddress ?? '', s.remotePort ?? 0, tlsDetails));
    });
  }

  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (this.config.allowedOrigins.length > 0 && !this.config.allowedOrigins.includes(origin)) return false;
    if (this.config.sameOrigin) {
      try {
        return new URL(origin).host === req.headers.host;
      } catch {
        return false;
      }
    }
    return true;
  }

  start(): Promise<BoundAddress> {
    const { host, port } = this.config;
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port < 0 ? 0 : port, host, () => {
        this.http.off('error', reject);
        const addr = this.http.address();
        if (addr === null || typeof addr === 'string') return reject(new Error('websocket listener has no address'));
        resolve({ host, port: addr.port });
      });
    });
  }

  close(): Promise<void> {
    this.wss.close();
    return new Promise((resolve) => this.http.close(() => resolve()));
  }
}
