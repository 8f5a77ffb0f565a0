// Accounts that share: stream and service imports between accounts of one server (reply routed
// back across accounts), private exports, and subject mappings, against nats-ts and nats-server 2.9.
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const CONFIG = `
accounts {
  A: {
    users: [ { user: a, password: a } ]
    exports: [
      { service: "help.>" }
      { service: "feed.*", response_type: Stream, response_threshold: "2s" }
      { stream: "news.>" }
      { stream: "alerts.*" }
      { service: "priv.>", accounts: [C] }
      { stream: "secret.>", accounts: [C] }
    ]
    mappings: { "orders.*": "orders.{{wildcard(1)}}.new", "part.*.*": "part.{{partition(3,1,2)}}.{{wildcard(2)}}" }
  }
  B: {
    users: [ { user: b, password: b } ]
    imports: [
      { service: { account: A, subject: "help.>" }, to: "a.help.>" }
      { service: { account: A, subject: "feed.*" } }
      { stream: { account: A, subject: "news.>" }, prefix: "a" }
      { stream: { account: A, subject: "alerts.*" }, to: "warn.*" }
    ]
  }
  C: {
    users: [ { user: c, password: c } ]
    imports: [
      { service: { account: A, subject: "priv.x" } }
      { stream: { account: A, subject: "secret.>" } }
    ]
  }
}
`;

const natsTsServer = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'nats-ts-server');

/** The partitions each target chose for the same keys: nats-ts hashes as nats-server does. */
const partitions: Record<string, string[]> = {};

afterAll(() => {
  if (partitions['nats-ts'] !== undefined && partitions['nats-server'] !== undefined) expect(partitions['nats-ts']).toEqual(partitions['nats-server']);
});

function collect(sub: Subscription): Msg[] {
  const received: Msg[] = [];
  void (async () => {
    for await (const msg of sub) received.push(msg);
  })();
  return received;
}

describeEachTarget('accounts: stream and service imports on one server', (target) => {
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

  it("delivers the exporter's stream to the importer under the prefix, and nothing else crosses", async () => {
    const [a, b] = [await as('a'), await as('b')];
    const imported = collect(b.subscribe('a.news.>'));
    const unprefixed = collect(b.subscribe('news.>'));
    const notExported = collect(b.subscribe('a.other.>'));
    const inA = collect(a.subscribe('a.news.>'));
    await b.flush();
    a.publish('news.sport', 'goal');
    a.publish('other.x', 'no');
    b.publish('news.local', 'mine');
    await a.flush();
    await b.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(imported.map((m) => `${m.subject} ${m.string()}`)).toEqual(['a.news.sport goal']);
    expect(unprefixed.map((m) => m.string())).toEqual(['mine']);
    expect(notExported).toEqual([]);
    expect(inA).toEqual([]);
  });

  it("applies the account's own mappings, partition included, only in that account", async () => {
    const [a, b] = [await as('a'), await as('b')];
    const mapped = collect(a.subscribe('orders.*.new'));
    const parts = collect(a.subscribe('part.*.*'));
    const inB = collect(b.subscribe('orders.>'));
    await a.flush();
    await b.flush();
    a.publish('orders.7');
    for (const key of ['x', 'y', 'z', 'w']) a.publish(`part.${key}.k`);
    b.publish('orders.8');
    await a.flush();
    await b.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(mapped.map((m) => m.subject)).toEqual(['orders.7.new']);
    expect(inB.map((m) => m.subject)).toEqual(['orders.8']);
    expect(parts).toHaveLength(4);
    for (const m of parts) expect(m.subject).toMatch(/^part\.[012]\.k$/);
    partitions[target] = parts.map((m) => m.subject);
  });

  it('maps a stream import with `to`', async () => {
    const [a, b] = [await as('a'), await as('b')];
    const got = collect(b.subscribe('warn.*'));
    await b.flush();
    a.publish('alerts.fire', 'hot');
    await a.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(got.map((m) => `${m.subject} ${m.string()}`)).toEqual(['warn.fire hot']);
  });

  it("routes a request on the import's subject to the exporter's responder, and the reply back", async () => {
    const [a, b] = [await as('a'), await as('b')];
    const seen: string[] = [];
    const sub = a.subscribe('help.>', {
      callback: (_err, msg) => {
        seen.push(`${msg.subject} ${msg.reply?.startsWith('_R_.') ? '_R_' : msg.reply} ${JSON.parse(msg.headers?.get('Nats-Request-Info') ?? '{}').acc}`);
        msg.respond(`answer to ${msg.string()}`);
      },
    });
    await a.flush();
    const reply = await b.request('a.help.me', 'question', { timeout: 2_000 });
    expect(reply.string()).toBe('answer to question');
    expect(seen).toEqual(['help.me _R_ B']);
    sub.unsubscribe();
  });

  it('keeps a Stream response route for every response until the threshold', async () => {
    const [a, b] = [await as('a'), await as('b')];
    a.subscribe('feed.*', {
      callback: (_err, msg) => {
        for (let i = 1; i <= 3; i++) msg.respond(`part ${i}`);
      },
    });
    await a.flush();
    const inbox = `reply.${target}`;
    const parts = collect(b.subscribe(inbox));
    await b.flush();
    b.publish('feed.x', 'go', { reply: inbox });
    await b.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(parts.map((m) => m.string())).toEqual(['part 1', 'part 2', 'part 3']);
  });

  it('refuses a request from an account the private export does not name', async () => {
    const [a, b, c] = [await as('a'), await as('b'), await as('c')];
    a.subscribe('priv.x', {
      callback: (_err, msg) => {
        msg.respond('private');
      },
    });
    const secret = collect(c.subscribe('secret.>'));
    const leaked = collect(b.subscribe('secret.>'));
    await a.flush();
    await b.flush();
    await c.flush();
    expect((await c.request('priv.x', '', { timeout: 2_000 })).string()).toBe('private');
    await expect(b.request('priv.x', '', { timeout: 500 })).rejects.toThrow();
    a.publish('secret.plan', 'p');
    await a.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(secret.map((m) => m.string())).toEqual(['p']);
    expect(leaked).toEqual([]);
  });
});

