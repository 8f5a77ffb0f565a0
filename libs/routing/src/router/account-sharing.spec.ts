import { describe, expect, it } from 'vitest';
import type { InterestKind } from './interest-kind.js';
import { InterestRouter } from './interest-router.js';
import type { RouterOrigin, SubscriberEntry } from './router-entry.js';
import type { MappingSpec } from '../subject-mapping.js';
import type { AccountSharingSpec } from './configure-sharing.js';

class Subscriber implements SubscriberEntry {
  readonly link = undefined;
  readonly kind = 'client';
  readonly queue = undefined;
  owner = 'm';
  weight = 1;
  readonly got: string[] = [];
  readonly replies: (string | undefined)[] = [];
  readonly headers: string[] = [];
  constructor(readonly subject: string) {}
  accepts(): boolean {
    return true;
  }
  deliver(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    this.got.push(`${subject} ${Buffer.from(data.subarray(start + headerSize, end)).toString()}`);
    this.replies.push(reply);
    this.headers.push(Buffer.from(data.subarray(start, start + headerSize)).toString());
  }
}

/** A responder: answers each request on its reply, `count` times. */
class Responder extends Subscriber {
  constructor(
    subject: string,
    private readonly router: InterestRouter,
    private readonly account: string,
    private readonly count = 1,
  ) {
    super(subject);
  }
  override deliver(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    super.deliver(subject, reply, headerSize, data, start, end);
    if (reply === undefined) return;
    for (let i = 1; i <= this.count; i++) send(this.router, this.account, reply, `r${i}`);
  }
}

const origin = (kind: InterestKind): RouterOrigin => ({ originKind: kind, originMember: 'm' });
const CLIENT = origin('client');

function send(router: InterestRouter, account: string, subject: string, text: string, reply?: string, from = CLIENT): boolean {
  const data = Buffer.from(text);
  return router.publish(router.account(account), from, subject, reply, 0, data, 0, data.length, undefined);
}

function routerWith(accounts: AccountSharingSpec[], mappings: readonly MappingSpec[] = []): InterestRouter {
  const router = new InterestRouter();
  router.configureSharing({ accounts, mappings });
  return router;
}

const none = { serviceExports: [], streamImports: [], serviceImports: [], mappings: [] };

