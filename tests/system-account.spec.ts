// The system account: a system user's `$SYS.REQ.SERVER...` requests are answered by every server
// of a cluster, one reply each, in nats-server's JSON (`{"server": {...}, "data": {...}}`); users
// of other accounts cannot reach `$SYS`. Against nats-ts and nats-server 2.9.
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterUrl, eventually, getJson, sleep, startClusterMember, waitForMesh, type Json } from './cluster-helpers.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const ACCOUNTS = `
system_account: SYS
accounts {
  SYS: { users: [ { user: admin, password: admin } ] }
  A: { users: [ { user: a, password: a } ] }
}
`;

/** Publishes a request and collects every reply that comes within `waitMs`. */
async function gather(nc: NatsConnection, subject: string, body = '', waitMs = 750): Promise<Json[]> {
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

describeEachTarget('system account in a three-server cluster', (target) => {
  const servers: RunningServer[] = [];
  const connections: NatsConnection[] = [];
  const as = async (server: RunningServer, user: string): Promise<NatsConnection> => {
    const nc = await connect({ servers: server.clientUrl, user, pass: user, reconnect: false, timeout: 3_000 });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    const s1 = await startClusterMember(target, { extra: `server_name: S1\n${ACCOUNTS}` });
    const s2 = await startClusterMember(target, { extra: `server_name: S2\n${ACCOUNTS}`, routes: [clusterUrl(s1)] });
    const s3 = await startClusterMember(target, { extra: `server_name: S3\n${ACCOUNTS}`, routes: [clusterUrl(s1)] });
    servers.push(s1, s2, s3);
    await waitForMesh(servers);
  });
  afterAll(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('answers $SYS.REQ.SERVER.PING once per server, with each server and its statsz', async () => {
    const admin = await as(servers[0]!, 'admin');
    let replies: Json[] = [];
    await eventually(async () => {
      replies = await gather(admin, '$SYS.REQ.SERVER.PING');
      expect(replies).toHaveLength(3);
    });
    expect(replies.map((r) => r.server.name).sort()).toEqual(['S1', 'S2', 'S3']);
    for (const reply of replies) {
      expect(reply.server).toMatchObject({ cluster: 'TEST', ver: '2.9.10', jetstream: false });
      expect(reply.server.id).toMatch(/^N[A-Z2-7]{55}$/);
      expect(typeof reply.server.seq).toBe('number');
      expect(Number.isNaN(Date.parse(reply.server.time))).toBe(false);
      expect(reply.statsz).toMatchObject({ sent: { msgs: expect.any(Number) }, received: { bytes: expect.any(Number) } });
      expect(reply.statsz.routes).toHaveLength(2);
    }
    const s1 = replies.find((r) => r.server.name === 'S1')!;
    expect(s1.statsz.connections).toBe(1);
  });

  it('answers PING.VARZ and PING.CONNZ from every server with its own document', async () => {
    const admin = await as(servers[0]!, 'admin');
    const varz = await gather(admin, '$SYS.REQ.SERVER.PING.VARZ');
    expect(varz).toHaveLength(3);
    for (const reply of varz) {
      expect(reply.data.server_id).toBe(reply.server.id);
      expect(reply.data.server_name).toBe(reply.server.name);
      expect(reply.data.cluster.name).toBe('TEST');
    }
    const connz = await gather(admin, '$SYS.REQ.SERVER.PING.CONNZ', JSON.stringify({ subscriptions: true, auth: true }));
    expect(connz).toHaveLength(3);
    const own = connz.find((r) => r.server.name === 'S1')!;
    const users = (own.data.connections as Json[]).map((c) => [c.authorized_user, c.account]);
    expect(users).toContainEqual(['admin', 'SYS']);
    expect(own.data.server_id).toBe(own.server.id);
  });

  it('answers $SYS.REQ.SERVER.<id>.<name> from that server only, honouring the body', async () => {
    const admin = await as(servers[0]!, 'admin');
    await as(servers[2]!, 'a');
    const third = (await gather(admin, '$SYS.REQ.SERVER.PING.VARZ')).find((r) => r.server.name === 'S3')!;
    const direct = await gather(admin, `$SYS.REQ.SERVER.${third.server.id}.CONNZ`, JSON.stringify({ acc: 'A', auth: true }));
    expect(direct).toHaveLength(1);
    expect(direct[0]!.server.name).toBe('S3');
    expect((direct[0]!.data.connections as Json[]).map((c) => c.account)).toEqual(['A']);
    const filtered = await gather(admin, '$SYS.REQ.SERVER.PING.HEALTHZ', JSON.stringify({ server_name: 'S2' }));
    expect(filtered.map((r) => [r.server.name, r.data.status])).toEqual([['S2', 'ok']]);
  });

  it('serves /accountz and PING.ACCOUNTZ: the accounts and which is the system account', async () => {
    const accountz = await getJson(servers[0]!, '/accountz');
    expect(accountz.system_account).toBe('SYS');
    expect([...accountz.accounts].sort()).toEqual(['$G', 'A', 'SYS']);
    const admin = await as(servers[0]!, 'admin');
    const replies = await gather(admin, '$SYS.REQ.SERVER.PING.ACCOUNTZ');
    expect(replies).toHaveLength(3);
    for (const reply of replies) {
      expect(reply.data.server_id).toBe(reply.server.id);
      expect(reply.data.system_account).toBe('SYS');
    }
  });

  it('replies with an error and code 400 to a body that is not JSON', async () => {
    const admin = await as(servers[0]!, 'admin');
    const replies = await gather(admin, '$SYS.REQ.SERVER.PING.VARZ', '{not json');
    expect(replies).toHaveLength(3);
    for (const reply of replies) {
      expect(reply.error.code).toBe(400);
      expect(reply.data).toBeUndefined();
    }
  });

  it("keeps $SYS out of other accounts' reach", async () => {
    const requester = await as(servers[0]!, 'a');
    await expect(requester.request('$SYS.REQ.SERVER.PING', '', { timeout: 1_000 })).rejects.toThrow(/no responders|503/i);
    const a = await as(servers[0]!, 'a');
    const seen: string[] = [];
    a.subscribe('$SYS.>', {
      callback: (_err, msg) => {
        seen.push(msg.subject);
      },
    });
    await a.flush();
    const admin = await as(servers[1]!, 'admin');
    expect(await gather(admin, '$SYS.REQ.SERVER.PING')).toHaveLength(3);
    await sleep(200);
    expect(seen).toEqual([]);
  });
});

describeEachTarget('default system account $SYS', (target) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(target, 'server_name: SOLO\naccounts { $SYS { users: [ { user: sys, password: sys } ] } }');
  });
  afterAll(() => server?.stop());

  it("serves the users declared for it without system_account", async () => {
    const nc = await connect({ servers: server.clientUrl, user: 'sys', pass: 'sys', reconnect: false });
    try {
      const replies = await gather(nc, '$SYS.REQ.SERVER.PING');
      expect(replies.map((r) => r.server.name)).toEqual(['SOLO']);
    } finally {
      await nc.close();
    }
  });
});

describeEachTarget('system account events', (target) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(target, `server_name: EV\nhttp: "127.0.0.1:-1"\n${ACCOUNTS}`);
  });
  afterAll(() => server?.stop());

  it('sends $SYS.ACCOUNT.<acc>.CONNECT and DISCONNECT for a client of the account', async () => {
    const admin = await connect({ servers: server.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    try {
      const events: { subject: string; body: Json }[] = [];
      admin.subscribe('$SYS.ACCOUNT.A.*', {
        callback: (_err, msg) => {
          events.push({ subject: msg.subject, body: msg.json<Json>() });
        },
      });
      await admin.flush();
      const a = await connect({ servers: server.clientUrl, user: 'a', pass: 'a', name: 'probe', reconnect: false });
      a.publish('x', 'hello');
      await a.flush();
      await a.close();
      await eventually(() => expect(events.map((e) => e.subject)).toEqual(['$SYS.ACCOUNT.A.CONNECT', '$SYS.ACCOUNT.A.DISCONNECT']));
      const [connected, disconnected] = events.map((e) => e.body);
      expect(connected).toMatchObject({
        type: 'io.nats.server.advisory.v1.client_connect',
        server: { name: 'EV' },
        client: { acc: 'A', user: 'a', name: 'probe', lang: 'nats.js', kind: 'Client', client_type: 'nats', host: '127.0.0.1' },
      });
      expect(connected!.id).toMatch(/^[0-9A-Za-z]{22}$/);
      expect(disconnected).toMatchObject({
        type: 'io.nats.server.advisory.v1.client_disconnect',
        client: { acc: 'A', user: 'a', id: connected!.client.id },
        sent: { msgs: 1, bytes: 5 },
        reason: 'Client Closed',
      });
      expect(typeof disconnected!.client.stop).toBe('string');
    } finally {
      await admin.close();
    }
  });

  it("answers $SYS.REQ.ACCOUNT.<acc>.CONNZ and SUBSZ with that account's connections and subscriptions", async () => {
    const admin = await connect({ servers: server.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    const a = await connect({ servers: server.clientUrl, user: 'a', pass: 'a', reconnect: false });
    try {
      a.subscribe('only.in.a');
      await a.flush();
      const [connz] = await gather(admin, '$SYS.REQ.ACCOUNT.A.CONNZ', JSON.stringify({ auth: true }));
      expect((connz!.data.connections as Json[]).map((c) => [c.account, c.authorized_user])).toEqual([['A', 'a']]);
      const [subsz] = await gather(admin, '$SYS.REQ.ACCOUNT.A.SUBSZ');
      expect((subsz!.data.subscriptions_list as Json[]).map((sub) => [sub.account, sub.subject])).toContainEqual(['A', 'only.in.a']);
      expect((subsz!.data.subscriptions_list as Json[]).every((sub) => sub.account === 'A')).toBe(true);
    } finally {
      await a.close();
      await admin.close();
    }
  });

  it("sends $SYS.ACCOUNT.<acc>.SERVER.CONNS as an account's connections change, and /accstatz counts them", async () => {
    const admin = await connect({ servers: server.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    try {
      const events: Json[] = [];
      admin.subscribe('$SYS.ACCOUNT.A.SERVER.CONNS', {
        callback: (_err, msg) => {
          events.push(msg.json<Json>());
        },
      });
      await admin.flush();
      const accountA = async (query = '?unused=1'): Promise<Json | undefined> => ((await getJson(server, `/accstatz${query}`)).account_statz as Json[]).find((s) => s.acc === 'A');
      // Totals are this server's since it started: earlier tests' clients of A count too.
      const before = (await accountA())!.received as { msgs: number; bytes: number };
      const a = await connect({ servers: server.clientUrl, user: 'a', pass: 'a', reconnect: false });
      a.publish('x', 'abc');
      await a.flush();
      const received = { msgs: before.msgs + 1, bytes: before.bytes + 3 };
      expect(await accountA('')).toMatchObject({ conns: 1, leafnodes: 0, total_conns: 1, received });
      await a.close();
      await eventually(() => expect(events.map((e) => e.conns)).toEqual([1, 0]));
      expect(events[1]).toMatchObject({ type: 'io.nats.server.advisory.v1.account_connections', server: { name: 'EV' }, acc: 'A', total_conns: 0, received });
      expect(await accountA()).toMatchObject({ conns: 0, received });
      expect(((await getJson(server, '/accstatz')).account_statz as Json[]).map((s) => s.acc)).toEqual(['SYS']);
    } finally {
      await admin.close();
    }
  });

  it('sends $SYS.SERVER.<id>.STATSZ soon after startup, then on its interval', async () => {
    const admin = await connect({ servers: server.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    try {
      const sub = admin.subscribe('$SYS.SERVER.*.STATSZ', { max: 1 });
      for await (const msg of sub) {
        const body = msg.json<Json>();
        expect(msg.subject).toBe(`$SYS.SERVER.${body.server.id}.STATSZ`);
        expect(body.statsz.connections).toBeGreaterThanOrEqual(1);
      }
    } finally {
      await admin.close();
    }
  }, 40_000);
});

describe('system account in a cluster of nats-ts and nats-server', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('answers a PING from every server, whichever implementation', async () => {
    const s1 = await startClusterMember('nats-ts', { extra: `server_name: TS1\n${ACCOUNTS}` });
    const s2 = await startClusterMember('nats-server', { extra: `server_name: GO2\n${ACCOUNTS}`, routes: [clusterUrl(s1)] });
    const s3 = await startClusterMember('nats-ts', { extra: `server_name: TS3\n${ACCOUNTS}`, routes: [clusterUrl(s1), clusterUrl(s2)] });
    servers.push(s1, s2, s3);
    await waitForMesh(servers);
    for (const server of servers) {
      const nc = await connect({ servers: server.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
      try {
        let names: string[] = [];
        await eventually(async () => {
          names = (await gather(nc, '$SYS.REQ.SERVER.PING.VARZ')).map((r) => r.server.name).sort();
          expect(names).toEqual(['GO2', 'TS1', 'TS3']);
        });
      } finally {
        await nc.close();
      }
    }
  }, 60_000);
});
