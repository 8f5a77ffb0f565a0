// JetStream on a leaf node with its own domain: each side's plain API stays local, the
// domain-prefixed API crosses the leaf connection, and the hub's clients write into the edge's
// streams. Against nats-ts and nats-server, and mixed both ways.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, freePort, getJson, sleep } from './cluster-helpers.js';
import { leafPort, startHub, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { targets, type RunningServer, type Target } from './support/servers.js';
import { TcpProxy } from './support/tcp-proxy.js';

const decoder = new TextDecoder();

/** Every answer to one request within `ms`: a plain API request must be answered by one server only. */
async function answers(nc: NatsConnection, subject: string, ms = 700): Promise<Record<string, unknown>[]> {
  const inbox = createInbox();
  const got: Record<string, unknown>[] = [];
  const sub = nc.subscribe(inbox, { callback: (_e, m) => void got.push(JSON.parse(decoder.decode(m.data)) as Record<string, unknown>) });
  nc.publish(subject, '', { reply: inbox });
  await new Promise((r) => setTimeout(r, ms));
  sub.unsubscribe();
  return got;
}

async function api(nc: NatsConnection, subject: string, body = ''): Promise<Record<string, unknown>> {
  return JSON.parse(decoder.decode((await nc.request(subject, body, { timeout: 3_000 })).data)) as Record<string, unknown>;
}

/** What a stream holds at one sequence. */
interface StoredMessage {
  seq: number;
  data: string;
  source: string | undefined;
}

/** Every message of `stream` in sequence order, read with an ordered consumer. */
async function readAll(js: JetStreamClient, jsm: JetStreamManager, stream: string): Promise<StoredMessage[]> {
  const last = (await jsm.streams.info(stream)).state.last_seq;
  const out: StoredMessage[] = [];
  if (last === 0) return out;
  const messages = await (await js.consumers.get(stream)).consume();
  for await (const m of messages) {
    out.push({ seq: m.seq, data: decoder.decode(m.data), source: m.headers?.get('Nats-Stream-Source') || undefined });
    if (m.seq >= last) break;
  }
  await messages.close();
  return out;
}

async function publishAll(js: JetStreamClient, subject: string, texts: string[]): Promise<void> {
  for (const text of texts) await js.publish(subject, text);
}

function numbered(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}${i}`);
  return out;
}

const pairs: [Target, Target][] = [];
for (const hub of targets) for (const leaf of targets) pairs.push([hub, leaf]);

describe.each(pairs)('JetStream domains across a leaf connection [hub %s, leaf %s]', (hubTarget, leafTarget) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup.length = 0;
  });

  async function edgeAndHub(): Promise<{ hub: RunningServer; leaf: RunningServer; hubNc: NatsConnection; leafNc: NatsConnection }> {
    const hubDir = mkdtempSync(join(tmpdir(), 'js-hub-'));
    const leafDir = mkdtempSync(join(tmpdir(), 'js-edge-'));
    cleanup.push(() => rmSync(hubDir, { recursive: true, force: true }), () => rmSync(leafDir, { recursive: true, force: true }));
    const hub = await startHub(hubTarget, '', `jetstream { store_dir: ${JSON.stringify(hubDir)}, domain: hub }`);
    cleanup.push(() => hub.stop());
    const leaf = await startLeaf(leafTarget, [`{ url: "nats-leaf://127.0.0.1:${leafPort(hub)}" }`], `jetstream { store_dir: ${JSON.stringify(leafDir)}, domain: edge }`);
    cleanup.push(() => leaf.stop());
    await waitForLeafs(hub, 1);
    const hubNc = await connect({ servers: hub.clientUrl });
    const leafNc = await connect({ servers: leaf.clientUrl });
    cleanup.push(() => hubNc.close(), () => leafNc.close());
    return { hub, leaf, hubNc, leafNc };
  }

  it('keeps each side\'s plain API local and answers the other domain\'s API across the link', { timeout: 30_000 }, async () => {
    const { hubNc, leafNc } = await edgeAndHub();
    expect((await api(leafNc, '$JS.API.INFO')).domain).toBe('edge');
    expect((await api(hubNc, '$JS.API.INFO')).domain).toBe('hub');
    await eventually(async () => expect((await api(hubNc, '$JS.edge.API.INFO')).domain).toBe('edge'), 10_000, 200);
    await eventually(async () => expect((await api(leafNc, '$JS.hub.API.INFO')).domain).toBe('hub'), 10_000, 200);
    // Once interest has crossed both ways, a plain API request is still answered on its own side only.
    expect((await answers(leafNc, '$JS.API.INFO')).map((a) => a.domain)).toEqual(['edge']);
    expect((await answers(hubNc, '$JS.API.INFO')).map((a) => a.domain)).toEqual(['hub']);
    expect((await answers(hubNc, '$JS.edge.API.INFO')).map((a) => a.domain)).toEqual(['edge']);
  });

  it('lets the hub\'s clients manage and write into the edge\'s streams', { timeout: 30_000 }, async () => {
    const { hubNc, leafNc } = await edgeAndHub();
    const edge = await jetstreamManager(leafNc);
    await edge.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    // Streams named alike on both sides stay apart.
    await (await jetstreamManager(hubNc)).streams.add({ name: 'ORDERS', subjects: ['hub.orders.>'] });
    const remote = await jetstreamManager(hubNc, { domain: 'edge' });
    await eventually(async () => expect((await remote.streams.info('ORDERS')).config.subjects).toEqual(['orders.>']), 10_000, 200);
    let ack = '';
    await eventually(async () => {
      ack = decoder.decode((await hubNc.request('orders.new', 'from-hub', { timeout: 2_000 })).data);
      expect(ack).toContain('"domain":"edge"');
    }, 10_000, 200);
    expect(ack).toMatch(/^\{"stream":"ORDERS",\s*"domain":"edge",\s*"seq":1\}$/);
    expect((await edge.streams.info('ORDERS')).state.messages).toBe(1);
  });
});

describe.each(pairs)('JetStream store and forward from a leaf [hub %s, leaf %s]', (hubTarget, leafTarget) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup.length = 0;
  });

  it('mirrors the edge\'s stream into the hub, and catches up in order after the hub is killed', { timeout: 90_000 }, async () => {
    const hubDir = mkdtempSync(join(tmpdir(), 'js-hub-'));
    const leafDir = mkdtempSync(join(tmpdir(), 'js-edge-'));
    cleanup.push(() => rmSync(hubDir, { recursive: true, force: true }), () => rmSync(leafDir, { recursive: true, force: true }));
    const hubConfig = `jetstream { store_dir: ${JSON.stringify(hubDir)}, domain: hub }`;
    let hub = await startHub(hubTarget, '', hubConfig);
    const port = leafPort(hub);
    cleanup.push(() => hub.stop());
    const leaf = await startLeaf(leafTarget, [`{ url: "nats-leaf://127.0.0.1:${port}" }`], `jetstream { store_dir: ${JSON.stringify(leafDir)}, domain: edge }`);
    cleanup.push(() => leaf.stop());
    await waitForLeafs(hub, 1);
    const leafNc = await connect({ servers: leaf.clientUrl });
    cleanup.push(() => leafNc.close());
    const edge = jetstream(leafNc);
    await (await jetstreamManager(leafNc)).streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    for (let i = 1; i <= 1000; i++) await edge.publish('orders.new', `o${i}`);

    let hubNc = await connect({ servers: hub.clientUrl });
    await (await jetstreamManager(hubNc)).streams.add({ name: 'GLOBAL', mirror: { name: 'ORDERS', external: { api: '$JS.edge.API', deliver: '' } } });
    await eventually(async () => expect((await (await jetstreamManager(hubNc)).streams.info('GLOBAL')).state.messages).toBe(1000), 20_000, 200);
    await hubNc.close();

    // The hub dies; the edge keeps taking writes, acked locally.
    hub.signal('SIGKILL');
    await hub.waitExit();
    await hub.stop();
    for (let i = 1001; i <= 2000; i++) await edge.publish('orders.new', `o${i}`);
    hub = await startHub(hubTarget, '', hubConfig, { port });
    await waitForLeafs(hub, 1, 20_000);
    hubNc = await connect({ servers: hub.clientUrl });
    const jsm = await jetstreamManager(hubNc);
    await eventually(async () => expect((await jsm.streams.info('GLOBAL')).state).toMatchObject({ messages: 2000, first_seq: 1, last_seq: 2000 }), 40_000, 250);
    for (const seq of [1, 999, 1000, 1001, 2000]) expect(decoder.decode((await jsm.streams.getMessage('GLOBAL', { seq }))!.data)).toBe(`o${seq}`);
    await hubNc.close();
  });
});

describe.each(pairs)('JetStream mirrors and sources over a leaf link that is cut [hub %s, leaf %s]', (hubTarget, leafTarget) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup.length = 0;
  });

  function storeDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  function jetstreamConfig(domain: string): string {
    return `jetstream { store_dir: ${JSON.stringify(storeDir(`js-${domain}-`))}, domain: ${domain} }`;
  }

  it('mirrors what the edge took while the link through a proxy was cut, in order, once', { timeout: 90_000 }, async () => {
    const hubLeafPort = await freePort();
    const proxy = await TcpProxy.start(hubLeafPort);
    cleanup.push(() => proxy.stop());
    // The hub advertises the proxy: a reconnecting leaf dials the learned leafnode_urls first.
    const hub = await startHub(hubTarget, `  advertise: "127.0.0.1:${proxy.port}"`, jetstreamConfig('hub'), { port: hubLeafPort });
    cleanup.push(() => hub.stop());
    const leaf = await startLeaf(leafTarget, [`{ url: "nats-leaf://127.0.0.1:${proxy.port}" }`], jetstreamConfig('edge'));
    cleanup.push(() => leaf.stop());
    await waitForLeafs(hub, 1);
    const leafNc = await connect({ servers: leaf.clientUrl });
    const hubNc = await connect({ servers: hub.clientUrl });
    cleanup.push(() => leafNc.close(), () => hubNc.close());
    const edge = jetstream(leafNc);
    await (await jetstreamManager(leafNc)).streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    await publishAll(edge, 'orders.new', numbered('o', 1, 1000));
    const jsm = await jetstreamManager(hubNc);
    await jsm.streams.add({ name: 'GLOBAL', mirror: { name: 'ORDERS', external: { api: '$JS.edge.API', deliver: '' } } });
    await eventually(async () => expect((await jsm.streams.info('GLOBAL')).state.messages).toBe(1000), 20_000, 200);

    await proxy.cut();
    await waitForLeafs(hub, 0);
    await waitForLeafs(leaf, 0);
    // Cut off, the edge still acks every write.
    await publishAll(edge, 'orders.new', numbered('o', 1001, 2000));
    expect((await (await jetstreamManager(leafNc)).streams.info('ORDERS')).state.messages).toBe(2000);
    // Past the leaf's reconnect interval (1 s) and still apart: it does not go around the proxy.
    await sleep(1_500);
    expect((await getJson(hub, '/leafz')).leafnodes).toBe(0);
    await proxy.restore();
    await waitForLeafs(hub, 1, 20_000);

    await eventually(async () => expect((await jsm.streams.info('GLOBAL')).state).toMatchObject({ messages: 2000, first_seq: 1, last_seq: 2000 }), 40_000, 250);
    const mirrored = await readAll(jetstream(hubNc), jsm, 'GLOBAL');
    expect(mirrored.map((m) => [m.seq, m.data])).toEqual(numbered('o', 1, 2000).map((text, i) => [i + 1, text]));
  });

  it('sources the streams of two edges into one hub stream, each message once with its Nats-Stream-Source', { timeout: 60_000 }, async () => {
    const hub = await startHub(hubTarget, '', jetstreamConfig('hub'));
    cleanup.push(() => hub.stop());
    const edges: { domain: string; nc: NatsConnection; js: JetStreamClient }[] = [];
    for (const domain of ['edge1', 'edge2']) {
      const leaf = await startLeaf(leafTarget, [`{ url: "nats-leaf://127.0.0.1:${leafPort(hub)}" }`], jetstreamConfig(domain));
      cleanup.push(() => leaf.stop());
      const nc = await connect({ servers: leaf.clientUrl });
      cleanup.push(() => nc.close());
      // Subjects of their own: interest crosses the hub between leafs, one stream would take the other's writes.
      await (await jetstreamManager(nc)).streams.add({ name: 'ORDERS', subjects: [`${domain}.orders.>`] });
      edges.push({ domain, nc, js: jetstream(nc) });
    }
    await waitForLeafs(hub, 2);
    for (const { domain, js } of edges) await publishAll(js, `${domain}.orders.new`, numbered(`${domain}-`, 1, 300));

    const hubNc = await connect({ servers: hub.clientUrl });
    cleanup.push(() => hubNc.close());
    const jsm = await jetstreamManager(hubNc);
    await jsm.streams.add({ name: 'ALL', sources: edges.map(({ domain }) => ({ name: 'ORDERS', external: { api: `$JS.${domain}.API` } })) });
    // Some while the sources run.
    for (const { domain, js } of edges) await publishAll(js, `${domain}.orders.new`, numbered(`${domain}-`, 301, 500));
    await eventually(async () => expect((await jsm.streams.info('ALL')).state.messages).toBe(1000), 30_000, 250);
    // Nothing more comes late (a duplicate would).
    await sleep(500);
    expect((await jsm.streams.info('ALL')).state.messages).toBe(1000);

    const stored = await readAll(jetstream(hubNc), jsm, 'ALL');
    expect(stored.map((m) => m.seq)).toEqual(numbered('', 1, 1000).map(Number));
    const sourceNames = new Map<string, Set<string>>();
    for (const { domain } of edges) {
      const fromEdge = stored.filter((m) => m.data.startsWith(`${domain}-`));
      // In the edge's order, each naming the edge's stream and the message's sequence there.
      expect(fromEdge.map((m) => m.data)).toEqual(numbered(`${domain}-`, 1, 500));
      const names = new Set<string>();
      fromEdge.forEach((m, i) => {
        const header = /^(ORDERS:[0-9A-Za-z]{8}) (\d+)$/.exec(m.source ?? '');
        expect(header, `${m.data}: ${m.source}`).not.toBeNull();
        names.add(header![1]!);
        expect(Number(header![2])).toBe(i + 1);
      });
      expect(names.size).toBe(1);
      sourceNames.set(domain, names);
    }
    expect([...sourceNames.get('edge1')!][0]).not.toBe([...sourceNames.get('edge2')!][0]);
  });
});
