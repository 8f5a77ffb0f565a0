import { describe, expect, it } from 'vitest';
import { KIND_BIT, type InterestKind } from './interest-kind.js';
import { InterestRouter } from './interest-router.js';
import type { LinkEntry, RouterLink, RouterOrigin, SubscriberEntry } from './router-entry.js';

class Link implements RouterLink, RouterOrigin {
  mark = 0;
  readonly queueScratch: string[] = [];
  readonly sent: string[] = [];
  readonly replies: (string | undefined)[] = [];
  constructor(
    readonly originKind: InterestKind,
    readonly originMember = 'm',
  ) {}
  sendRouted(_account: string, subject: string, reply: string | undefined, queues: readonly string[]): void {
    this.sent.push(queues.length > 0 ? `${subject} ${queues.join(',')}` : subject);
    this.replies.push(reply);
  }
}

class Entry implements LinkEntry {
  owner = 'm';
  constructor(
    readonly kind: InterestKind,
    readonly link: Link,
    readonly subject: string,
    readonly queue: string | undefined = undefined,
    public weight = 1,
  ) {}
}

class Subscriber implements SubscriberEntry {
  readonly link = undefined;
  owner = 'm';
  weight = 1;
  readonly got: string[] = [];
  readonly replies: (string | undefined)[] = [];
  constructor(
    readonly subject: string,
    readonly queue: string | undefined = undefined,
    readonly kind: 'client' | 'internal' = 'client',
    /** A client that published does not get its own message (echo off). */
    readonly self?: RouterOrigin,
  ) {}
  accepts(origin: RouterOrigin): boolean {
    return origin !== this.self;
  }
  deliver(subject: string, reply: string | undefined, _headerSize: number, data: Uint8Array, start: number, end: number): void {
    this.got.push(`${subject} ${Buffer.from(data.subarray(start, end)).toString()}`);
    this.replies.push(reply);
  }
}

const CLIENT: RouterOrigin = { originKind: 'client', originMember: 'cg' };

function publish(router: InterestRouter, origin: RouterOrigin, subject: string, queues?: readonly string[], owner?: string): boolean {
  const data = Buffer.from('hi');
  const account = router.account('$G');
  return queues === undefined
    ? router.publish(account, origin, subject, undefined, 0, data, 0, data.length, undefined)
    : router.deliverRouted(account, origin, owner, queues, subject, undefined, 0, data, 0, data.length, undefined);
}

