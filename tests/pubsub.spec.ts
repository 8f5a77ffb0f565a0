// Core messaging seen through the official NATS client.
import {
  connect,
  createInbox,
  Empty,
  headers,
  NoRespondersError,
  RequestError,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Messages a subscription has delivered so far, with a bounded wait for more. */
class Inbox {
  readonly messages: Msg[] = [];
  readonly subscription: Subscription;
  private wake: (() => void) | null = null;

  private constructor(nc: NatsConnection, subject: string, options: { queue?: string; max?: number }) {
    this.subscription = nc.subscribe(subject, {
      ...options,
      callback: (err, msg) => {
        if (!err) this.push(msg);
      },
    });
  }

  static on(nc: NatsConnection, subject: string, options: { queue?: string; max?: number } = {}): Inbox {
    return new Inbox(nc, subject, options);
  }

  get texts(): string[] {
    return this.messages.map((msg) => decoder.decode(msg.data));
  }

  push(msg: Msg): void {
    this.messages.push(msg);
    this.wake?.();
  }

  /** Resolves once `count` messages have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5_000): Promise<Msg[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} messages on ${this.subscription.getSubject()}, got ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    return this.messages;
  }
}

describeEachTarget('publish/subscribe with the official client', (target) => {
  let server: RunningServer;
  const connections: NatsConnection[] = [];
  let subjectCounter = 0;
  const uniqueSubject = (prefix: string): string => `${prefix}.${++subjectCounter}`;

  beforeAll(async () => {
    server = await startServer(target);
  });

  afterAll(async () => {
    await server?.stop();
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
  });

  async function client(options: { noEcho?: boolean; name?: string } = {}): Promise<NatsConnection> {
    const nc = await connect({ servers: server.clientUrl, reconnect: false, ...options });
    connections.push(nc);
    return nc;
  }

  it('delivers a published message to a subscriber on another connection', async () => {
    const [subscriber, publisher] = [await client(), await client()];
    const subject = uniqueSubject('plain');
    const inbox = Inbox.on(subscriber, subject);
    await subscriber.flush();
    publisher.publish(subject, 'hello');
    await inbox.waitFor(1);
    expect(inbox.texts).toEqual(['hello']);
    expect(inbox.messages[0]!.subject).toBe(subject);
    expect(inbox.messages[0]!.reply).toBe('');
  });

  it('delivers messages in publish order', async () => {
    const nc = await client();
    const subject = uniqueSubject('order');
    const inbox = Inbox.on(nc, subject);
    for (let i = 0; i < 500; i++) nc.publish(subject, String(i));
    await inbox.waitFor(500);
    expect(inbox.texts).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
  });

  it('* matches exactly one token', async () => {
    const nc = await client();
    const base = uniqueSubject('star');
    const inbox = Inbox.on(nc, `${base}.*.end`);
    for (const subject of [`${base}.a.end`, `${base}.end`, `${base}.a.b.end`, `${base}.a.end.more`, `${base}.b.end`]) {
      nc.publish(subject, subject);
    }
    await nc.flush();
    await inbox.waitFor(2);
    await nc.flush();
    expect(inbox.texts).toEqual([`${base}.a.end`, `${base}.b.end`]);
  });

  it('> matches one or more trailing tokens', async () => {
    const nc = await client();
    const base = uniqueSubject('gt');
    const inbox = Inbox.on(nc, `${base}.>`);
    for (const subject of [base, `${base}.a`, `${base}.a.b.c`, `${base}x.a`, `other.${base}.a`]) nc.publish(subject, subject);
    await inbox.waitFor(2);
    await nc.flush();
    expect(inbox.texts).toEqual([`${base}.a`, `${base}.a.b.c`]);
  });

  it('a wildcard subscription shows each message its own subject, in runs and alternating, with and without headers', async () => {
    const nc = await client();
    const base = uniqueSubject('runs');
    const inbox = Inbox.on(nc, `${base}.*`);
    const tokens = ['a', 'a', 'b', 'b', 'b', 'a', 'c', 'a', 'c', 'c', 'b', 'b'];
    tokens.forEach((token, i) => {
      const h = headers();
      h.set('N', String(i));
      nc.publish(`${base}.${token}`, String(i), i % 3 === 0 ? { headers: h } : undefined);
    });
    await inbox.waitFor(tokens.length);
    expect(inbox.messages.map((m) => m.subject)).toEqual(tokens.map((token) => `${base}.${token}`));
    expect(inbox.texts).toEqual(tokens.map((_, i) => String(i)));
    expect(inbox.messages.map((m) => m.headers?.get('N') ?? '')).toEqual(tokens.map((_, i) => (i % 3 === 0 ? String(i) : '')));
  });

  it('a message matching several subscriptions of one connection is delivered to each', async () => {
    const nc = await client();
    const base = uniqueSubject('overlap');
    const exact = Inbox.on(nc, `${base}.x`);
    const star = Inbox.on(nc, `${base}.*`);
    const full = Inbox.on(nc, '>');
    nc.publish(`${base}.x`, 'one');
    await Promise.all([exact.waitFor(1), star.waitFor(1), full.waitFor(1)]);
    await nc.flush();
    expect([exact.texts, star.texts, full.texts.filter((text) => text === 'one')]).toEqual([['one'], ['one'], ['one']]);
  });

  it('queue group: each message goes to exactly one member, spread over all members', async () => {
    const members = [await client(), await client(), await client()];
    const subject = uniqueSubject('queue');
    const inboxes = members.map((nc) => Inbox.on(nc, subject, { queue: 'workers' }));
    await Promise.all(members.map((nc) => nc.flush()));
    const publisher = await client();
    const total = 3000;
    for (let i = 0; i < total; i++) publisher.publish(subject, String(i));
    await publisher.flush();
    const deadline = Date.now() + 10_000;
    while (inboxes.reduce((sum, inbox) => sum + inbox.messages.length, 0) < total && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(members.map((nc) => nc.flush()));
    const received = inboxes.flatMap((inbox) => inbox.texts);
    expect(received).toHaveLength(total);
    expect(new Set(received).size).toBe(total);
    for (const inbox of inboxes) expect(inbox.messages.length).toBeGreaterThan(total / 10);
  });

  it('queue groups and plain subscribers: every plain subscriber and one member of each group', async () => {
    const nc1 = await client();
    const nc2 = await client();
    const subject = uniqueSubject('mixed');
    const plainA = Inbox.on(nc1, subject);
    const plainB = Inbox.on(nc2, subject);
    const groupA = [Inbox.on(nc1, subject, { queue: 'a' }), Inbox.on(nc2, subject, { queue: 'a' })];
    const groupB = [Inbox.on(nc1, subject, { queue: 'b' }), Inbox.on(nc2, subject, { queue: 'b' })];
    await Promise.all([nc1.flush(), nc2.flush()]);
    const publisher = await client();
    for (let i = 0; i < 100; i++) publisher.publish(subject, String(i));
    await Promise.all([plainA.waitFor(100), plainB.waitFor(100)]);
    await publisher.flush();
    await Promise.all([nc1.flush(), nc2.flush()]);
    const count = (group: Inbox[]): number => group.reduce((sum, inbox) => sum + inbox.messages.length, 0);
    expect(count(groupA)).toBe(100);
    expect(count(groupB)).toBe(100);
  });

  it('request/reply', async () => {
    const responder = await client();
    const requester = await client();
    const subject = uniqueSubject('service');
    responder.subscribe(subject, {
      callback: (_err, msg) => {
        msg.respond(`echo:${decoder.decode(msg.data)}`);
      },
    });
    await responder.flush();
    const reply = await requester.request(subject, 'ping', { timeout: 2_000 });
    expect(decoder.decode(reply.data)).toBe('echo:ping');
  });

  it('many concurrent requests each get their own reply', async () => {
    const responder = await client();
    const requester = await client();
    const subject = uniqueSubject('service');
    responder.subscribe(subject, {
      callback: (_err, msg) => {
        msg.respond(msg.data);
      },
    });
    await responder.flush();
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => requester.request(subject, String(i), { timeout: 5_000 })),
    );
    expect(replies.map((msg) => decoder.decode(msg.data))).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });

  it('a request nobody listens to fails fast with a no-responders error', async () => {
    const nc = await client();
    const started = Date.now();
    const failure = await nc.request(uniqueSubject('nobody'), 'x', { timeout: 5_000 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(RequestError);
    expect((failure as RequestError).isNoResponders()).toBe(true);
    expect((failure as Error).cause).toBeInstanceOf(NoRespondersError);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('headers round trip: multiple values, order, no status', async () => {
    const nc = await client();
    const subject = uniqueSubject('headers');
    const inbox = Inbox.on(nc, subject);
    const sent = headers();
    sent.append('X-Multi', 'one');
    sent.append('X-Multi', 'two');
    sent.set('X-Single', 'value with spaces');
    nc.publish(subject, 'body', { headers: sent });
    const [msg] = await inbox.waitFor(1);
    expect(decoder.decode(msg!.data)).toBe('body');
    expect(msg!.headers).toBeDefined();
    expect(msg!.headers!.values('X-Multi')).toEqual(['one', 'two']);
    expect(msg!.headers!.get('X-Single')).toBe('value with spaces');
    expect(msg!.headers!.hasError).toBe(false);
    expect(msg!.headers!.code).toBe(0);
  });

  it('headers with an empty payload', async () => {
    const nc = await client();
    const subject = uniqueSubject('headers');
    const inbox = Inbox.on(nc, subject);
    const sent = headers();
    sent.set('K', 'v');
    nc.publish(subject, Empty, { headers: sent });
    const [msg] = await inbox.waitFor(1);
    expect(msg!.data.length).toBe(0);
    expect(msg!.headers!.get('K')).toBe('v');
  });

  it('request and reply both carry headers', async () => {
    const responder = await client();
    const requester = await client();
    const subject = uniqueSubject('hservice');
    responder.subscribe(subject, {
      callback: (_err, msg) => {
        const answer = headers();
        answer.set('Got', msg.headers?.get('Ask') ?? 'nothing');
        msg.respond(Empty, { headers: answer });
      },
    });
    await responder.flush();
    const ask = headers();
    ask.set('Ask', '42');
    const reply = await requester.request(subject, Empty, { timeout: 2_000, headers: ask });
    expect(reply.headers?.get('Got')).toBe('42');
  });

  it('auto-unsubscribe after max messages', async () => {
    const nc = await client();
    const subject = uniqueSubject('max');
    const inbox = Inbox.on(nc, subject, { max: 3 });
    for (let i = 0; i < 6; i++) nc.publish(subject, String(i));
    await inbox.waitFor(3);
    await nc.flush();
    expect(inbox.texts).toEqual(['0', '1', '2']);
    expect(inbox.subscription.isClosed()).toBe(true);
  });

  it('unsubscribe(n) after some messages stops at the lifetime total', async () => {
    const nc = await client();
    const subject = uniqueSubject('unsubmax');
    const inbox = Inbox.on(nc, subject);
    nc.publish(subject, 'a');
    await inbox.waitFor(1);
    inbox.subscription.unsubscribe(2);
    for (const text of ['b', 'c', 'd']) nc.publish(subject, text);
    await inbox.waitFor(2);
    await nc.flush();
    expect(inbox.texts).toEqual(['a', 'b']);
  });

  it('unsubscribe stops delivery', async () => {
    const nc = await client();
    const publisher = await client();
    const subject = uniqueSubject('unsub');
    const inbox = Inbox.on(nc, subject);
    await nc.flush();
    publisher.publish(subject, 'before');
    await inbox.waitFor(1);
    inbox.subscription.unsubscribe();
    await nc.flush();
    publisher.publish(subject, 'after');
    await publisher.flush();
    await nc.flush();
    expect(inbox.texts).toEqual(['before']);
  });

  it('noEcho: a connection does not receive its own messages, others do', async () => {
    const quiet = await client({ noEcho: true });
    const other = await client();
    const subject = uniqueSubject('echo');
    const own = Inbox.on(quiet, subject);
    const foreign = Inbox.on(other, subject);
    await Promise.all([quiet.flush(), other.flush()]);
    quiet.publish(subject, 'from-quiet');
    other.publish(subject, 'from-other');
    await foreign.waitFor(2);
    await own.waitFor(1);
    await quiet.flush();
    expect(own.texts).toEqual(['from-other']);
    expect(foreign.texts.sort()).toEqual(['from-other', 'from-quiet']);
  });

  it('subscription drain delivers what was in flight, then closes the subscription', async () => {
    const nc = await client();
    const subject = uniqueSubject('sdrain');
    const inbox = Inbox.on(nc, subject);
    for (let i = 0; i < 100; i++) nc.publish(subject, String(i));
    await inbox.subscription.drain();
    expect(inbox.subscription.isClosed()).toBe(true);
    expect(inbox.messages.length).toBe(100);
    nc.publish(subject, 'late');
    await nc.flush();
    expect(inbox.messages.length).toBe(100);
  });

  it('connection drain delivers pending messages and closes the connection', async () => {
    const nc = await client();
    const publisher = await client();
    const subject = uniqueSubject('cdrain');
    const inbox = Inbox.on(nc, subject);
    await nc.flush();
    for (let i = 0; i < 200; i++) publisher.publish(subject, String(i));
    await publisher.flush();
    await nc.drain();
    expect(nc.isClosed()).toBe(true);
    expect(inbox.messages.length).toBe(200);
    await expect(nc.closed()).resolves.toBeUndefined();
  });

  it('flush and rtt round-trip to the server', async () => {
    const nc = await client();
    await nc.flush();
    const rtt = await nc.rtt();
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(2_000);
  });

  it('the client learns max_payload from INFO; a payload of exactly max_payload is delivered', async () => {
    const nc = await client();
    expect(nc.info?.max_payload).toBe(1048576);
    const subject = uniqueSubject('large');
    const inbox = Inbox.on(nc, subject);
    const payload = new Uint8Array(1048576);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    nc.publish(subject, payload);
    const [msg] = await inbox.waitFor(1, 10_000);
    expect(msg!.data.length).toBe(payload.length);
    expect(Buffer.from(msg!.data).equals(Buffer.from(payload))).toBe(true);
    expect(() => nc.publish(subject, new Uint8Array(1048577))).toThrow();
  });

  it('zero-length payloads', async () => {
    const nc = await client();
    const subject = uniqueSubject('zero');
    const inbox = Inbox.on(nc, subject);
    nc.publish(subject);
    nc.publish(subject, Empty);
    nc.publish(subject, '');
    await inbox.waitFor(3);
    expect(inbox.messages.map((msg) => msg.data.length)).toEqual([0, 0, 0]);
  });

  it('binary payloads are delivered byte for byte (CRLF and NUL included)', async () => {
    const nc = await client();
    const subject = uniqueSubject('binary');
    const inbox = Inbox.on(nc, subject);
    const payload = new Uint8Array([0, 13, 10, 255, 13, 10, 0, 77]);
    nc.publish(subject, payload);
    const [msg] = await inbox.waitFor(1);
    expect([...msg!.data]).toEqual([...payload]);
  });

  it('reply subjects pass through to the subscriber unchanged', async () => {
    const nc = await client();
    const subject = uniqueSubject('reply');
    const replyTo = createInbox();
    const inbox = Inbox.on(nc, subject);
    const replies = Inbox.on(nc, replyTo);
    nc.publish(subject, 'question', { reply: replyTo });
    const [msg] = await inbox.waitFor(1);
    expect(msg!.reply).toBe(replyTo);
    expect(msg!.respond(encoder.encode('answer'))).toBe(true);
    await replies.waitFor(1);
    expect(replies.texts).toEqual(['answer']);
  });

  it('many subscriptions on distinct subjects each get their own message', async () => {
    const nc = await client();
    const base = uniqueSubject('many');
    const count = 1000;
    const received = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      nc.subscribe(`${base}.${i}`, {
        callback: (_err, msg) => {
          received.set(msg.subject, (received.get(msg.subject) ?? 0) + 1);
        },
      });
    }
    await nc.flush();
    const publisher = await client();
    for (let i = 0; i < count; i++) publisher.publish(`${base}.${i}`, String(i));
    await publisher.flush();
    const deadline = Date.now() + 10_000;
    while (received.size < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await nc.flush();
    expect(received.size).toBe(count);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
  });

  it('many subscriptions on one subject all receive the message', async () => {
    const nc = await client();
    const subject = uniqueSubject('fanout');
    let deliveries = 0;
    for (let i = 0; i < 300; i++) nc.subscribe(subject, {
        callback: () => {
          deliveries++;
        },
      });
    await nc.flush();
    nc.publish(subject, 'x');
    const deadline = Date.now() + 5_000;
    while (deliveries < 300 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await nc.flush();
    expect(deliveries).toBe(300);
  });

  it('a closed connection’s subscriptions receive nothing and other subscribers are unaffected', async () => {
    const gone = await client();
    const stays = await client();
    const subject = uniqueSubject('closed');
    Inbox.on(gone, subject);
    const inbox = Inbox.on(stays, subject);
    await Promise.all([gone.flush(), stays.flush()]);
    await gone.close();
    const publisher = await client();
    publisher.publish(subject, 'after-close');
    await inbox.waitFor(1);
    expect(inbox.texts).toEqual(['after-close']);
  });
});
