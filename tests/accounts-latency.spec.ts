// Service latency tracking: an export's `latency { sampling, subject }` publishes nats-server
// 2.9's ServiceLatency metric in the exporting account for each sampled request answered
// across accounts. Against nats-ts and nats-server 2.9.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, getJson, sleep, type Json } from './cluster-helpers.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const CONFIG = `
server_name: LAT
http: "127.0.0.1:-1"
accounts {
  A: {
    users: [ { user: a, password: a } ]
    exports: [ { service: "help.>", latency: { sampling: 100%, subject: "latency.help" } }, { service: "quiet.>" } ]
  }
  B: {
    users: [ { user: b, password: b } ]
    imports: [ { service: { account: A, subject: "help.>" }, to: "a.help.>" }, { service: { account: A, subject: "quiet.>" } } ]
  }
}
`;

describeEachTarget('service latency tracking', (target) => {
  let server: RunningServer;
  let a: NatsConnection;
  let b: NatsConnection;
  const metrics: Json[] = [];
  beforeAll(async () => {
    server = await startServer(target, CONFIG);
    a = await connect({ servers: server.clientUrl, user: 'a', pass: 'a', name: 'responder', reconnect: false });
    b = await connect({ servers: server.clientUrl, user: 'b', pass: 'b', name: 'requestor', reconnect: false });
    for (const subject of ['help.>', 'quiet.>']) {
      a.subscribe(subject, {
        callback: (_err, msg) => {
          void sleep(20).then(() => msg.respond('ok'));
        },
      });
    }
    a.subscribe('latency.help', {
      callback: (_err, msg) => {
        metrics.push(msg.json<Json>());
      },
    });
    await a.flush();
  });
  afterAll(async () => {
    await Promise.all([a, b].map((nc) => nc?.close().catch(() => undefined)));
    await server?.stop();
  });

  it('publishes a ServiceLatency metric in the exporter for a request answered across accounts', async () => {
    expect((await b.request('a.help.me', '', { timeout: 2_000 })).string()).toBe('ok');
    await eventually(() => expect(metrics).toHaveLength(1));
    const metric = metrics[0]!;
    expect(metric).toMatchObject({
      type: 'io.nats.server.metric.v1.service_latency',
      status: 200,
      requestor: { acc: 'B' },
      responder: { acc: 'A', name: 'responder', lang: 'nats.js', kind: 'Client', client_type: 'nats', server: 'LAT', host: '127.0.0.1' },
    });
    expect(metric.id).toMatch(/^[0-9A-Za-z]{22}$/);
    // The requester's details stay out without `share` on the import.
    expect(metric.requestor.name).toBeUndefined();
    expect(Number.isNaN(Date.parse(metric.start))).toBe(false);
    // The responder waited 20 ms: service time in ns, the total at least as long.
    expect(metric.service).toBeGreaterThan(15_000_000);
    expect(metric.total).toBeGreaterThanOrEqual(metric.service);
    expect(metric.system).toBeGreaterThanOrEqual(0);
  });

  it('measures only the exports that track latency, and shows the tracking in /accountz', async () => {
    metrics.length = 0;
    expect((await b.request('quiet.x', '', { timeout: 2_000 })).string()).toBe('ok');
    await sleep(200);
    expect(metrics).toEqual([]);
    const detail = (await getJson(server, '/accountz?acc=A')).account_detail as Json;
    expect((detail.exports as Json[]).find((x) => x.subject === 'help.>')).toEqual({
      subject: 'help.>',
      type: 'service',
      response_type: 'Singleton',
      service_latency: { sampling: 100, results: 'latency.help' },
    });
  });
});