describe('InterestRouter', () => {
  it('never sends a message from a route to another route, nor to a gateway; clients and leafs get it', () => {
    const router = new InterestRouter();
    const from = new Link('route');
    const otherRoute = new Link('route');
    const gateway = new Link('gateway');
    const leaf = new Link('leaf');
    const client = new Subscriber('orders.*');
    router.insert('$G', new Entry('route', from, 'orders.new'));
    router.insert('$G', new Entry('route', otherRoute, 'orders.>'));
    router.insert('$G', new Entry('gateway', gateway, '>'));
    router.insert('$G', new Entry('leaf', leaf, 'orders.new'));
    router.insert('$G', client);
    expect(publish(router, from, 'orders.new', [])).toBe(true);
    expect(otherRoute.sent).toEqual([]);
    expect(gateway.sent).toEqual([]);
    expect(from.sent).toEqual([]);
    expect(leaf.sent).toEqual(['orders.new']);
    expect(client.got).toEqual(['orders.new hi']);
  });

  it('sends a client message on each link once, whatever number of its entries match', () => {
    const router = new InterestRouter();
    const route = new Link('route');
    router.insert('$G', new Entry('route', route, 'a.*'));
    router.insert('$G', new Entry('route', route, 'a.b'));
    router.insert('$G', new Entry('route', route, 'a.b', 'q'));
    publish(router, CLIENT, 'a.b');
    expect(route.sent).toEqual(['a.b q']);
  });

  it('delivers each message of a queue group once, to the member beside the publisher while there is one', () => {
    const router = new InterestRouter();
    const route1 = new Link('route');
    const route2 = new Link('route');
    const gateway = new Link('gateway');
    const local = new Subscriber('work', 'q');
    router.insert('$G', local);
    router.insert('$G', new Entry('route', route1, 'work', 'q', 3));
    router.insert('$G', new Entry('route', route2, 'work', 'q', 1));
    router.insert('$G', new Entry('gateway', gateway, 'work', 'q'));
    for (let i = 0; i < 500; i++) publish(router, CLIENT, 'work');
    expect(local.got).toHaveLength(500);
    expect(route1.sent.length + route2.sent.length + gateway.sent.length).toBe(0);

    // Without it, the other servers of the cluster (by weight) before another cluster.
    router.remove('$G', local);
    for (let i = 0; i < 1000; i++) publish(router, CLIENT, 'work');
    expect(route1.sent.length + route2.sent.length).toBe(1000);
    expect(route1.sent.length).toBeGreaterThan(route2.sent.length);
    expect(gateway.sent).toEqual([]);
  });

  it('falls back to another cluster only when no server of the cluster has the group', () => {
    const router = new InterestRouter();
    const gateway = new Link('gateway');
    router.insert('$G', new Entry('gateway', gateway, 'work', 'q'));
    publish(router, CLIENT, 'work');
    expect(gateway.sent).toEqual(['work q']);
  });

  it('sends a queue group in several other clusters to the nearest one, also when another process named it', () => {
    const router = new InterestRouter();
    const far = new Link('gateway');
    const near = new Link('gateway');
    router.insert('$G', Object.assign(new Entry('gateway', far, 'work', 'q'), { rttMs: 40 }));
    router.insert('$G', Object.assign(new Entry('gateway', near, 'work', 'q'), { rttMs: 3 }));
    for (let i = 0; i < 10; i++) publish(router, CLIENT, 'work');
    publish(router, new Link('node'), 'work', ['q'], 'm');
    expect(far.sent).toEqual([]);
    expect(near.sent).toHaveLength(11);
  });

  it('gives a message from a route to a local member of each group the route named, and to no other group', () => {
    const router = new InterestRouter();
    const route = new Link('route');
    const otherRoute = new Link('route');
    const named = new Subscriber('work', 'q');
    const unnamed = new Subscriber('work', 'other');
    router.insert('$G', named);
    router.insert('$G', unnamed);
    router.insert('$G', new Entry('route', otherRoute, 'work', 'q'));
    publish(router, route, 'work', ['q']);
    expect(named.got).toEqual(['work hi']);
    expect(unnamed.got).toEqual([]);
    expect(otherRoute.sent).toEqual([]);
  });

  it("carries a leaf's messages to gateways, and a gateway's to leafs and routes but no other gateway", () => {
    const router = new InterestRouter();
    const leaf = new Link('leaf');
    const gateway = new Link('gateway');
    const otherGateway = new Link('gateway');
    const route = new Link('route');
    router.insert('$G', new Entry('gateway', gateway, 'x'));
    router.insert('$G', new Entry('gateway', otherGateway, 'x'));
    router.insert('$G', new Entry('leaf', leaf, 'x'));
    router.insert('$G', new Entry('route', route, 'x'));
    publish(router, new Link('leaf'), 'x', []);
    expect(gateway.sent).toEqual(['x']);
    expect(leaf.sent).toEqual(['x']);
    publish(router, gateway, 'x', []);
    expect(leaf.sent).toEqual(['x', 'x']);
    expect(route.sent).toEqual(['x', 'x']);
    expect(otherGateway.sent).toEqual(['x']);
  });

  it('gives an internal subscriber the messages of clients, routes, gateways, leafs and other processes', () => {
    const router = new InterestRouter();
    const internal = new Subscriber('$JS.API.>', undefined, 'internal');
    router.insert('$G', internal);
    publish(router, CLIENT, '$JS.API.INFO');
    for (const kind of ['route', 'gateway', 'leaf', 'node'] as const) publish(router, new Link(kind), '$JS.API.INFO', []);
    expect(internal.got).toHaveLength(5);
  });

  it('shows subscribers the subject a delivery names, and carries it to links after an @ in the reply', () => {
    const router = new InterestRouter();
    const local = new Subscriber('push.1');
    const link = new Link('route');
    router.insert('$G', local);
    router.insert('$G', new Entry('route', link, 'push.1'));
    const data = Buffer.from('hi');
    const account = router.account('$G');
    router.publish(account, { originKind: 'internal', originMember: 'js' }, 'push.1', '$JS.ACK.S.C.1.1.1.0.0', 0, data, 0, 2, undefined, 'orders.new');
    expect(local.got).toEqual(['orders.new hi']);
    expect(local.replies).toEqual(['$JS.ACK.S.C.1.1.1.0.0']);
    expect(link.sent).toEqual(['push.1']);
    expect(link.replies).toEqual(['$JS.ACK.S.C.1.1.1.0.0@orders.new']);
    // Coming back over a link, the `@` part is taken off the reply and shown as the subject.
    const other = new InterestRouter();
    const subscriber = new Subscriber('push.1');
    other.insert('$G', subscriber);
    other.deliverRouted(other.account('$G'), new Link('route'), undefined, [], 'push.1', '$JS.ACK.S.C.1.1.1.0.0@orders.new', 0, data, 0, 2, undefined);
    other.deliverRouted(other.account('$G'), new Link('route'), undefined, [], 'push.1', '@orders.old', 0, data, 0, 2, undefined);
    expect(subscriber.got).toEqual(['orders.new hi', 'orders.old hi']);
    expect(subscriber.replies).toEqual(['$JS.ACK.S.C.1.1.1.0.0', undefined]);
  });

  it('keeps a client without echo from its own message, and says when nothing took a message', () => {
    const router = new InterestRouter();
    const publisher: RouterOrigin = { originKind: 'client', originMember: 'cg' };
    const own = new Subscriber('s', undefined, 'client', publisher);
    router.insert('$G', own);
    expect(publish(router, publisher, 's')).toBe(false);
    expect(publish(router, CLIENT, 's')).toBe(true);
    expect(own.got).toEqual(['s hi']);
    expect(publish(router, CLIENT, 'nobody')).toBe(false);
  });

  it('delivers a message addressed to one bus member to that member\'s entries only', () => {
    const router = new InterestRouter();
    const mine = new Subscriber('s');
    const theirs = new Subscriber('s');
    theirs.owner = 'other';
    router.insert('$G', mine);
    router.insert('$G', theirs);
    publish(router, new Link('node'), 's', [], 'm');
    expect(mine.got).toHaveLength(1);
    expect(theirs.got).toHaveLength(0);
  });

  it('asks a link that has rules whether it takes a message, for plain interest and queue picks', () => {
    const router = new InterestRouter();
    const from = new Link('leaf');
    class Refusing extends Link {
      accepts(origin: RouterOrigin): boolean {
        return origin !== from;
      }
    }
    const refusing = new Refusing('leaf');
    const other = new Link('leaf');
    router.insert('$G', new Entry('leaf', refusing, 'x'));
    router.insert('$G', new Entry('leaf', refusing, 'x', 'q', 100));
    router.insert('$G', new Entry('leaf', other, 'x', 'q', 1));
    for (let i = 0; i < 20; i++) publish(router, from, 'x', ['q']);
    expect(refusing.sent).toEqual([]);
    expect(other.sent).toHaveLength(20);
    publish(router, CLIENT, 'x', []);
    expect(refusing.sent).toEqual(['x']);
  });

  it('lets an origin narrow the kinds its messages reach, and gives a leaf\'s queue message to a leaf only when nothing else has the group', () => {
    const router = new InterestRouter();
    const route = new Link('route');
    const leaf = new Link('leaf');
    const spoke: RouterOrigin = { originKind: 'leaf', originMember: 'lp', forwards: KIND_BIT.client | KIND_BIT.leaf };
    router.insert('$G', new Entry('route', route, 'x'));
    router.insert('$G', new Entry('route', route, 'work', 'q', 1));
    router.insert('$G', new Entry('leaf', leaf, 'work', 'q', 100));
    publish(router, spoke, 'x', []);
    expect(route.sent).toEqual([]);
    for (let i = 0; i < 20; i++) publish(router, new Link('leaf'), 'work', ['q']);
    expect(route.sent).toHaveLength(20);
    expect(leaf.sent).toEqual([]);
    publish(router, spoke, 'work', ['q']);
    expect(leaf.sent).toEqual(['work q']);
  });
});
