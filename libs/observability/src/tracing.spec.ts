import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Logger } from './logger.js';
import { readTraceparentHeader, withTraceparentHeader } from './trace-header.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';
import { Tracing } from './tracing.js';

const dir = mkdtempSync(join(tmpdir(), 'nats-ts-tracing-'));
const logger = new Logger({ logFile: join(dir, 'server.log'), logtime: false });
afterAll(() => {
  logger.close();
  rmSync(dir, { recursive: true, force: true });
});

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

interface ExportRequest {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** An OTLP/HTTP receiver: keeps each JSON export request and its content type. */
async function receiver(): Promise<{ url: string; requests: { contentType: string | undefined; body: ExportRequest }[]; server: Server }> {
  const requests: { contentType: string | undefined; body: ExportRequest }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString()) as ExportRequest });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, requests, server };
}

describe('traceparent', () => {
  it('parses and formats version 00 and rejects invalid values', () => {
    expect(parseTraceparent(PARENT)).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    expect(formatTraceparent('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 1)).toBe(PARENT);
    expect(parseTraceparent(`00-${'0'.repeat(32)}-b7ad6b7169203331-01`)).toBeUndefined();
    expect(parseTraceparent('ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeUndefined();
    expect(parseTraceparent('00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
  });

  it('reads and rewrites the traceparent of a NATS header block', () => {
    const block = Buffer.from(`NATS/1.0\r\nX-A: 1\r\nTraceParent:  ${PARENT} \r\n\r\n`);
    const framed = Buffer.concat([Buffer.from('xx'), block, Buffer.from('payload')]);
    expect(readTraceparentHeader(framed, 2, 2 + block.length)).toBe(PARENT);
    expect(readTraceparentHeader(Buffer.from('NATS/1.0\r\nX-traceparent: no\r\n\r\n'), 0, 31)).toBeUndefined();
    const next = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01';
    expect(withTraceparentHeader(block, next).toString()).toBe(`NATS/1.0\r\nX-A: 1\r\nTraceParent:  ${next} \r\n\r\n`);
    expect(withTraceparentHeader(Buffer.from('NATS/1.0\r\nX-A: 1\r\n\r\n'), next).toString()).toBe(`NATS/1.0\r\nX-A: 1\r\ntraceparent: ${next}\r\n\r\n`);
  });
});

describe('Tracing', () => {
  it('is off without an OTLP endpoint, or when disabled', () => {
    const defaults = { serviceName: 'nats-ts' };
    expect(Tracing.fromEnv({}, defaults, logger).enabled).toBe(false);
    expect(Tracing.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318', OTEL_SDK_DISABLED: 'true' }, defaults, logger).enabled).toBe(false);
    expect(Tracing.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318', OTEL_TRACES_EXPORTER: 'none' }, defaults, logger).enabled).toBe(false);
    expect(Tracing.off.startSpan('x', 'internal', PARENT, {})).toBeUndefined();
  });

  it('takes the ratio from OTEL_TRACES_SAMPLER_ARG for the ratio samplers only', async () => {
    const defaults = { serviceName: 'nats-ts' };
    const plain = Tracing.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1/' }, defaults, logger);
    const ratio = Tracing.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, defaults, logger);
    const all = Tracing.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' }, defaults, logger);
    expect([plain.enabled, plain.ratio, ratio.ratio, all.ratio]).toEqual([true, 0, 0.25, 1]);
    expect(plain.startsNewTrace()).toBe(false);
    expect(all.startsNewTrace()).toBe(true);
    await Promise.all([plain.shutdown(), ratio.shutdown(), all.shutdown()]);
  });

  it('exports spans continuing a remote parent over OTLP/HTTP JSON, and skips unsampled parents', async () => {
    const otlp = await receiver();
    try {
      const tracing = new Tracing({ tracesUrl: otlp.url, ratio: 0, serviceName: 'nats-ts-test', serviceInstanceId: 'NSERVER', logger });
      expect(tracing.startSpan('skipped', 'server', PARENT.replace(/-01$/, '-00'), {})).toBeUndefined();
      const receive = tracing.startSpan('receive', 'server', PARENT, { 'messaging.destination.name': 'orders' })!;
      expect(receive.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
      const hop = tracing.startSpan('bus send', 'producer', receive.traceparent, { 'nats_ts.bus.peer': 'h:1' })!;
      hop.setAttribute('nats_ts.bus.to_role', 'client-gateway');
      hop.end();
      receive.end();
      const root = tracing.startSpan('root', 'internal', undefined, {})!;
      root.end();
      await tracing.shutdown();

      expect(otlp.requests.length).toBeGreaterThan(0);
      expect(otlp.requests[0]!.contentType).toBe('application/json');
      const resource = otlp.requests[0]!.body.resourceSpans[0]!.resource.attributes;
      expect(resource).toEqual(expect.arrayContaining([{ key: 'service.name', value: { stringValue: 'nats-ts-test' } }, { key: 'service.instance.id', value: { stringValue: 'NSERVER' } }]));
      const spans = otlp.requests.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
      const byName = new Map(spans.map((s) => [s.name, s]));
      expect([...byName.keys()].sort()).toEqual(['bus send', 'receive', 'root']);
      expect(byName.get('receive')).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', kind: 2 });
      expect(byName.get('bus send')).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: byName.get('receive')!.spanId, kind: 4 });
      expect(byName.get('bus send')!.attributes).toEqual(
        expect.arrayContaining([{ key: 'nats_ts.bus.peer', value: { stringValue: 'h:1' } }, { key: 'nats_ts.bus.to_role', value: { stringValue: 'client-gateway' } }]),
      );
      expect(byName.get('root')!.traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
      expect(byName.get('root')!.parentSpanId ?? '').toBe('');
    } finally {
      otlp.server.close();
    }
  });
});
