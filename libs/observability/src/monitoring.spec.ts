import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Logger } from './logger.js';
import { MonitoringServer, normalizeBasePath } from './monitoring.js';
import { JsonResponse, MonitoringRequestError } from './monitoring-reply.js';
import { queryBool } from './monitor-query.js';

let dir: string;
let logger: Logger;
let logFile: string;
const servers: MonitoringServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nats-ts-monitoring-'));
  logFile = join(dir, 'server.log');
  logger = new Logger({ logFile, logtime: false });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  logger.close();
  rmSync(dir, { recursive: true, force: true });
});

function monitoring(basePath?: string, port = 0): MonitoringServer {
  const server = new MonitoringServer({ host: '127.0.0.1', port, basePath, logger });
  servers.push(server);
  return server;
}

describe('normalizeBasePath', () => {
  it('normalises like nats-server', () => {
    expect(normalizeBasePath(undefined)).toBe('/');
    expect(normalizeBasePath('')).toBe('/');
    expect(normalizeBasePath('nats')).toBe('/nats');
    expect(normalizeBasePath('/nats/')).toBe('/nats');
    expect(normalizeBasePath('//a/./b/../c')).toBe('/a/c');
  });
});

describe('MonitoringServer', () => {
  it('serves registered endpoints as indented JSON with the query', async () => {
    const server = monitoring();
    server.addJsonEndpoint('/varz', (query) => ({ server_id: 'X', query, name: '<n>' }), { title: 'General' });
    const res = await server.inject('/varz?a=1&a=2&b=');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe('{\n  "server_id": "X",\n  "query": {\n    "a": "1",\n    "b": ""\n  },\n  "name": "\\u003cn\\u003e"\n}');
  });

  it('awaits async handlers, supports compact JSON and other status codes', async () => {
    const server = monitoring();
    let healthy = true;
    server.addJsonEndpoint(
      '/healthz',
      async () => (healthy ? { status: 'ok' } : new JsonResponse({ status: 'unavailable', error: 'not ready' }, 503)),
      { compact: true },
    );
    const ok = await server.inject('/healthz');
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('{"status":"ok"}');
    healthy = false;
    const bad = await server.inject('/healthz');
    expect(bad.statusCode).toBe(503);
    expect(bad.body).toBe('{"status":"unavailable","error":"not ready"}');
  });

  it('answers bad parameters with 400 plain text and handler failures with 500', async () => {
    const server = monitoring();
    server.addJsonEndpoint('/connz', (query) => ({ subs: queryBool(query, 'subs') }));
    server.addJsonEndpoint('/boom', () => {
      throw new Error('kaput');
    });
    server.addJsonEndpoint('/teapot', () => {
      throw new MonitoringRequestError('short and stout', 418);
    });
    const bad = await server.inject('/connz?subs=x');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(bad.body).toBe(`Error decoding boolean for 'subs': strconv.ParseBool: parsing "x": invalid syntax`);
    expect((await server.inject('/teapot')).statusCode).toBe(418);
    const failed = await server.inject('/boom');
    expect(failed.statusCode).toBe(500);
    expect(readFileSync(logFile, 'utf8')).toContain('[ERR] monitoring: /boom: kaput');
  });

  it('wraps JSON in a JSONP callback and refuses callbacks that are not names', async () => {
    const server = monitoring();
    server.addJsonEndpoint('/varz', () => ({ n: 1 }));
    const res = await server.inject('/varz?callback=cb');
    expect(res.headers['content-type']).toBe('application/javascript');
    expect(res.body).toBe('cb({\n  "n": 1\n})');
    expect((await server.inject('/varz?callback=alert(1)//')).statusCode).toBe(400);
  });

  it('answers unknown paths with Go\'s 404 page', async () => {
    const server = monitoring();
    server.addJsonEndpoint('/varz', () => ({}));
    for (const url of ['/nope', '/varz/', '/varzz']) {
      const res = await server.inject(url);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toBe('404 page not found\n');
    }
  });

  it('serves an HTML index of the endpoints at the base path and counts requests', async () => {
    const server = monitoring('/nats/');
    server.addJsonEndpoint('/varz', () => ({}), { title: 'General' });
    server.addJsonEndpoint('/connz', () => ({}), { title: 'Connections' });
    const index = await server.inject('/nats');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('<a href="./nats/varz">General</a>');
    expect(index.body).toContain('<a href="./nats/connz">Connections</a>');
    expect((await server.inject('/nats/varz')).statusCode).toBe(200);
    expect((await server.inject('/nats/varz')).statusCode).toBe(200);
    expect((await server.inject('/varz')).statusCode).toBe(404);
    expect((await server.inject('/')).statusCode).toBe(404);
    expect(Object.entries(server.requestCounts())).toEqual([
      ['/', 1],
      ['/varz', 2],
    ]);
  });

  it('refuses duplicate, invalid and late registrations', async () => {
    const server = monitoring();
    server.addJsonEndpoint('/varz', () => ({}));
    expect(() => server.addJsonEndpoint('/varz', () => ({}))).toThrow(/already registered/);
    expect(() => server.addJsonEndpoint('varz2', () => ({}))).toThrow(/invalid endpoint path/);
    expect(() => server.addJsonEndpoint('/', () => ({}))).toThrow(/invalid endpoint path/);
    await server.inject('/varz');
    expect(() => server.addJsonEndpoint('/connz', () => ({}))).toThrow(/after the server started/);
  });

  it('listens on a real socket, picking a free port for -1 and logging it', async () => {
    const server = monitoring(undefined, -1);
    server.addJsonEndpoint('/varz', () => ({ server_name: 'n1' }));
    const { host, port } = await server.start();
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${port}/varz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ server_name: 'n1' });
    expect((await fetch(`http://127.0.0.1:${port}/missing`)).status).toBe(404);
    expect(readFileSync(logFile, 'utf8')).toContain(`[INF] Starting http monitor on 127.0.0.1:${port}`);
  });

  it('listens on the configured port', async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const free = (probe.address() as { port: number }).port;
    await new Promise<void>((done) => probe.close(() => done()));
    const server = monitoring(undefined, free);
    expect((await server.start()).port).toBe(free);
  });
});
