// OpenTelemetry tracing across gateways and leaf connections: nats-ts servers (each one process
// with every role) exporting to an OTLP/HTTP receiver this test runs. A message published with a
// `traceparent` header yields one trace on both servers, the send span of the link the parent of
// the other server's receive span, the trace context carried in the message's header.
import { connect, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './cluster-helpers.js';
import { gatewayConfig, waitForGatewayInterest, waitForGateways, withFreePorts } from './gateway-helpers.js';
import { leafPort, startHub, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

let otlp: OtlpReceiver;
let env: NodeJS.ProcessEnv;
const clients: NatsConnection[] = [];

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function client(server: RunningServer): Promise<NatsConnection> {
  const nc = await connect({ servers: server.clientUrl });
  clients.push(nc);
  return nc;
}

function collect(nc: NatsConnection, subject: string): Msg[] {
  const received: Msg[] = [];
  nc.subscribe(subject, { callback: (_err, msg) => void received.push(msg) });
  return received;
}

/** Probes without trace context until the subscriber has one: interest has crossed the link. */
async function untilInterest(from: NatsConnection, subject: string, received: Msg[]): Promise<void> {
  await until(() => {
    if (received.length === 0) from.publish(subject, 'probe');
    return received.length > 0;
  }, `interest in ${subject}`);
  received.length = 0;
}

function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found, `exactly one ${name} span`).toHaveLength(1);
  return found[0]!;
}

/**
 * Publishes one traced message from `pub` to the subscriber on `subject` and returns the trace's
 * spans once the four expected (receive, link send, link receive, deliver) are exported.
 */
async function traceOneMessage(pub: NatsConnection, received: Msg[], subject: string, traceId: string, clientSpan: string): Promise<ReceivedSpan[]> {
  const h = headers();
  h.set('traceparent', `00-${traceId}-${clientSpan}-01`);
  pub.publish(subject, 'traced', { headers: h });
  await until(() => received.length === 1, 'the traced message');
  await until(() => otlp.trace(traceId).length >= 4, 'the spans to be exported');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const spans = otlp.trace(traceId);
  expect(spans, spans.map((s) => s.name).join(', ')).toHaveLength(4);
  return spans;
}

/** The chain client → receive → `<link> send` → `<link> receive` → deliver, across two servers. */
function expectLinkedChain(spans: ReceivedSpan[], link: string, role: string, subject: string, clientSpan: string): { send: ReceivedSpan; receive: ReceivedSpan } {
  const receive = one(spans, 'receive');
  expect(receive).toMatchObject({ parentSpanId: clientSpan, kind: SERVER });
  const send = one(spans, `${link} send`);
  expect(send).toMatchObject({ parentSpanId: receive.spanId, kind: PRODUCER });
  expect(send.resource['service.instance.id']).toBe(receive.resource['service.instance.id']);
  expect(send.attributes).toMatchObject({ 'nats_ts.role': role, 'messaging.destination.name': subject, 'nats.account': '$G' });
  const linkReceive = one(spans, `${link} receive`);
  expect(linkReceive).toMatchObject({ parentSpanId: send.spanId, kind: CONSUMER });
  expect(linkReceive.attributes).toMatchObject({ 'nats_ts.role': role, 'messaging.destination.name': subject });
  expect(linkReceive.resource['service.instance.id']).not.toBe(send.resource['service.instance.id']);
  // Each end names the other server.
  expect(send.attributes[`nats_ts.${link}.remote_id`]).toBe(linkReceive.resource['service.instance.id']);
  expect(linkReceive.attributes[`nats_ts.${link}.remote_id`]).toBe(send.resource['service.instance.id']);
  const deliver = one(spans, 'deliver');
  expect(deliver.parentSpanId).toBe(linkReceive.spanId);
  expect(deliver.resource['service.instance.id']).toBe(linkReceive.resource['service.instance.id']);
  return { send, receive: linkReceive };
}

