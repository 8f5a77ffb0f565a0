import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** Where a websocket connection comes from, as a role needs it for logs and monitoring. */
export interface WebsocketPeer {
  remoteAddress: string;
  remotePort: number;
  /** The local address the connection arrived on (what the peer dialed). */
  localAddress: string | undefined;
}

/** A websocket client's peer, with the TLS it arrived over (wss://). */
export interface WebsocketClientPeer extends WebsocketPeer {
  tls: { version: string; cipher: string } | undefined;
}

/** Receives an upgraded websocket connection as a byte stream (binary frames in and out). */
export type WebsocketPathHandler = (stream: Duplex, peer: WebsocketPeer) => void;

/** Receives a websocket client as the socket itself: the client role reads its frames with no stream in between. */
export type WebsocketClientHandler = (ws: WebSocket, peer: WebsocketClientPeer) => void;

/**
 * What the node's `websocket {}` listener serves in this process. Roles register as they start:
 * the client role takes every path no other role claims, other roles a path prefix (nats-server's
 * `/leafnode`). The process runner opens the listener once its roles are up, and only when one of
 * them serves something, so a role process of its own (leaf-proxy alone) serves its paths too.
 */
export class WebsocketRoutes {
  private readonly routes: Array<{ prefix: string; handler: WebsocketPathHandler }> = [];
  private clientHandler: WebsocketClientHandler | undefined;

  register(prefix: string, handler: WebsocketPathHandler): void {
    this.routes.push({ prefix, handler });
  }

  serveClients(handler: WebsocketClientHandler): void {
    this.clientHandler = handler;
  }

  /** The handler for a request path (the first registered prefix it starts with), if any. */
  find(path: string): WebsocketPathHandler | undefined {
    for (const route of this.routes) if (path.startsWith(route.prefix)) return route.handler;
    return undefined;
  }

  /** Who takes the paths no prefix claims; undefined when no client role runs in this process. */
  get clients(): WebsocketClientHandler | undefined {
    return this.clientHandler;
  }

  servesAnything(): boolean {
    return this.routes.length > 0 || this.clientHandler !== undefined;
  }
}