describe('stream imports', () => {
  it("gives the importer's subscribers the exporter's messages under the import's subject, and nothing else", () => {
    const router = routerWith([
      { name: 'A', sharing: none },
      { name: 'B', sharing: { ...none, streamImports: [{ account: 'A', subject: 'news.>', to: 'a.news.>', at: 'f:1:1' }, { account: 'A', subject: 'alerts.*', to: 'warn.*', at: 'f:1:1' }] } },
    ]);
    const prefixed = new Subscriber('a.news.>');
    const mapped = new Subscriber('warn.*');
    const plain = new Subscriber('news.>');
    router.insert('B', prefixed);
    router.insert('B', mapped);
    router.insert('B', plain);
    expect(send(router, 'A', 'news.sport', 'goal')).toBe(true);
    send(router, 'A', 'alerts.fire', 'hot');
    send(router, 'A', 'other', 'x');
    send(router, 'B', 'news.mine', 'own');
    expect(prefixed.got).toEqual(['a.news.sport goal']);
    expect(mapped.got).toEqual(['warn.fire hot']);
    expect(plain.got).toEqual(['news.mine own']);
    // A JetStream push delivery on an imported subject shows the importer the stored subject.
    const push = Buffer.from('stored');
    router.publish(router.account('A'), origin('internal'), 'news.deliver', undefined, 0, push, 0, push.length, undefined, 'orders.1');
    expect(prefixed.got).toEqual(['a.news.sport goal', 'orders.1 stored']);
    prefixed.got.length = 1;
    // Relayed by another process of this server (addressed to one member), it was imported there.
    const data = Buffer.from('again');
    router.deliverRouted(router.account('A'), origin('route'), 'm', [], 'news.sport', undefined, 0, data, 0, data.length, undefined);
    expect(prefixed.got).toEqual(['a.news.sport goal']);
    // Without a subscriber in the importer, the message was taken by no one.
    router.remove('B', prefixed);
    expect(send(router, 'A', 'news.sport', 'goal')).toBe(false);
  });

  it('holds interest for what is imported, a stream while the importer has subscribers here, for other servers to hear of', () => {
    const router = routerWith([
      { name: 'A', sharing: { ...none, serviceExports: [{ subject: 'help.>', responseType: 'Singleton', responseThresholdMs: 1000 }] } },
      {
        name: 'B',
        sharing: { ...none, streamImports: [{ account: 'A', subject: 'news.>', to: 'a.news.>', at: 'f:1:1' }], serviceImports: [{ account: 'A', subject: 'help.>', to: 'help.>', at: 'f:1:1' }] },
      },
    ]);
    expect(router.hasInterest(router.account('A'), 'news.x')).toBe(false);
    expect(router.hasInterest(router.account('B'), 'help.x')).toBe(true);
    const told: string[] = [];
    router.watchSharedInterest((interest, add) => told.push(`${add ? '+' : '-'}${interest.account} ${interest.subject}`));
    const responses = router.account('A').sharing!.responses!.subject;
    expect(responses).toMatch(/^_R_\.[A-Za-z0-9]{8}\.>$/);
    expect(told).toEqual([`+A ${responses}`, '+B help.>']);
    told.length = 0;
    const sport = new Subscriber('a.news.sport');
    const all = new Subscriber('>');
    router.insert('B', sport);
    router.insert('B', sport);
    router.insert('B', all);
    router.insert('B', new Subscriber('other'));
    expect(told).toEqual(['+A news.>']);
    expect(router.hasInterest(router.account('A'), 'news.x')).toBe(true);
    router.remove('B', sport);
    expect(told).toEqual(['+A news.>']);
    router.remove('B', all);
    expect(told).toEqual(['+A news.>', '-A news.>']);
  });

  it('refuses an import whose subjects nats-server cannot transform, naming where it was written', () => {
    expect(() => routerWith([{ name: 'A' }, { name: 'B', sharing: { ...none, streamImports: [{ account: 'A', subject: 'news.*', to: 'n.x', at: 'f:4:3' }] } }])).toThrow(
      'f:4:3: Error adding stream import "news.*": failed to create mapping transform for stream import subject "news.*" to "n.x"',
    );
    expect(() => routerWith([{ name: 'A' }, { name: 'B', sharing: { ...none, serviceImports: [{ account: 'A', subject: 'svc.*', to: 's.*.*', at: 'f:5:3' }] } }])).toThrow(
      'f:5:3: Error adding service import "svc.*": failed to create mapping transform for service import subject "s.*.*" to "svc.*"',
    );
  });

  it('costs nothing to accounts that share nothing', () => {
    const router = routerWith([{ name: 'A' }, { name: 'B', sharing: none }]);
    expect(router.account('A').sharing).toBeUndefined();
    expect(router.account('A').mapper).toBeUndefined();
    expect(router.account('$G').sharing).toBeUndefined();
  });
});

