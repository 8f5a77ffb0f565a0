import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WebsocketRoutes } from './websocket-routes.js';

describe('WebsocketRoutes', () => {
  it('routes a path to the first prefix it starts with', () => {
    const routes = new WebsocketRoutes();
    const seen: string[] = [];
    routes.register('/leafnode', () => seen.push('leaf'));
    expect(routes.find('/')).toBeUndefined();
    expect(routes.find('/nats')).toBeUndefined();
    routes.find('/leafnode')?.(new PassThrough(), { remoteAddress: '', remotePort: 0, localAddress: undefined });
    routes.find('/leafnodesome/path')?.(new PassThrough(), { remoteAddress: '', remotePort: 0, localAddress: undefined });
    expect(seen).toEqual(['leaf', 'leaf']);
  });

  it('serves something once a path or the clients are registered', () => {
    const leafOnly = new WebsocketRoutes();
    expect(leafOnly.servesAnything()).toBe(false);
    leafOnly.register('/leafnode', () => undefined);
    expect(leafOnly.servesAnything()).toBe(true);
    expect(leafOnly.clients).toBeUndefined();

    const clientsOnly = new WebsocketRoutes();
    const clients = (): void => undefined;
    clientsOnly.serveClients(clients);
    expect(clientsOnly.servesAnything()).toBe(true);
    expect(clientsOnly.clients).toBe(clients);
  });
});
