import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { headerForSpan, startLinkReceiveSpan, startLinkSendSpan, type LinkTraceScope, type TracedLinkPeer } from './link-tracing.js';
import { Logger } from './logger.js';
import { readTraceparentHeader } from './trace-header.js';
import { parseTraceparent } from './traceparent.js';
import { Tracing } from './tracing.js';

const dir = mkdtempSync(join(tmpdir(), 'nats-ts-link-tracing-'));
const logger = new Logger({ logFile: join(dir, 'server.log'), logtime: false });
afterAll(() => {
  logger.close();
  rmSync(dir, { recursive: true, force: true });
});

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const SCOPE: LinkTraceScope = { role: 'supercluster-gateway', link: 'gateway' };
const PEER: TracedLinkPeer = { remoteId: 'NPEER', remoteName: 'B', remoteAddress: '127.0.0.1', remotePort: 7222 };

interface OtlpSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string } }[];
}

describe('link tracing', () => {
  it('does nothing when tracing is off', () => {
    const block = Buffer.from(`NATS/1.0\r\ntraceparent: ${PARENT}\r\n\r\n`);
    expect(startLinkSendSpan(Tracing.off, SCOPE, 'M1', PEER, '$G', 'orders', PARENT)).toBeUndefined();
    expect(startLinkReceiveSpan(Tracing.off, SCOPE, 'M1', PEER, '$G', 'orders', block.length, block)).toBeUndefined();
    expect(headerForSpan(undefined, block)).toBe(block);
  });

  it('names send and receive spans after the link, carries the send span in the header and continues a received one', async () => {
    const spans: OtlpSpan[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const tracesUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
      const tracing = new Tracing({ tracesUrl, ratio: 0, serviceName: 'nats-ts-test', logger });

      const send = startLinkSendSpan(tracing, SCOPE, 'M1', PEER, '$G', 'orders', PARENT)!;
      const header = Buffer.from(`NATS/1.0\r\nX-A: 1\r\ntraceparent: ${PARENT}\r\n\r\n`);
      const carried = headerForSpan(send, header)!;
      expect(readTraceparentHeader(carried, 0, carried.length)).toBe(send.traceparent);
      // No header block is added to a message sent without one.
      expect(headerForSpan(send, undefined)).toBeUndefined();
      send.end();

      const message = Buffer.concat([carried, Buffer.from('payload')]);
      const receive = startLinkReceiveSpan(tracing, SCOPE, 'M2', PEER, '$G', 'orders', carried.length, message)!;
      receive.end();
      const bare = Buffer.from('NATS/1.0\r\nX-A: 1\r\n\r\n');
      expect(startLinkReceiveSpan(tracing, SCOPE, 'M2', PEER, '$G', 'orders', bare.length, Buffer.concat([bare, Buffer.from('payload')]))).toBeUndefined();
      expect(startLinkReceiveSpan(tracing, SCOPE, 'M2', PEER, '$G', 'orders', 0, Buffer.from('payload'))).toBeUndefined();
      await tracing.shutdown();

      const byName = new Map(spans.map((s) => [s.name, s]));
      expect([...byName.keys()].sort()).toEqual(['gateway receive', 'gateway send']);
      expect(byName.get('gateway send')).toMatchObject({ parentSpanId: 'b7ad6b7169203331', kind: 4 });
      expect(byName.get('gateway receive')).toMatchObject({ parentSpanId: parseTraceparent(send.traceparent)!.spanId, kind: 5 });
      expect(byName.get('gateway send')!.attributes).toEqual(
        expect.arrayContaining([
          { key: 'nats_ts.role', value: { stringValue: 'supercluster-gateway' } },
          { key: 'nats_ts.member_id', value: { stringValue: 'M1' } },
          { key: 'nats_ts.gateway.remote_id', value: { stringValue: 'NPEER' } },
          { key: 'nats_ts.gateway.remote_name', value: { stringValue: 'B' } },
          { key: 'nats_ts.gateway.remote_address', value: { stringValue: '127.0.0.1:7222' } },
          { key: 'messaging.destination.name', value: { stringValue: 'orders' } },
        ]),
      );
    } finally {
      server.close();
    }
  });
});
