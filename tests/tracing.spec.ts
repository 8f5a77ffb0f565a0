// OpenTelemetry tracing across processes: two client-gateway replicas and a route-mesh on the TCP
// bus (static member list), routed to a reference nats-server, all exporting to an OTLP/HTTP
// receiver this test runs. A message published with a `traceparent` header yields one trace:
// received by the gateway, each bus hop, delivered, routed out with the trace context carried on
// to the other server in the message's header; and the same back from the route.
import { connect, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { freePort } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';
import { startServer, stopAllServers, type RunningServer } from './support/servers.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const BACK_TRACE_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const BACK_CLIENT_SPAN = '1122334455667788';
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

let otlp: OtlpReceiver;
let gwA: RoleProcess;
let gwB: RoleProcess;
let mesh: RoleProcess;
let reference: RunningServer;
const clients: NatsConnection[] = [];

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function client(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url });
  clients.push(nc);
  return nc;
}

function collect(nc: NatsConnection, subject: string): Msg[] {
  const received: Msg[] = [];
  nc.subscribe(subject, { callback: (_err, msg) => void received.push(msg) });
  return received;
}

/** Probes without trace context until each list has a message: interest has crossed the bus and the route. */
async function untilInterest(from: NatsConnection, subject: string, lists: Msg[][]): Promise<void> {
  await until(() => {
    if (lists.some((l) => l.length === 0)) from.publish(subject, 'probe');
    return lists.every((l) => l.length > 0);
  }, `interest in ${subject}`);
  for (const l of lists) l.length = 0;
}

function tracedHeaders(traceId: string, spanId: string): ReturnType<typeof headers> {
  const h = headers();
  h.set('traceparent', `00-${traceId}-${spanId}-01`);
  return h;
}

function one(spans: ReceivedSpan[], name: string, where: (s: ReceivedSpan) => boolean = () => true): ReceivedSpan {
  const found = spans.filter((s) => s.name === name && where(s));
  expect(found, `exactly one ${name} span`).toHaveLength(1);
  return found[0]!;
}

beforeAll(async () => {
  otlp = await OtlpReceiver.start();
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const ports = [await freePort(), await freePort(), await freePort()];
  const list = ports.map((p) => `"127.0.0.1:${p}"`).join(', ');
  const bus = (port: number): string => `bus { listen: "127.0.0.1:${port}", members: [${list}], heartbeat: "200ms", member_timeout: "2s" }`;
  [gwA, gwB, mesh] = await Promise.all([
    startRole('client-gateway', bus(ports[0]!), env),
    startRole('client-gateway', bus(ports[1]!), env),
    startRole('route-mesh', `${bus(ports[2]!)}\ncluster { name: TRACED, listen: "127.0.0.1:-1" }`, env),
  ]);
  reference = await startServer('nats-server', `cluster { name: TRACED, listen: "127.0.0.1:-1", routes: ["${mesh.clusterUrl}"] }`);
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await stopAllServers();
  await stopAllRoles();
  await otlp.close();
});

