import type { Duplex } from 'node:stream';

/** Where a websocket connection comes from, as a role needs it for logs and monitoring. */
export interface WebsocketPeer {
  remoteAddress: string;
  remotePort: number;
  /** The local address the connection arrived on (what the peer dialed). */
  localAddress: string | undefined;
}

/** Receives an upgraded websocket connection as a byte stream (binary frames in and out). */
export type WebsocketPathHandler = (stream: Duplex, peer: WebsocketPeer) => void;

/**
 * Paths of the node's `websocket {}` listener served by roles other than the client role, such
 * as nats-server's `/leafnode` for leaf connections. The client role owns the listener; other
 * roles register their path prefix here as they start, and each upgrade is routed by it.
 */
export class WebsocketRoutes {
  private readonly routes: Array<{ prefix: string; handler: WebsocketPathHandler }> = [];

  register(prefix: string, handler: WebsocketPathHandler): void {
    this.routes.push({ prefix, handler });
  }

  /** The handler for a request path (the first registered prefix it starts with), if any. */
  find(path: string): WebsocketPathHandler | undefined {
    for (const route of this.routes) if (path.startsWith(route.prefix)) return route.handler;
    return undefined;
  }
}
