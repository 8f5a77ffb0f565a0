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
}
system_account: SYS
`;

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
    expect(detail).toMatchObject({ account_name: 'A', expired: false, complete: true, jetstream_enabled: false, leafnode_connections: 0, client_connections: 1 });
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
