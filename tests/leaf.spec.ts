// Leaf nodes over TCP: a hub with a leafnodes listener and a leaf connecting to it, in every
// combination of nats-ts and nats-server 2.9: interest and messages both ways, request/reply,
// headers, queue groups exactly once with local members preferred, /leafz.
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { Received, connectTo, eventually, getJson, sleep } from './cluster-helpers.js';
import { leafPort, publishUntilReceived, startHub, startLeaf, waitForLeafs } from './leaf-helpers.js';
import { targets, type RunningServer, type Target } from './support/servers.js';

const PAIRS: Array<[Target, Target]> = [
  ['nats-ts', 'nats-ts'],
  ['nats-server', 'nats-ts'],
  ['nats-ts', 'nats-server'],
];

describe.each(PAIRS.filter(([hub, leaf]) => targets.includes(hub) && targets.includes(leaf)))('leaf node: %s hub, %s leaf', (hubTarget, leafTarget) => {
  const connections: NatsConnection[] = [];
  const servers: RunningServer[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function client(server: RunningServer): Promise<NatsConnection> {
    const nc = await connectTo(server);
    connections.push(nc);
    return nc;
  }

  async function pair(remoteExtra = '', scheme = 'nats-leaf'): Promise<{ hub: RunningServer; leaf: RunningServer }> {
    const hub = await startHub(hubTarget);
    servers.push(hub);
    const leaf = await startLeaf(leafTarget, [`{ url: "${scheme}://127.0.0.1:${leafPort(hub)}" ${remoteExtra} }`]);
    servers.push(leaf);
    await waitForLeafs(hub, 1);
    await waitForLeafs(leaf, 1);
    return { hub, leaf };
  }

  it('carries messages both ways, with headers', async () => {
    const { hub, leaf } = await pair();
    const onHub = await client(hub);
    const onLeaf = await client(leaf);
    const hubInbox = new Received(onHub, 'to.hub');
    const leafInbox = new Received(onLeaf, 'to.leaf.>');
    await onHub.flush();
    await onLeaf.flush();
    await publishUntilReceived(onLeaf, 'to.hub', 'from leaf', hubInbox);
    await publishUntilReceived(onHub, 'to.leaf.x', 'from hub', leafInbox);

    const h = headers();
    h.set('X-Leaf', 'yes');
    onLeaf.publish('to.hub', 'with header', { headers: h });
    await hubInbox.waitFor(hubInbox.messages.length + 1);
    const last = hubInbox.messages.at(-1)!;
    expect(last.string()).toBe('with header');
    expect(last.headers?.get('X-Leaf')).toBe('yes');
  });

  it('dials a remote given with the leaf:// scheme', async () => {
    const { hub, leaf } = await pair('', 'leaf');
    const onHub = await client(hub);
    const onLeaf = await client(leaf);
    const hubInbox = new Received(onHub, 'to.hub');
    await onHub.flush();
    await publishUntilReceived(onLeaf, 'to.hub', 'over leaf://', hubInbox);
  });

  it('answers requests both ways', async () => {
    const { hub, leaf } = await pair();
    const onHub = await client(hub);
    const onLeaf = await client(leaf);
    onHub.subscribe('svc.hub', { callback: (_err, msg) => void msg.respond(`hub got ${msg.string()}`) });
    onLeaf.subscribe('svc.leaf', { callback: (_err, msg) => void msg.respond(`leaf got ${msg.string()}`) });
    await onHub.flush();
    await onLeaf.flush();
    await eventually(async () => {
      expect((await onLeaf.request('svc.hub', 'a', { timeout: 500 })).string()).toBe('hub got a');
    });
    await eventually(async () => {
      expect((await onHub.request('svc.leaf', 'b', { timeout: 500 })).string()).toBe('leaf got b');
    });
  });

  it('delivers to a queue group exactly once, preferring local members', async () => {
    const { hub, leaf } = await pair();
    const onHub = await client(hub);
    const onLeaf = await client(leaf);
    const hubWorkers = [new Received(onHub, 'work', { queue: 'q' }), new Received(onHub, 'work', { queue: 'q' })];
    const leafWorkers = [new Received(onLeaf, 'work', { queue: 'q' })];
    await onHub.flush();
    await onLeaf.flush();
    // Interest crossing: wait until the hub side hears of the leaf's group and the other way round.
    const probe = new Received(onHub, 'probe');
    await onHub.flush();
    await publishUntilReceived(onLeaf, 'probe', 'p', probe);
    await sleep(300);

    const total = 200;
    for (let i = 0; i < total; i++) onLeaf.publish('work', `leaf-${i}`);
    for (let i = 0; i < total; i++) onHub.publish('work', `hub-${i}`);
    await onLeaf.flush();
    await onHub.flush();
    const all = [...hubWorkers, ...leafWorkers];
    await eventually(() => expect(all.reduce((n, r) => n + r.messages.length, 0)).toBe(2 * total));
    await sleep(200);
    const texts = all.flatMap((r) => r.texts);
    expect(texts.length).toBe(2 * total);
    expect(new Set(texts).size).toBe(2 * total);
    // Local members are preferred: each side's publications stay on its side.
    expect(leafWorkers[0]!.texts.every((t) => t.startsWith('leaf-'))).toBe(true);
    expect(hubWorkers.flatMap((r) => r.texts).every((t) => t.startsWith('hub-'))).toBe(true);

    // With no member left on the leaf, its publications go to the hub's group, once each.
    await leafWorkers[0]!.subscription.unsubscribe();
    await onLeaf.flush();
    const before = hubWorkers.reduce((n, r) => n + r.messages.length, 0);
    await eventually(async () => {
      onLeaf.publish('work', 'after');
      await onLeaf.flush();
      expect(hubWorkers.some((r) => r.texts.includes('after'))).toBe(true);
    });
    await sleep(300);
    const after = hubWorkers.reduce((n, r) => n + r.messages.length, 0);
    expect(hubWorkers.flatMap((r) => r.texts).filter((t) => t === 'after').length).toBe(after - before);
  });

  it('reports the connection in /leafz with nats-server field names', async () => {
    const { hub, leaf } = await pair();
    const onLeaf = await client(leaf);
    onLeaf.subscribe('seen.by.hub');
    await onLeaf.flush();
    await eventually(async () => {
      const leafz = await getJson(hub, '/leafz?subs=1');
      expect(leafz.leafnodes).toBe(1);
      const entry = leafz.leafs[0];
      expect(Object.keys(entry)).toEqual(expect.arrayContaining(['account', 'ip', 'port', 'in_msgs', 'out_msgs', 'in_bytes', 'out_bytes', 'subscriptions']));
      expect(entry.account).toBe('$G');
      expect(entry.subscriptions_list).toContain('seen.by.hub');
    });
    const leafz = await getJson(leaf, '/leafz');
    expect(leafz.leafs[0].account).toBe('$G');
    expect(typeof leafz.server_id).toBe('string');
  });

  it('binds the leaf connection to the account its credentials name', async () => {
    const hub = await startHub(
      hubTarget,
      '  authorization { users: [ { user: leaf, password: pw, account: ACC } ] }',
      'accounts { ACC { users: [ { user: a, password: a } ] } }\nauthorization { users: [ { user: g, password: g } ] }',
    );
    servers.push(hub);
    const leaf = await startLeaf(leafTarget, [`{ url: "nats-leaf://leaf:pw@127.0.0.1:${leafPort(hub)}" }`]);
    servers.push(leaf);
    await waitForLeafs(hub, 1);
    const inAccount = await connectTo(hub, { user: 'a', pass: 'a' });
    const global = await connectTo(hub, { user: 'g', pass: 'g' });
    connections.push(inAccount, global);
    const onLeaf = await client(leaf);
    const accountInbox = new Received(inAccount, 'acc.test');
    const globalInbox = new Received(global, 'acc.test');
    await inAccount.flush();
    await global.flush();
    await publishUntilReceived(onLeaf, 'acc.test', 'bound', accountInbox);
    await sleep(300);
    expect(globalInbox.messages.length).toBe(0);
    const leafz = await getJson(hub, '/leafz');
    expect(leafz.leafs[0].account).toBe('ACC');
  });

  it('honours deny_imports and deny_exports on the remote', async () => {
    const { hub, leaf } = await pair(', deny_imports: ["secret.>"], deny_exports: ["private.>"]');
    const onHub = await client(hub);
    const onLeaf = await client(leaf);
    const leafSecret = new Received(onLeaf, 'secret.x');
    const leafOpen = new Received(onLeaf, 'open.x');
    const hubPrivate = new Received(onHub, 'private.x');
    const hubOpen = new Received(onHub, 'open.y');
    await onHub.flush();
    await onLeaf.flush();
    await publishUntilReceived(onHub, 'open.x', 'o', leafOpen);
    await publishUntilReceived(onLeaf, 'open.y', 'o', hubOpen);
    onHub.publish('secret.x', 's');
    onLeaf.publish('private.x', 'p');
    await onHub.flush();
    await onLeaf.flush();
    await sleep(500);
    expect(leafSecret.messages.length).toBe(0);
    expect(hubPrivate.messages.length).toBe(0);
  });
});
