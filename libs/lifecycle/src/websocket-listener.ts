import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { WebsocketConfig } from '@nats-ts/config';
import type { Logger } from '@nats-ts/observability';
import type { WebsocketRoutes } from './websocket-routes.js';

/**
 * The node's `websocket {}` listener, as nats-server's: binary frames carry the client protocol
 * (or, on `/leafnode`, the leafnode protocol) unchanged. Plain HTTP requires `no_tls: true`.
 * Each upgrade goes to the role that registered its path in `routes`.
 */
export class WebsocketListener {
  private readonly http: HttpServer;
  private readonly wss: WebSocketServer;

  constructor(
    private readonly config: WebsocketConfig,
    private readonly logger: Logger,
    private readonly routes: WebsocketRoutes,
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
    const path = (req.url ?? '/').split('?')[0]!;
    const serve = this.serverFor(path, req.socket);
    if (serve === undefined) {
      // A process without the client role (leaf-proxy alone) serves only its registered paths.
      this.logger.debug(`websocket upgrade refused: nothing serves ${path} in this process`);
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, serve);
  }

  /** Paths other roles registered (nats-server's /leafnode) get the connection as a byte stream; the rest go to the client role. */
  private serverFor(path: string, s: Socket): ((ws: WebSocket) => void) | undefined {
    const peer = { remoteAddress: s.remoteAddress ?? '', remotePort: s.remotePort ?? 0, localAddress: s.localAddress };
    const routed = this.routes.find(path);
    if (routed !== undefined) return (ws) => routed(createWebSocketStream(ws), peer);
    const clients = this.routes.clients;
    if (clients === undefined) return undefined;
    const tlsSocket = this.config.tls ? (s as TLSSocket) : undefined;
    const cipher = tlsSocket?.getCipher();
    const tls = tlsSocket ? { version: tlsSocket.getProtocol() ?? '', cipher: cipher?.standardName ?? cipher?.name ?? '' } : undefined;
    return (ws) => clients(ws, { ...peer, tls });
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

  start(): Promise<{ host: string; port: number }> {
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
