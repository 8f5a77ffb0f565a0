import { posix } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Logger } from './logger.js';
import { toGoJson } from './go-format.js';
import { renderIndexPage } from './monitoring-index.js';
import { JsonResponse, MonitoringRequestError } from './monitoring-reply.js';

export type JsonEndpointHandler = (query: Record<string, string>) => unknown | Promise<unknown>;

/** Produces a text document (e.g. Prometheus metrics) on each request. */
export type TextEndpointHandler = () => string | Promise<string>;

export interface TextEndpointOptions {
  /** Link text on the index page; defaults to the path. */
  title?: string;
  /** Sent as is; defaults to "text/plain; charset=utf-8". */
  contentType?: string;
}

export interface JsonEndpointOptions {
  /** Link text on the index page; defaults to the path. */
  title?: string;
  /** Write compact JSON instead of two-space indentation (nats-server does so for /healthz). */
  compact?: boolean;
}

export interface MonitoringServerOptions {
  host: string;
  /** 0 or -1 pick a free port. */
  port: number;
  /** nats-server's http_base_path; endpoints are served under it. */
  basePath?: string;
  logger: Logger;
}

interface Endpoint {
  readonly path: string;
  readonly url: string;
  readonly title: string;
}

type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

interface JsonEndpoint extends Endpoint {
  readonly handler: JsonEndpointHandler;
  readonly indent: boolean;
}

const ROOT_PATH = '/';
const NOT_FOUND_BODY = '404 page not found\n';
const TEXT_PLAIN = 'text/plain; charset=utf-8';
// A JSONP callback is echoed into a script; allow only names, so it cannot inject code.
const JSONP_CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/** nats-server's normalisation of http_base_path: leading slash, cleaned, "/" when empty. */
export function normalizeBasePath(basePath: string | undefined): string {
  if (!basePath) return '/';
  return posix.normalize(basePath.startsWith('/') ? basePath : `/${basePath}`).replace(/(.)\/$/, '$1');
}

/** host:port, with an IPv6 host in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// Go's Query().Get returns the first value of a repeated parameter.
function firstValues(raw: unknown): Record<string, string> {
  const query: Record<string, string> = Object.create(null);
  if (raw === null || typeof raw !== 'object') return query;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') query[key] = first;
  }
  return query;
}

/**
 * The HTTP monitoring server (nats-server's `http_port`/`-m`): JSON endpoints registered by the
 * server, an HTML index at the base path, and Go's "404 page not found" for anything else.
 */
export class MonitoringServer {
  private readonly host: string;
  private readonly port: number;
  private readonly logger: Logger;
  readonly basePath: string;
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly routes: Array<{ url: string; handler: RouteHandler }> = [];
  private readonly requests = new Map<string, number>();
  /** Built on first start() or inject(): Fastify is loaded only by processes that serve monitoring. */
  private app: Promise<FastifyInstance> | undefined;

  constructor(options: MonitoringServerOptions) {
    this.host = options.host;
    this.port = options.port;
    this.logger = options.logger;
    this.basePath = normalizeBasePath(options.basePath);
  }

  /**
   * Serves `handler`'s result as JSON at `path` under the base path. Query parameters are passed
   * with their first value. Must be called before start() or inject().
   */
  addJsonEndpoint(path: string, handler: JsonEndpointHandler, options: JsonEndpointOptions = {}): void {
    const endpoint: JsonEndpoint = { ...this.register(path, options.title), handler, indent: !options.compact };
    this.routes.push({ url: endpoint.url, handler: (request, reply) => this.serve(endpoint, request, reply) });
  }