describe('message tracing across processes', () => {
  it('traces a message published with a traceparent header through the bus, to local and remote subscribers and out over the route', async () => {
    const pub = await client(gwA.clientUrl);
    const localSub = await client(gwA.clientUrl);
    const remoteSub = await client(gwB.clientUrl);
    const nsSub = await client(reference.clientUrl);
    const atA = collect(localSub, 'traced.orders');
    const atB = collect(remoteSub, 'traced.orders');
    const atNs = collect(nsSub, 'traced.orders');
    await Promise.all([localSub.flush(), remoteSub.flush(), nsSub.flush()]);
    await untilInterest(pub, 'traced.orders', [atA, atB, atNs]);

    pub.publish('traced.orders', 'order 1', { headers: tracedHeaders(TRACE_ID, CLIENT_SPAN) });
    await until(() => atA.length === 1 && atB.length === 1 && atNs.length === 1, 'the traced message everywhere');
    // gw A: receive, a local delivery, a bus send to gw B and to the route-mesh; gw B: bus receive,
    // delivery; route-mesh: bus receive, route send.
    await until(() => otlp.trace(TRACE_ID).length >= 8, 'the spans to be exported');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const spans = otlp.trace(TRACE_ID);
    expect(spans).toHaveLength(8);
    expect(otlp.contentTypes).toEqual(new Set(['application/json']));

    const receive = one(spans, 'receive');
    expect(receive).toMatchObject({ parentSpanId: CLIENT_SPAN, kind: SERVER });
    expect(receive.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'traced.orders', 'nats_ts.role': 'client-gateway', 'messaging.message.body.size': 7 });
    const instanceA = receive.resource['service.instance.id'];
    expect(receive.resource['service.name']).toBe('nats-ts');

    const localDeliver = one(spans, 'deliver', (s) => s.resource['service.instance.id'] === instanceA);
    expect(localDeliver).toMatchObject({ parentSpanId: receive.spanId, kind: PRODUCER });

    const toB = one(spans, 'bus send', (s) => s.attributes['nats_ts.bus.to_role'] === 'client-gateway');
    const toMesh = one(spans, 'bus send', (s) => s.attributes['nats_ts.bus.to_role'] === 'route-mesh');
    for (const send of [toB, toMesh]) {
      expect(send).toMatchObject({ parentSpanId: receive.spanId, kind: PRODUCER });
      expect(send.resource['service.instance.id']).toBe(instanceA);
      expect(send.attributes['nats_ts.bus.from_role']).toBe('client-gateway');
    }
    expect(toB.attributes['nats_ts.bus.peer']).toBe(gwB.busUrl);
    expect(toMesh.attributes['nats_ts.bus.peer']).toBe(mesh.busUrl);

    const atBReceive = one(spans, 'bus receive', (s) => s.parentSpanId === toB.spanId);
    expect(atBReceive).toMatchObject({ kind: CONSUMER });
    expect(atBReceive.attributes['nats_ts.bus.peer']).toBe(gwA.busUrl);
    expect(atBReceive.resource['service.instance.id']).not.toBe(instanceA);
    const remoteDeliver = one(spans, 'deliver', (s) => s.parentSpanId === atBReceive.spanId);
    expect(remoteDeliver.resource['service.instance.id']).toBe(atBReceive.resource['service.instance.id']);

    const atMeshReceive = one(spans, 'bus receive', (s) => s.parentSpanId === toMesh.spanId);
    const routeSend = one(spans, 'route send');
    expect(routeSend).toMatchObject({ parentSpanId: atMeshReceive.spanId, kind: PRODUCER });
    expect(routeSend.attributes).toMatchObject({ 'nats_ts.role': 'route-mesh', 'messaging.destination.name': 'traced.orders' });
    expect(routeSend.attributes['nats_ts.route.remote_id']).toMatch(/^N/);

    // The other server gets the trace context of our route send span; local subscribers the publisher's.
    expect(atNs[0]!.headers?.get('traceparent')).toBe(`00-${TRACE_ID}-${routeSend.spanId}-01`);
    expect(atB[0]!.headers?.get('traceparent')).toBe(`00-${TRACE_ID}-${CLIENT_SPAN}-01`);
  });

  it('continues the trace of a message that arrives over the route with a traceparent header', async () => {
    const nsPub = await client(reference.clientUrl);
    const sub = await client(gwB.clientUrl);
    const atB = collect(sub, 'traced.back');
    await sub.flush();
    await untilInterest(nsPub, 'traced.back', [atB]);
    nsPub.publish('traced.back', 'reply', { headers: tracedHeaders(BACK_TRACE_ID, BACK_CLIENT_SPAN) });
    await until(() => atB.length === 1, 'the traced message at gw B');
    await until(() => otlp.trace(BACK_TRACE_ID).length >= 4, 'the spans to be exported');
    const spans = otlp.trace(BACK_TRACE_ID);
    const routeReceive = one(spans, 'route receive');
    expect(routeReceive).toMatchObject({ kind: CONSUMER });
    // nats-server passes the publisher's header on unchanged.
    expect(routeReceive.parentSpanId).toBe(BACK_CLIENT_SPAN);
    const send = one(spans, 'bus send');
    expect(send.parentSpanId).toBe(routeReceive.spanId);
    const receive = one(spans, 'bus receive');
    expect(receive.parentSpanId).toBe(send.spanId);
    expect(one(spans, 'deliver').parentSpanId).toBe(receive.spanId);
  });

  it('records nothing for messages without trace context (sampling ratio 0)', async () => {
    const before = otlp.spans.length;
    const pub = await client(gwA.clientUrl);
    const sub = await client(gwB.clientUrl);
    const atB = collect(sub, 'untraced');
    await sub.flush();
    await untilInterest(pub, 'untraced', [atB]);
    for (let i = 0; i < 20; i++) pub.publish('untraced', 'x');
    await until(() => atB.length === 20, 'untraced messages');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(otlp.spans.length).toBe(before);
  });
});
