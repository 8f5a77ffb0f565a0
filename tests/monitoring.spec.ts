// HTTP monitoring endpoints. Key sets are the ones nats-server 2.9.10 returns; values are asserted
// where they follow from the configuration or from the traffic the test generated.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

// Go-runtime fields (`go`, `gomaxprocs`) and `system_account` are left out on purpose.
const varzKeys = [
  'server_id', 'server_name', 'version', 'proto', 'host', 'port', 'max_connections', 'ping_interval', 'ping_max',
  'http_host', 'http_port', 'http_base_path', 'https_port', 'auth_timeout', 'max_control_line', 'max_payload',
  'max_pending', 'cluster', 'gateway', 'leaf', 'mqtt', 'websocket', 'jetstream', 'tls_timeout', 'write_deadline',
  'start', 'now', 'uptime', 'mem', 'cores', 'cpu', 'connections', 'total_connections', 'routes', 'remotes',
  'leafnodes', 'in_msgs', 'out_msgs', 'in_bytes', 'out_bytes', 'slow_consumers', 'subscriptions', 'http_req_stats',
  'config_load_time',
];
const connzKeys = ['server_id', 'now', 'num_connections', 'total', 'offset', 'limit', 'connections'];
const connectionKeys = [
  'cid', 'kind', 'type', 'ip', 'port', 'start', 'last_activity', 'uptime', 'idle', 'pending_bytes', 'in_msgs',
  'out_msgs', 'in_bytes', 'out_bytes', 'subscriptions',
];
const subszKeys = [
  'num_subscriptions', 'num_cache', 'num_inserts', 'num_removes', 'num_matches', 'cache_hit_rate', 'max_fanout',
  'avg_fanout',
];
const subszListKeys = ['server_id', 'now', ...subszKeys, 'total', 'offset', 'limit', 'subscriptions_list'];

function missingKeys(object: Record<string, unknown>, keys: string[]): string[] {
  return keys.filter((key) => !(key in object));
}

type Json = Record<string, any>;