describeEachTarget('accounts: a push consumer delivering to an imported stream', (target) => {
  let server: RunningServer;
  const connections: NatsConnection[] = [];

  beforeAll(async () => {
    server = await startServer(
      target,
      `jetstream { store_dir: "./js" }
accounts {
  A: { users: [ { user: a, password: a } ], jetstream: enabled, exports: [ { stream: "deliver.>" } ] }
  B: { users: [ { user: b, password: b } ], imports: [ { stream: { account: A, subject: "deliver.>" }, prefix: "a" } ] }
}`,
    );
  });
  afterAll(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await server?.stop();
  });

  it("shows the importer the stored message's subject", async () => {
    const a = await connect({ servers: server.clientUrl, user: 'a', pass: 'a', reconnect: false, timeout: 3_000 });
    const b = await connect({ servers: server.clientUrl, user: 'b', pass: 'b', reconnect: false, timeout: 3_000 });
    connections.push(a, b);
    const got = collect(b.subscribe('a.deliver.orders'));
    await b.flush();
    const jsm = await jetstreamManager(a);
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    await jsm.consumers.add('ORDERS', { durable_name: 'PUSH', deliver_subject: 'deliver.orders', ack_policy: AckPolicy.None });
    await jetstream(a).publish('orders.1', 'one');
    const deadline = Date.now() + 5_000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(got.map((m) => `${m.subject} ${m.string()}`)).toEqual(['orders.1 one']);
  });
});

describeEachTarget('subject mappings', (target) => {
  let server: RunningServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startServer(
      target,
      `mappings { "svc": [ { destination: "svc.v1", weight: 80% }, { destination: "svc.v2", weight: 20% } ], "split.*": "split.{{splitFromLeft(1,2)}}" }`,
    );
    nc = await connect({ servers: server.clientUrl, reconnect: false, timeout: 3_000 });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('splits 10,000 messages 80/20 between weighted destinations', async () => {
    const v1 = collect(nc.subscribe('svc.v1'));
    const v2 = collect(nc.subscribe('svc.v2'));
    const source = collect(nc.subscribe('svc'));
    await nc.flush();
    for (let i = 0; i < 10_000; i++) nc.publish('svc');
    await nc.flush();
    const deadline = Date.now() + 5_000;
    while (v1.length + v2.length < 10_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(v1.length + v2.length).toBe(10_000);
    expect(v1.length).toBeGreaterThan(7_700);
    expect(v1.length).toBeLessThan(8_300);
    expect(source).toEqual([]);
  });

  it("applies the mapping functions, a client's subject mapped before interest is matched", async () => {
    const got = collect(nc.subscribe('split.>'));
    await nc.flush();
    nc.publish('split.abcd');
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(got.map((m) => m.subject)).toEqual(['split.ab.cd']);
  });
});

describeEachTarget('accounts: config refused', (target) => {
  it('refuses an import of a subject not exported', async () => {
    const config = `accounts { A: { exports: [ { stream: "news.>" } ] }, B: { imports: [ { stream: { account: A, subject: "other.>" } } ] } }`;
    await expect(startServer(target, config)).rejects.toThrow(/stream import not authorized/);
  });

  it('refuses a stream import whose `to` drops a wildcard, naming where it was written', async () => {
    const config = `accounts { A: { exports: [ { stream: "news.*" } ] }, B: { imports: [ { stream: { account: A, subject: "news.*" }, to: "n.x" } ] } }`;
    await expect(startServer(target, config)).rejects.toThrow(/server\.conf:\d+:\d+: Error adding stream import "news\.\*": failed to create mapping transform/);
  });

  it('refuses, on -t, a mapping that drops a wildcard, naming where it was written', () => {
    const dir = mkdtempSync(join(tmpdir(), `nats-e2e-accounts-${target}-`));
    try {
      const file = join(dir, 'check.conf');
      writeFileSync(file, 'port: -1\nmappings { "r.*": "r.x" }\n');
      const [command, args] =
        target === 'nats-server' ? [process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server', ['-t', '-c', file]] : [process.execPath, [natsTsServer, '-t', '-c', file]];
      const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 10_000 });
      expect(result.status).toBe(1);
      const output = `${result.stderr}${result.stdout}`;
      expect(output).toContain(`${file}:2:`);
      expect(output).toContain('Error adding mapping for "r.*" to "r.x"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a mapping to an unknown function, naming where it was written', async () => {
    await expect(startServer(target, 'mappings { "q.*": "q.{{foo(1)}}" }')).rejects.toThrow(/server\.conf:\d+:\d+: Error adding mapping for "q\.\*" to "q\.\{\{foo\(1\)\}\}"/);
  });
});