  /** Serves `handler`'s text at `path` under the base path (Prometheus' /metrics). Must be called before start() or inject(). */
  addTextEndpoint(path: string, handler: TextEndpointHandler, options: TextEndpointOptions = {}): void {
    const endpoint = this.register(path, options.title);
    const contentType = options.contentType ?? TEXT_PLAIN;
    this.routes.push({
      url: endpoint.url,
      handler: async (_request, reply) => {
        this.count(path);
        let text: string;
        try {
          text = await handler();
        } catch (err) {
          this.logger.error(`monitoring: ${path}: ${err instanceof Error ? err.message : String(err)}`);
          await reply.code(500).header('content-type', TEXT_PLAIN).send('Internal Server Error\n');
          return;
        }
        // A Buffer, so that Fastify sends the content type exactly as given.
        await reply.header('content-type', contentType).send(Buffer.from(text));
      },
    });
  }

  private async build(): Promise<FastifyInstance> {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false });
    app.setNotFoundHandler((_request, reply) => {
      void reply.code(404).header('content-type', TEXT_PLAIN).header('x-content-type-options', 'nosniff').send(NOT_FOUND_BODY);
    });
    app.get(this.basePath, (_request, reply) => {
      this.count(ROOT_PATH);
      const entries = [...this.endpoints.values()];
      void reply.header('content-type', 'text/html; charset=utf-8').send(renderIndexPage(entries));
    });
    for (const route of this.routes) app.get(route.url, route.handler);
    return app;
  }

  private built(): Promise<FastifyInstance> {
    return (this.app ??= this.build());
  }

  private register(path: string, title: string | undefined): Endpoint {
    if (this.app !== undefined) throw new Error(`monitoring: cannot add ${path} after the server started`);
    if (!path.startsWith('/') || path === ROOT_PATH) throw new Error(`monitoring: invalid endpoint path ${JSON.stringify(path)}`);
    if (this.endpoints.has(path)) throw new Error(`monitoring: endpoint ${path} already registered`);
    const endpoint: Endpoint = { path, url: posix.join(this.basePath, path), title: title ?? path };
    this.endpoints.set(path, endpoint);
    return endpoint;
  }

  /** Requests served per endpoint path ("/" for the index), keys sorted: /varz's http_req_stats. */
  requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const path of [...this.requests.keys()].sort()) counts[path] = this.requests.get(path) ?? 0;
    return counts;
  }

  /** Listens and reports the bound address (the real port when a free one was picked). */
  async start(): Promise<{ host: string; port: number }> {
    const app = await this.built();
    await app.listen({ host: this.host, port: this.port <= 0 ? 0 : this.port });
    const port = (app.server.address() as AddressInfo).port;
    this.logger.info(`Starting http monitor on ${joinHostPort(this.host, port)}`);
    return { host: this.host, port };
  }

  /** Answers a request without a socket (tests). */
  async inject(request: InjectOptions | string): Promise<LightMyRequestResponse> {
    return (await this.built()).inject(request);
  }

  async close(): Promise<void> {
    if (this.app !== undefined) await (await this.app).close();
  }

  private count(path: string): void {
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
  }

  private async serve(endpoint: JsonEndpoint, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    this.count(endpoint.path);
    const query = firstValues(request.query);
    let result: unknown;
    try {
      result = await endpoint.handler(query);
    } catch (err) {
      if (err instanceof MonitoringRequestError) {
        await reply.code(err.statusCode).header('content-type', TEXT_PLAIN).send(err.message);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error(`monitoring: ${endpoint.path}: ${message}`);
      await reply.code(500).header('content-type', TEXT_PLAIN).send('Internal Server Error\n');
      return;
    }
    const body = result instanceof JsonResponse ? result.body : result;
    const json = toGoJson(body, endpoint.indent);
    if (result instanceof JsonResponse) reply.code(result.statusCode);
    const callback = query.callback;
    if (callback) {
      if (!JSONP_CALLBACK.test(callback)) {
        await reply.code(400).header('content-type', TEXT_PLAIN).send('invalid callback name');
        return;
      }
      await reply.header('content-type', 'application/javascript').send(Buffer.from(`${callback}(${json})`));
      return;
    }
    // A Buffer, because Fastify would append "; charset=utf-8" to a string; nats-server sends the bare type.
    await reply.header('content-type', 'application/json').send(Buffer.from(json));
  }
}
