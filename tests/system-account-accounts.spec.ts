// One account's detail and requests about one account: `/accountz?acc=<name>` and
// `$SYS.REQ.ACCOUNT.<acc>.INFO|LEAFZ|JSZ|STATZ|CONNS`, in nats-server 2.9's JSON. Against
// nats-ts and nats-server 2.9.
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getJson, sleep, type Json } from './cluster-helpers.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const CONFIG = `
server_name: ACC
http: "127.0.0.1:-1"
mappings { "top.a": "top.b" }
accounts {
  SYS: { users: [ { user: admin, password: admin } ] }
  A: {
    users: [ { user: a, password: a } ]
    jetstream: enabled
    exports: [
      { service: "help.>" }
      { service: "priv.>", accounts: [B], response_type: stream }
      { stream: "news.>" }
    ]
    mappings {
      "orders.*": "orders.{{wildcard(1)}}.new"
      "svc": [ { destination: "svc.v1", weight: 80% }, { destination: "svc.v2", weight: 20% } ]
      "half": [ { destination: "half.v1", weight: 50% } ]
    }
  }
  B: {
    users: [ { user: b, password: b } ]
    imports: [
      { service: { account: A, subject: "help.>" }, to: "a.help.>" }
      { service: { account: A, subject: "priv.>" }, share: true }
      { stream: { account: A, subject: "news.>" }, prefix: "a" }
    ]
  }
  E: { users: [ { user: e, password: e } ] }
}
system_account: SYS
jetstream { store_dir: "js" }
`;

/** Publishes a request and collects every reply that comes within `waitMs`. */
async function gather(nc: NatsConnection, subject: string, body = '', waitMs = 500): Promise<Json[]> {
  const inbox = createInbox();
  const replies: Json[] = [];
  const sub = nc.subscribe(inbox, {
    callback: (_err, msg) => {
      replies.push(msg.json<Json>());
    },
  });
  await nc.flush();
  nc.publish(subject, body, { reply: inbox });
  await sleep(waitMs);
  sub.unsubscribe();
  return replies;
}

/** Imports the configuration gave (nats-server adds some of the system account's services). */
function configuredImports(detail: Json): Json[] {
  return ((detail.imports ?? []) as Json[]).filter((i) => i.account !== 'SYS');
}

const bySubject = (a: Json, b: Json): number => String(a.subject).localeCompare(String(b.subject));

describeEachTarget('one account: /accountz?acc=', (target) => {
  let server: RunningServer;
  const connections: NatsConnection[] = [];
  const as = async (user: string): Promise<NatsConnection> => {
    const nc = await connect({ servers: server.clientUrl, user, pass: user, reconnect: false, timeout: 3_000 });
    connections.push(nc);
    return nc;
  };
  beforeAll(async () => {
    server = await startServer(target, CONFIG);
  });
  afterAll(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await server?.stop();
  });

  it("shows an exporting account's exports, mappings (cumulative weights), connections and sublist", async () => {
    const a = await as('a');
    a.subscribe('help.>');
    await a.flush();
    const accountz = await getJson(server, '/accountz?acc=A');
    expect(accountz.accounts).toBeUndefined();
    expect(accountz.system_account).toBe('SYS');
    const detail = accountz.account_detail as Json;
    expect(detail).toMatchObject({ account_name: 'A', expired: false, complete: true, jetstream_enabled: true, leafnode_connections: 0, client_connections: 1 });
    expect(detail.is_system).toBeUndefined();
    expect(Number.isNaN(Date.parse(detail.update_time))).toBe(false);
    expect(detail.subscriptions).toBeGreaterThanOrEqual(1);
    expect(detail.sublist_stats).toMatchObject({ num_subscriptions: detail.subscriptions, num_inserts: expect.any(Number), cache_hit_rate: expect.any(Number) });
    expect([...(detail.exports as Json[])].sort(bySubject)).toEqual([
      { subject: 'help.>', type: 'service', response_type: 'Singleton' },
      { subject: 'news.>', type: 'stream' },
      { subject: 'priv.>', type: 'service', response_type: 'Streamed', approved_accounts: ['B'] },
    ]);
    expect(detail.mappings).toEqual({
      'orders.*': [{ subject: 'orders.{{wildcard(1)}}.new', weight: 100 }],
      svc: [
        { subject: 'svc.v2', weight: 20 },
        { subject: 'svc.v1', weight: 100 },
      ],
      half: [
        { subject: 'half.v1', weight: 50 },
        { subject: 'half', weight: 100 },
      ],
    });
    expect(configuredImports(detail)).toEqual([]);
  });

  it("shows an importing account's stream and service imports", async () => {
    const detail = (await getJson(server, '/accountz?acc=B')).account_detail as Json;
    expect(detail.account_name).toBe('B');
    expect(detail.exports).toBeUndefined();
    expect(detail.mappings).toBeUndefined();
    const flags = { invalid: false, tracking: false };
    expect(configuredImports(detail).sort(bySubject)).toEqual([
      { subject: 'a.help.>', account: 'A', to: 'help.>', type: 'service', share: false, ...flags },
      { subject: 'news.>', account: 'A', local_subject: 'a.news.>', type: 'stream', share: false, ...flags },
      { subject: 'priv.>', account: 'A', to: 'priv.>', type: 'service', share: true, ...flags },
    ]);
  });

  it('shows the global account with the top-level mappings, and the system account as such', async () => {
    const global = (await getJson(server, '/accountz?acc=$G')).account_detail as Json;
    expect(global).toMatchObject({ account_name: '$G', mappings: { 'top.a': [{ subject: 'top.b', weight: 100 }] } });
    const system = (await getJson(server, '/accountz?acc=SYS')).account_detail as Json;
    expect(system).toMatchObject({ account_name: 'SYS', is_system: true });
  });

  it('answers an unknown account with 400 and nats-server\'s words', async () => {
    const response = await fetch(`${server.httpUrl}/accountz?acc=NOPE`, { signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Account NOPE does not exist');
  });

  it('lists a requester waiting for a streamed response among the exporter\'s responses', async () => {
    const a = await as('a');
    const b = await as('b');
    const requests: string[] = [];
    a.subscribe('priv.>', {
      callback: (_err, msg) => {
        requests.push(msg.reply ?? '');
      },
    });
    await a.flush();
    const inbox = createInbox();
    b.subscribe(inbox);
    b.publish('priv.q', 'x', { reply: inbox });
    await b.flush();
    await sleep(200);
    expect(requests).toHaveLength(1);
    const responses = ((await getJson(server, '/accountz?acc=A')).account_detail as Json).responses as Json;
    // nats-server writes this record's type as a number, and it carries the import's share flag.
    expect(responses[requests[0]!]).toEqual({ subject: requests[0], account: 'B', to: inbox, type: 2, invalid: false, share: true, tracking: false });
  });
});

describeEachTarget('one account: $SYS.REQ.ACCOUNT.<acc>.<name>', (target) => {
  let server: RunningServer;
  let admin: NatsConnection;
  let a: NatsConnection;
  beforeAll(async () => {
    server = await startServer(target, CONFIG);
    admin = await connect({ servers: server.clientUrl, user: 'admin', pass: 'admin', reconnect: false, timeout: 3_000 });
    a = await connect({ servers: server.clientUrl, user: 'a', pass: 'a', reconnect: false, timeout: 3_000 });
    a.subscribe('help.>');
    await a.flush();
  });
  afterAll(async () => {
    await Promise.all([admin, a].map((nc) => nc?.close().catch(() => undefined)));
    await server?.stop();
  });

  it('answers INFO with the account detail /accountz?acc= shows, and an unknown account with an error', async () => {
    const [info] = await gather(admin, '$SYS.REQ.ACCOUNT.B.INFO');
    expect(info!.server).toMatchObject({ name: 'ACC' });
    expect(info!.data).toMatchObject({ account_name: 'B', client_connections: 0, expired: false, complete: true });
    expect(configuredImports(info!.data).map((i) => i.subject).sort()).toEqual(['a.help.>', 'news.>', 'priv.>']);
    const [unknown] = await gather(admin, '$SYS.REQ.ACCOUNT.NOPE.INFO');
    expect(unknown).toMatchObject({ data: null, error: { code: 500, description: 'Account NOPE does not exist' } });
    const [bad] = await gather(admin, '$SYS.REQ.ACCOUNT.A.INFO', '{bad');
    expect(bad!.error.code).toBe(400);
    expect(bad!.data).toBeUndefined();
  });

  it('answers STATZ for an account with clients here, and for one without only with include_unused', async () => {
    const [statz] = await gather(admin, '$SYS.REQ.ACCOUNT.A.STATZ');
    expect(statz!.data.server_id).toBe(statz!.server.id);
    expect(statz!.data.account_statz).toEqual([
      { acc: 'A', conns: 1, leafnodes: 0, total_conns: 1, sent: expect.any(Object), received: expect.any(Object), slow_consumers: 0 },
    ]);
    expect(await gather(admin, '$SYS.REQ.ACCOUNT.E.STATZ')).toEqual([]);
    const [unused] = await gather(admin, '$SYS.REQ.ACCOUNT.E.STATZ', JSON.stringify({ include_unused: true }));
    expect(unused!.data.account_statz).toMatchObject([{ acc: 'E', conns: 0, total_conns: 0 }]);
  });

  it('answers PING.STATZ once, with every account that has clients here or those asked for', async () => {
    const all = await gather(admin, '$SYS.REQ.ACCOUNT.PING.STATZ');
    expect(all).toHaveLength(1);
    expect((all[0]!.data.account_statz as Json[]).map((s) => s.acc).sort()).toEqual(['A', 'SYS']);
    const [some] = await gather(admin, '$SYS.REQ.ACCOUNT.PING.STATZ', JSON.stringify({ accounts: ['A'] }));
    expect((some!.data.account_statz as Json[]).map((s) => s.acc)).toEqual(['A']);
  });

  it('answers CONNS with the account connections event, only for an account with clients here', async () => {
    const [conns] = await gather(admin, '$SYS.REQ.ACCOUNT.A.CONNS');
    expect(conns).toMatchObject({ type: 'io.nats.server.advisory.v1.account_connections', server: { name: 'ACC' }, acc: 'A', conns: 1, total_conns: 1 });
    expect(conns!.id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(await gather(admin, '$SYS.REQ.ACCOUNT.E.CONNS')).toEqual([]);
    expect(await gather(admin, '$SYS.REQ.ACCOUNT.A.CONNS', JSON.stringify({ acc: 'B' }))).toEqual([]);
  });

  it("answers LEAFZ with the account's leaf connections and JSZ with its JetStream detail", async () => {
    const [leafz] = await gather(admin, '$SYS.REQ.ACCOUNT.A.LEAFZ');
    expect(leafz!.data).toMatchObject({ server_id: leafz!.server.id, leafnodes: 0 });
    const [jsz] = await gather(admin, '$SYS.REQ.ACCOUNT.A.JSZ');
    expect(jsz!.data).toMatchObject({ name: 'A', id: 'A', memory: 0, storage: 0, api: { total: expect.any(Number), errors: 0 } });
    const [none] = await gather(admin, '$SYS.REQ.ACCOUNT.E.JSZ');
    expect(none).toMatchObject({ data: null, error: { code: 500, description: 'account "E" not jetstream enabled' } });
  });

  it("still answers CONNZ and SUBSZ with the account's connections and subscriptions", async () => {
    const [connz] = await gather(admin, '$SYS.REQ.ACCOUNT.A.CONNZ', JSON.stringify({ auth: true }));
    expect((connz!.data.connections as Json[]).map((c) => c.account)).toEqual(['A']);
    const [subsz] = await gather(admin, '$SYS.REQ.ACCOUNT.A.SUBSZ');
    expect((subsz!.data.subscriptions_list as Json[]).map((sub) => [sub.account, sub.subject])).toContainEqual(['A', 'help.>']);
  });
});
