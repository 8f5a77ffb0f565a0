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
});