describe('service imports', () => {
  const exports = (responseType: 'Singleton' | 'Stream' | 'Chunked') => [{ subject: 'help.>', responseType, responseThresholdMs: 60_000 }];
  const importer = { name: 'B', sharing: { ...none, serviceImports: [{ account: 'A', subject: 'help.>', to: 'a.help.>', at: 'f:1:1' }] } };

  it("sends a request to the exporter's responder on the exported subject, its reply back to the requester", () => {
    const router = routerWith([{ name: 'A', sharing: { ...none, serviceExports: exports('Singleton') } }, importer]);
    const responder = new Responder('help.>', router, 'A', 2);
    router.insert('A', responder);
    const inbox = new Subscriber('_INBOX.1');
    router.insert('B', inbox);
    expect(send(router, 'B', 'a.help.me', 'q', '_INBOX.1')).toBe(true);
    expect(responder.got).toEqual(['help.me q']);
    expect(responder.replies[0]).toMatch(/^_R_\.[A-Za-z0-9]{8}\.0$/);
    // As nats-server, the responder learns the requester's account.
    expect(responder.headers[0]).toBe('NATS/1.0\r\nNats-Request-Info: {"acc":"B","rtt":0}\r\n\r\n');
    // Singleton: the first response goes back, the route with it.
    expect(inbox.got).toEqual(['_INBOX.1 r1']);
    expect(router.account('A').sharing!.responses!.size).toBe(0);
    // The exporter's subjects are not the importer's.
    expect(send(router, 'B', 'help.me', 'q', '_INBOX.1')).toBe(false);
  });

  it('adds the request info after the headers a request has', () => {
    const router = routerWith([{ name: 'A', sharing: { ...none, serviceExports: exports('Singleton') } }, importer]);
    const responder = new Responder('help.>', router, 'A');
    router.insert('A', responder);
    const head = 'NATS/1.0\r\nX-Mine: 1\r\n\r\n';
    const data = Buffer.from(`${head}q`);
    router.publish(router.account('B'), { originKind: 'client', originMember: 'm', rttMs: 1.5 }, 'a.help.h', undefined, head.length, data, 0, data.length, undefined);
    expect(responder.headers).toEqual(['NATS/1.0\r\nX-Mine: 1\r\nNats-Request-Info: {"acc":"B","rtt":1500000}\r\n\r\n']);
    expect(responder.got).toEqual(['help.h q']);
  });

  it('keeps the route of a Stream response for every response, until an empty message', () => {
    const router = routerWith([{ name: 'A', sharing: { ...none, serviceExports: exports('Stream') } }, importer]);
    const responder = new Responder('help.>', router, 'A', 3);
    router.insert('A', responder);
    const inbox = new Subscriber('_INBOX.2');
    router.insert('B', inbox);
    send(router, 'B', 'a.help.x', 'q', '_INBOX.2');
    expect(inbox.got).toEqual(['_INBOX.2 r1', '_INBOX.2 r2', '_INBOX.2 r3']);
    const responses = router.account('A').sharing!.responses!;
    expect(responses.size).toBe(1);
    // A response relayed by another process of this server goes back too.
    const data = Buffer.from('r4');
    router.deliverRouted(router.account('A'), origin('node'), 'm', [], responder.replies[0]!, undefined, 0, data, 0, data.length, undefined);
    expect(inbox.got).toHaveLength(4);
    send(router, 'A', responder.replies[0]!, '');
    expect(responses.size).toBe(0);
  });

  it('leaves no route when no responder took the request, and takes no request from a route', () => {
    const router = routerWith([{ name: 'A', sharing: { ...none, serviceExports: exports('Singleton') } }, importer]);
    send(router, 'B', 'a.help.x', 'q', '_INBOX.3');
    expect(router.account('A').sharing!.responses!.size).toBe(0);
    const responder = new Responder('help.>', router, 'A');
    router.insert('A', responder);
    const data = Buffer.from('q');
    router.deliverRouted(router.account('B'), origin('route'), undefined, [], 'a.help.x', '_INBOX.3', 0, data, 0, 1, undefined);
    expect(responder.got).toEqual([]);
  });
});

