import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, parseTraceparent, Tracing } from '@nats-ts/observability';
import { afterAll, describe, expect, it } from 'vitest';
import { StaticMembership } from './membership.js';
import { TcpBus } from './tcp-bus.js';
import type { BusHandlers, BusMessage } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'nats-ts-bus-tracing-'));
const logger = new Logger({ logFile: join(dir, 'bus.log'), logtime: false });
afterAll(() => {
  logger.close();
  rmSync(dir, { recursive: true, force: true });
});

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string } }[];
}

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function attribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes.find((a) => a.key === key)?.value.stringValue;
}

describe('TcpBus tracing', () => {
  it('records a send span and a receive span for a hop of a traced message, linked by the traceparent the frame carries', async () => {
    const spans: OtlpSpan[] = [];
    const receiver = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const tracesUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
    const tracingA = new Tracing({ tracesUrl, ratio: 0, serviceName: 'a', logger });
    const tracingB = new Tracing({ tracesUrl, ratio: 0, serviceName: 'b', logger });
    const options = { heartbeatMs: 50, memberTimeoutMs: 300, joinTimeoutMs: 2_000, logger };
    const a = new TcpBus({ listen: { host: '127.0.0.1', port: 0 }, membership: new StaticMembership([]), tracing: tracingA, ...options });
    await a.start();
    const b = new TcpBus({ listen: { host: '127.0.0.1', port: 0 }, membership: new StaticMembership([a.url]), tracing: tracingB, ...options });
    await b.start();
    try {
      const received: BusMessage[] = [];
      const quiet: BusHandlers = { memberJoined: () => undefined, memberLeft: () => undefined, interest: () => undefined, message: () => undefined };
      const sender = await a.join({ nodeId: 'N', role: 'client-gateway', version: '1' }, quiet);
      const target = await b.join({ nodeId: 'N', role: 'route-mesh', version: '1' }, { ...quiet, message: (_from, msg) => void received.push(msg) });
      await until(() => sender.members().length === 1, 'link');
      const base = { account: '$G', subject: 'orders.new', data: Buffer.from('x'), headerSize: 0, originMemberId: sender.self.memberId };
      sender.send(target.self.memberId, { ...base, traceparent: PARENT });
      sender.send(target.self.memberId, { ...base });
      await until(() => received.length === 2, 'messages');
      await Promise.all([tracingA.shutdown(), tracingB.shutdown()]);

      expect(received[1]!.traceparent).toBeUndefined();
      const send = spans.find((s) => s.name === 'bus send')!;
      const receive = spans.find((s) => s.name === 'bus receive')!;
      expect(spans).toHaveLength(2);
      expect(send).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', kind: 4 });
      expect(receive).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: send.spanId, kind: 5 });
      // The receiving member continues the trace under the receive span.
      expect(parseTraceparent(received[0]!.traceparent!)?.spanId).toBe(receive.spanId);
      expect(attribute(send, 'nats_ts.bus.to_member')).toBe(target.self.memberId);
      expect(attribute(send, 'nats_ts.bus.to_role')).toBe('route-mesh');
      expect(attribute(send, 'nats_ts.bus.peer')).toBe(b.url);
      expect(attribute(receive, 'nats_ts.bus.from_member')).toBe(sender.self.memberId);
      expect(attribute(receive, 'nats_ts.bus.from_role')).toBe('client-gateway');
      expect(attribute(receive, 'nats_ts.bus.peer')).toBe(a.url);
      expect(attribute(receive, 'messaging.destination.name')).toBe('orders.new');
    } finally {
      await Promise.all([a.close(), b.close()]);
      receiver.close();
    }
  });
});