beforeAll(async () => {
  otlp = await OtlpReceiver.start();
  env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await stopAllServers();
  await otlp.close();
});

describe('message tracing across gateways and leaf connections', () => {
  it('links the gateway send span of cluster A to the gateway receive span of cluster B', async () => {
    const [a, b] = await withFreePorts(4, async ([gwA, clA, gwB, clB]) => {
      const gateways = { A: [`nats://127.0.0.1:${gwA}`], B: [`nats://127.0.0.1:${gwB}`] };
      const started = await Promise.allSettled([
        startServer('nats-ts', gatewayConfig({ target: 'nats-ts', cluster: 'A', gatewayPort: gwA!, clusterPort: clA!, routes: [], gateways }), { env }),
        startServer('nats-ts', gatewayConfig({ target: 'nats-ts', cluster: 'B', gatewayPort: gwB!, clusterPort: clB!, routes: [], gateways }), { env }),
      ]);
      const failed = started.find((r) => r.status === 'rejected');
      if (failed !== undefined) {
        await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
        throw (failed as PromiseRejectedResult).reason;
      }
      return started.map((r) => (r as PromiseFulfilledResult<RunningServer>).value);
    });
    await waitForGateways([a!, b!], ['A', 'B']);
    const pub = await client(a!);
    const sub = await client(b!);
    const atB = collect(sub, 'traced.link');
    await sub.flush();
    await waitForGatewayInterest([a!], 'B');
    await untilInterest(pub, 'traced.link', atB);

    const traceId = '5af7183fb1d4cf5f5af7183fb1d4cf5f';
    const clientSpan = '0102030405060708';
    const spans = await traceOneMessage(pub, atB, 'traced.link', traceId, clientSpan);
    const { send } = expectLinkedChain(spans, 'gateway', 'supercluster-gateway', 'traced.link', clientSpan);
    expect(send.attributes['nats_ts.gateway.remote_name']).toBe('B');
    // Cluster B's subscriber gets the trace context of our gateway send span.
    expect(atB[0]!.headers?.get('traceparent')).toBe(`00-${traceId}-${send.spanId}-01`);
  });

  it('links the leaf send span of one end to the leaf receive span of the other, leaf to hub and hub to leaf', async () => {
    const hub = await startHub('nats-ts', '', '', { env, port: await freePort() });
    const leaf = await startLeaf('nats-ts', [`{ url: "nats://127.0.0.1:${leafPort(hub)}" }`], '', { env });
    await waitForLeafs(hub, 1);
    const pub = await client(leaf);
    const sub = await client(hub);
    const atHub = collect(sub, 'traced.link');
    await sub.flush();
    await untilInterest(pub, 'traced.link', atHub);

    const traceId = '6bf8294fc2e5d06a6bf8294fc2e5d06a';
    const clientSpan = '1112131415161718';
    const spans = await traceOneMessage(pub, atHub, 'traced.link', traceId, clientSpan);
    const { send } = expectLinkedChain(spans, 'leaf', 'leaf-proxy', 'traced.link', clientSpan);
    expect(atHub[0]!.headers?.get('traceparent')).toBe(`00-${traceId}-${send.spanId}-01`);

    // And the other way, from the hub down to a subscriber on the leaf.
    const atLeaf = collect(pub, 'traced.down');
    await pub.flush();
    await untilInterest(sub, 'traced.down', atLeaf);
    const backTraceId = '7c09305ad3f6e17b7c09305ad3f6e17b';
    const backClientSpan = '2122232425262728';
    const back = await traceOneMessage(sub, atLeaf, 'traced.down', backTraceId, backClientSpan);
    const { send: hubSend } = expectLinkedChain(back, 'leaf', 'leaf-proxy', 'traced.down', backClientSpan);
    expect(hubSend.resource['service.instance.id']).toBe(send.attributes['nats_ts.leaf.remote_id']);
  });
});