describe('subject mappings', () => {
  it('maps a client subject before interest is matched, by weight, with wildcard functions', () => {
    const router = routerWith(
      [{ name: 'A', sharing: { ...none, mappings: [{ source: 'orders.*', destinations: [{ subject: 'orders.{{wildcard(1)}}.new', weight: 100 }], at: 'f:1:1' }] } }],
      [
        {
          source: 'svc',
          destinations: [
            { subject: 'svc.v1', weight: 80 },
            { subject: 'svc.v2', weight: 20 },
          ],
          at: 'f:2:1',
        },
        { source: 'half', destinations: [{ subject: 'half.b', weight: 50 }], at: 'f:3:1' },
      ],
    );
    const orders = new Subscriber('orders.*.new');
    router.insert('A', orders);
    send(router, 'A', 'orders.7', 'o');
    expect(orders.got).toEqual(['orders.7.new o']);
    const v1 = new Subscriber('svc.v1');
    const v2 = new Subscriber('svc.v2');
    const half = new Subscriber('half');
    const halfB = new Subscriber('half.b');
    for (const s of [v1, v2, half, halfB]) router.insert('$G', s);
    for (let i = 0; i < 10_000; i++) {
      send(router, '$G', 'svc', '');
      send(router, '$G', 'half', '');
    }
    expect(v1.got.length + v2.got.length).toBe(10_000);
    expect(v1.got.length).toBeGreaterThan(7_700);
    expect(v1.got.length).toBeLessThan(8_300);
    // Under 100, the rest stays on the source.
    expect(half.got.length + halfB.got.length).toBe(10_000);
    expect(halfB.got.length).toBeGreaterThan(4_600);
    expect(halfB.got.length).toBeLessThan(5_400);
    // Messages from a route were mapped where published.
    const data = Buffer.from('x');
    router.deliverRouted(router.account('A'), origin('route'), undefined, [], 'orders.8', undefined, 0, data, 0, 1, undefined);
    expect(orders.got).toHaveLength(1);
    // A leaf connection's are mapped here, unless another process of this server relayed them.
    router.deliverRouted(router.account('A'), origin('leaf'), undefined, [], 'orders.9', undefined, 0, data, 0, 1, undefined);
    router.deliverRouted(router.account('A'), origin('leaf'), 'm', [], 'orders.10', undefined, 0, data, 0, 1, undefined);
    expect(orders.got).toEqual(['orders.7.new o', 'orders.9.new x']);
  });

  it('refuses a mapping nats-server refuses, naming where it was written', () => {
    expect(() => routerWith([], [{ source: 'q.*', destinations: [{ subject: 'q.{{foo(1)}}', weight: 100 }], at: 'f:9:3' }])).toThrow(
      'f:9:3: Error adding mapping for "q.*" to "q.{{foo(1)}}": invalid mapping destination',
    );
  });

  it('rebuilds the sharing on a reload, telling only of the shared interest that went or appeared', () => {
    const exporter = { name: 'A', sharing: { ...none, serviceExports: [{ subject: 'help.>', responseType: 'Singleton' as const, responseThresholdMs: 1000 }] } };
    const serviceImport = { account: 'A', subject: 'help.>', to: 'help.>', at: 'f:1:1' };
    const router = routerWith([exporter, { name: 'B', sharing: { ...none, serviceImports: [serviceImport] } }]);
    const told: string[] = [];
    router.watchSharedInterest((interest, add) => told.push(`${add ? '+' : '-'}${interest.account} ${interest.subject}`));
    told.length = 0;
    const news = new Subscriber('a.news.>');
    router.insert('B', news);
    const streamImport = { account: 'A', subject: 'news.>', to: 'a.news.>', at: 'f:2:1' };
    router.reconfigureSharing({ accounts: [exporter, { name: 'B', sharing: { ...none, streamImports: [streamImport] } }], mappings: [] });
    // The service import and the exporter's response routes went; the stream import is wanted by the subscriber already there.
    expect(told.filter((t) => !t.includes('_R_')).sort()).toEqual(['+A news.>', '-B help.>']);
    expect(told.filter((t) => t.startsWith('-A _R_.'))).toHaveLength(1);
    expect(send(router, 'A', 'news.x', 'hi')).toBe(true);
    expect(news.got).toEqual(['a.news.x hi']);
    expect(router.hasInterest(router.account('B'), 'help.x')).toBe(false);
    expect(() => router.reconfigureSharing({ accounts: [{ name: 'B', sharing: { ...none, streamImports: [{ ...streamImport, subject: 'news.*', to: 'n.x' }] } }], mappings: [] })).toThrow(/f:2:1/);
    // A refused reload changes nothing.
    expect(send(router, 'A', 'news.y', 'again')).toBe(true);
    expect(news.got).toEqual(['a.news.x hi', 'a.news.y again']);
  });
});