describeEachTarget('monitoring', (target) => {
  let server: RunningServer | undefined;
  const rawClients: RawClient[] = [];
  const connections: NatsConnection[] = [];

  afterEach(async () => {
    for (const client of rawClients.splice(0)) client.close();
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await server?.stop();
    server = undefined;
  });

  async function start(config = ''): Promise<RunningServer> {
    server = await startServer(target, `http: "127.0.0.1:-1"\n${config}`);
    return server;
  }

  async function get(path: string): Promise<Response> {
    return fetch(`${server!.httpUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  }

  async function getJson(path: string): Promise<Json> {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return (await response.json()) as Json;
  }

  async function official(name: string): Promise<NatsConnection> {
    const nc = await connect({ servers: server!.clientUrl, name, reconnect: false });
    connections.push(nc);
    return nc;
  }

  async function raw(fields: Record<string, unknown> = {}): Promise<RawClient> {
    const client = await RawClient.connected(server!.port, { verbose: false, pedantic: false, ...fields });
    rawClients.push(client);
    return client;
  }

  it('/healthz answers {"status":"ok"}', async () => {
    await start();
    expect(await getJson('/healthz')).toEqual({ status: 'ok' });
  });

  it('an unknown path is 404', async () => {
    await start();
    const response = await get('/no-such-endpoint');
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it('/varz has nats-server’s fields and reflects the configuration', async () => {
    await start(
      [
        'server_name: "monitored"',
        'max_payload: 2048',
        'max_connections: 100',
        'max_control_line: 1024',
        'max_pending: 32MB',
        'ping_interval: "30s"',
        'ping_max: 3',
        'write_deadline: "5s"',
      ].join('\n'),
    );
    const varz = await getJson('/varz');
    expect(missingKeys(varz, varzKeys)).toEqual([]);
    expect(varz).toMatchObject({
      server_name: 'monitored',
      proto: 1,
      host: '127.0.0.1',
      port: server!.port,
      http_host: '127.0.0.1',
      // nats-server reports the configured monitoring port (-1), not the one it picked.
      http_port: -1,
      http_base_path: '',
      https_port: 0,
      max_payload: 2048,
      max_connections: 100,
      max_control_line: 1024,
      max_pending: 32 * 1024 * 1024,
      ping_interval: 30_000_000_000,
      ping_max: 3,
      write_deadline: 5_000_000_000,
      auth_timeout: 2,
      tls_timeout: 2,
      connections: 0,
      total_connections: 0,
      in_msgs: 0,
      out_msgs: 0,
      in_bytes: 0,
      out_bytes: 0,
      slow_consumers: 0,
      routes: 0,
      remotes: 0,
      leafnodes: 0,
    });
    const client = await RawClient.connect(server!.port);
    rawClients.push(client);
    expect(varz.server_id).toBe(client.info.server_id);
    expect(varz.version).toBe(client.info.version);
    expect(typeof varz.uptime).toBe('string');
    expect(Number.isNaN(Date.parse(varz.start))).toBe(false);
    expect(Number.isNaN(Date.parse(varz.now))).toBe(false);
    expect(varz.cores).toBeGreaterThan(0);
    expect(varz.mem).toBeGreaterThan(0);
  });

  it('/varz defaults', async () => {
    await start();
    const varz = await getJson('/varz');
    expect(varz).toMatchObject({
      max_payload: 1048576,
      max_connections: 65536,
      max_control_line: 4096,
      max_pending: 67108864,
      ping_interval: 120_000_000_000,
      ping_max: 2,
      write_deadline: 10_000_000_000,
      auth_timeout: 2,
    });
    expect(varz.server_name).toBe(varz.server_id);
  });

  it('/varz counts connections and traffic', async () => {
    await start();
    const subscriber = await raw();
    await subscriber.roundTrip('SUB traffic 1\r\nSUB traffic 2\r\n');
    const publisher = await raw();
    // 3 messages of 5 bytes in, each delivered to 2 subscriptions.
    await publisher.roundTrip('PUB traffic 5\r\nhello\r\n'.repeat(3));
    await subscriber.roundTrip();
    const varz = await getJson('/varz');
    expect(varz).toMatchObject({
      connections: 2,
      total_connections: 2,
      in_msgs: 3,
      in_bytes: 15,
      out_msgs: 6,
      out_bytes: 30,
    });
    publisher.close();
    await expect
      .poll(async () => (await getJson('/varz')).connections, { timeout: 5_000, interval: 50 })
      .toBe(1);
    expect((await getJson('/varz')).total_connections).toBe(2);
  });

  it('/varz subscriptions grows and shrinks with client subscriptions', async () => {
    await start();
    const before = (await getJson('/varz')).subscriptions as number;
    const client = await raw();
    await client.roundTrip('SUB a 1\r\nSUB b 2\r\nSUB c.> 3\r\n');
    expect((await getJson('/varz')).subscriptions).toBe(before + 3);
    await client.roundTrip('UNSUB 1\r\n');
    expect((await getJson('/varz')).subscriptions).toBe(before + 2);
  });

  it('/varz counts http requests per endpoint', async () => {
    await start();
    await getJson('/healthz');
    await getJson('/varz');
    const varz = await getJson('/varz');
    expect(varz.http_req_stats['/varz']).toBe(2);
    expect(varz.http_req_stats['/healthz']).toBe(1);
  });

  it('/connz lists connections with nats-server’s fields', async () => {
    await start();
    const alpha = await official('alpha');
    const client = await raw({ name: 'raw-one', lang: 'raw', version: '9.9.9' });
    const connz = await getJson('/connz');
    expect(missingKeys(connz, connzKeys)).toEqual([]);
    expect(connz).toMatchObject({ num_connections: 2, total: 2, offset: 0, limit: 1024 });
    expect(connz.server_id).toBe(client.info.server_id);
    for (const connection of connz.connections) expect(missingKeys(connection, connectionKeys)).toEqual([]);

    const rawEntry = connz.connections.find((connection: Json) => connection.cid === client.info.client_id);
    expect(rawEntry).toMatchObject({
      kind: 'Client',
      type: 'nats',
      ip: '127.0.0.1',
      port: client.socket.localPort,
      name: 'raw-one',
      lang: 'raw',
      version: '9.9.9',
      subscriptions: 0,
      pending_bytes: 0,
    });
    const alphaEntry = connz.connections.find((connection: Json) => connection.name === 'alpha');
    expect(alphaEntry).toMatchObject({ kind: 'Client', type: 'nats', ip: '127.0.0.1', lang: 'nats.js' });
    expect(alphaEntry.cid).toBe(alpha.info?.client_id);
    // Default order is by cid.
    const cids = connz.connections.map((connection: Json) => connection.cid);
    expect(cids).toEqual([...cids].sort((a: number, b: number) => a - b));
  });

  it('/connz per-connection message counters and subscription counts', async () => {
    await start();
    const subscriber = await raw({ name: 'sub' });
    await subscriber.roundTrip('SUB x 1\r\nSUB y 2\r\n');
    const publisher = await raw({ name: 'pub' });
    await publisher.roundTrip('PUB x 3\r\nabc\r\nPUB y 4\r\nabcd\r\nPUB z 1\r\na\r\n');
    await subscriber.roundTrip();
    const connz = await getJson('/connz');
    const byName = (name: string): Json => connz.connections.find((connection: Json) => connection.name === name);
    expect(byName('sub')).toMatchObject({ subscriptions: 2, out_msgs: 2, out_bytes: 7, in_msgs: 0, in_bytes: 0 });
    expect(byName('pub')).toMatchObject({ subscriptions: 0, in_msgs: 3, in_bytes: 8, out_msgs: 0, out_bytes: 0 });
  });

  it('/connz?subs=1 adds subscriptions_list; subs=detail adds subscriptions_list_detail', async () => {
    await start();
    const client = await raw({ name: 'subs' });
    await client.roundTrip('SUB foo.bar 1\r\nSUB foo.* workers 2\r\nPUB foo.bar 2\r\nhi\r\n');
    const plain = (await getJson('/connz')).connections[0];
    expect(plain).not.toHaveProperty('subscriptions_list');
    const listed = (await getJson('/connz?subs=1')).connections[0];
    expect([...listed.subscriptions_list].sort()).toEqual(['foo.*', 'foo.bar']);
    const detailed = (await getJson('/connz?subs=detail')).connections[0];
    const details = [...detailed.subscriptions_list_detail].sort((a: Json, b: Json) => a.sid.localeCompare(b.sid));
    expect(details).toEqual([
      { subject: 'foo.bar', sid: '1', msgs: 1, cid: client.info.client_id },
      { subject: 'foo.*', qgroup: 'workers', sid: '2', msgs: 1, cid: client.info.client_id },
    ]);
  });

  it('/connz limit and offset page through connections', async () => {
    await start();
    const clients = [await raw({ name: 'c0' }), await raw({ name: 'c1' }), await raw({ name: 'c2' })];
    const page = await getJson('/connz?limit=1&offset=1');
    expect(page).toMatchObject({ num_connections: 1, total: 3, offset: 1, limit: 1 });
    expect(page.connections.map((connection: Json) => connection.cid)).toEqual([clients[1]!.info.client_id]);
    const tail = await getJson('/connz?offset=2');
    expect(tail).toMatchObject({ num_connections: 1, total: 3, offset: 2 });
    const beyond = await getJson('/connz?offset=5');
    expect(beyond).toMatchObject({ num_connections: 0, offset: 5, connections: [] });
  });

  it('/connz?cid= selects one connection', async () => {
    await start();
    await raw({ name: 'first' });
    const second = await raw({ name: 'second' });
    const connz = await getJson(`/connz?cid=${second.info.client_id}`);
    expect(connz.num_connections).toBe(1);
    expect(connz.connections[0]).toMatchObject({ cid: second.info.client_id, name: 'second' });
    expect((await getJson('/connz?cid=99999')).connections).toEqual([]);
  });

  it('/connz?sort=msgs_to orders by messages sent to the client, most first', async () => {
    await start();
    const receivers = [await raw({ name: 'r1' }), await raw({ name: 'r5' }), await raw({ name: 'r3' })];
    await receivers[0]!.roundTrip('SUB one 1\r\n');
    await receivers[1]!.roundTrip('SUB five 1\r\n');
    await receivers[2]!.roundTrip('SUB three 1\r\n');
    const publisher = await raw({ name: 'publisher' });
    const pubs = (subject: string, n: number): string => `PUB ${subject} 1\r\nx\r\n`.repeat(n);
    await publisher.roundTrip(pubs('one', 1) + pubs('five', 5) + pubs('three', 3));
    for (const receiver of receivers) await receiver.roundTrip();
    const connz = await getJson('/connz?sort=msgs_to');
    expect(connz.connections.map((connection: Json) => connection.name)).toEqual(['r5', 'r3', 'r1', 'publisher']);
    const byMsgsFrom = await getJson('/connz?sort=msgs_from');
    expect(byMsgsFrom.connections[0].name).toBe('publisher');
    const bySubs = await getJson('/connz?sort=subs&limit=3');
    expect(bySubs.connections.map((connection: Json) => connection.name)).not.toContain('publisher');
  });

  it('/connz rejects an unknown sort option with 400', async () => {
    await start();
    const response = await get('/connz?sort=bogus');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('invalid sorting option: bogus');
  });

  it('/subsz counts subscriptions', async () => {
    await start();
    const before = await getJson('/subsz');
    expect(missingKeys(before, subszKeys)).toEqual([]);
    const client = await raw();
    await client.roundTrip('SUB s.a 1\r\nSUB s.b 2\r\nSUB s.* q 3\r\n');
    const after = await getJson('/subsz');
    expect(after.num_subscriptions).toBe(before.num_subscriptions + 3);
    expect(after.num_inserts).toBe(before.num_inserts + 3);
    await client.roundTrip('UNSUB 2\r\n');
    const removed = await getJson('/subsz');
    expect(removed.num_subscriptions).toBe(before.num_subscriptions + 2);
    expect(removed.num_removes).toBe(before.num_removes + 1);
  });

  it('/subsz?subs=1&test= lists the subscriptions a subject would match', async () => {
    await start();
    const client = await raw();
    await client.roundTrip('SUB s.a 1\r\nSUB s.b 2\r\nSUB s.* q 3\r\nPUB s.a 1\r\nx\r\n');
    const subsz = await getJson('/subsz?subs=1&test=s.a');
    expect(missingKeys(subsz, subszListKeys)).toEqual([]);
    expect(subsz.total).toBe(2);
    const listed = [...subsz.subscriptions_list].sort((a: Json, b: Json) => a.sid.localeCompare(b.sid));
    expect(listed).toEqual([
      { account: '$G', subject: 's.a', sid: '1', msgs: 1, cid: client.info.client_id },
      { account: '$G', subject: 's.*', qgroup: 'q', sid: '3', msgs: 1, cid: client.info.client_id },
    ]);
    const paged = await getJson('/subsz?subs=1&test=s.a&limit=1');
    // nats-server's subsz `total` counts the returned page, unlike connz.
    expect(paged).toMatchObject({ total: 1, limit: 1, offset: 0 });
    expect(paged.subscriptions_list).toHaveLength(1);
  });

  it('/subsz rejects a test subject with wildcards with 400', async () => {
    await start();
    const response = await get('/subsz?subs=1&test=s.*');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('invalid test subject, must be valid publish subject: s.*');
  });

  it('monitoring port from http_port binds to the client host; varz keeps the configured port', async () => {
    server = await startServer(target, 'http_port: -1');
    expect(server.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await getJson('/healthz')).toEqual({ status: 'ok' });
    expect((await getJson('/varz')).http_port).toBe(-1);
  });
});
