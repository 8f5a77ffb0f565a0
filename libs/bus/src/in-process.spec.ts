import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Logger } from '@nats-ts/observability';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessBus } from './in-process.js';
import type { BusEndpoint, BusHandlers, BusMessage, InterestChange, MemberInfo, MemberState, Role } from './types.js';

/** Records what a member's handlers receive, as readable lines. */
class Recorder implements BusHandlers {
  readonly events: string[] = [];
  readonly messages: { from: MemberInfo; msg: BusMessage }[] = [];
  onMessage: (msg: BusMessage) => void = () => {};

  memberJoined(member: MemberInfo): void {
    this.events.push(`joined ${member.memberId}`);
  }
  memberLeft(member: MemberInfo): void {
    this.events.push(`left ${member.memberId}`);
  }
  interest(from: MemberInfo, change: InterestChange): void {
    const key = change.queue === undefined ? change.subject : `${change.subject} ${change.queue}`;
    this.events.push(`${from.memberId} ${change.add ? '+' : '-'}${change.account} ${key} ${change.weight}`);
  }
  message(from: MemberInfo, msg: BusMessage): void {
    this.messages.push({ from, msg });
    this.onMessage(msg);
  }
  memberState(from: MemberInfo, state: MemberState): void {
    this.events.push(`${from.memberId} state ${state.cluster ?? '-'} [${state.clientUrls.join(',')}]`);
  }
  take(): string[] {
    return this.events.splice(0);
  }
}

let dir: string;
let logger: Logger;
let bus: InProcessBus;
beforeEach(() => {
  dir = mkdtempSync(joinPath(tmpdir(), 'nats-ts-bus-'));
  logger = new Logger({ logFile: joinPath(dir, 'bus.log'), logtime: false, debug: true });
  bus = new InProcessBus({ logger });
});
afterEach(() => {
  logger.close();
  rmSync(dir, { recursive: true, force: true });
});

async function joinMember(memberId: string, role: Role = 'client-gateway'): Promise<{ endpoint: BusEndpoint; rec: Recorder }> {
  const rec = new Recorder();
  const endpoint = await bus.join({ memberId, nodeId: 'n1', role, version: '0.1.0' }, rec);
  return { endpoint, rec };
}

function message(subject: string, payload: string, extra: Partial<BusMessage> = {}): BusMessage {
  return { account: '$G', subject, headerSize: 0, data: Buffer.from(payload), originMemberId: 'origin', ...extra };
}

describe('InProcessBus membership', () => {
  it('tells two members about each other', async () => {
    const a = await joinMember('a');
    expect(a.rec.take()).toEqual([]);
    expect(a.endpoint.members()).toEqual([]);
    const b = await joinMember('b', 'route-mesh');
    expect(a.rec.take()).toEqual(['joined b']);
    expect(b.rec.take()).toEqual(['joined a']);
    expect(b.endpoint.self).toEqual({ memberId: 'b', nodeId: 'n1', role: 'route-mesh', version: '0.1.0' });
    expect(a.endpoint.members()).toEqual([b.endpoint.self]);
    expect(b.endpoint.members()).toEqual([a.endpoint.self]);
  });

  it('tells three members about each other and about leaves', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b', 'route-mesh');
    const c = await joinMember('c', 'leaf-proxy');
    expect(a.rec.take()).toEqual(['joined b', 'joined c']);
    expect(b.rec.take()).toEqual(['joined a', 'joined c']);
    expect(c.rec.take()).toEqual(['joined a', 'joined b']);
    await b.endpoint.close();
    await b.endpoint.close();
    expect(a.rec.take()).toEqual(['left b']);
    expect(c.rec.take()).toEqual(['left b']);
    expect(b.rec.take()).toEqual([]);
    expect(a.endpoint.members().map((m) => m.memberId)).toEqual(['c']);
    expect(readFileSync(joinPath(dir, 'bus.log'), 'utf8')).toContain('[DBG] bus: member left b (route-mesh on n1)');
  });

  it('assigns member ids when none is given and refuses duplicates', async () => {
    const rec = new Recorder();
    const first = await bus.join({ nodeId: 'n1', role: 'stream-store', version: '1' }, rec);
    const second = await bus.join({ nodeId: 'n1', role: 'stream-store', version: '1' }, rec);
    expect(first.self.memberId).not.toBe(second.self.memberId);
    await expect(bus.join({ memberId: first.self.memberId, nodeId: 'n1', role: 'stream-store', version: '1' }, rec)).rejects.toThrow(
      /already joined/,
    );
  });

  it('keeps notifying the others when one handler throws', async () => {
    const a = await joinMember('a');
    a.rec.memberJoined = () => {
      throw new Error('handler bug');
    };
    const b = await joinMember('b');
    const c = await joinMember('c');
    expect(b.rec.take()).toEqual(['joined a', 'joined c']);
    expect(c.rec.take()).toEqual(['joined a', 'joined b']);
    expect(readFileSync(joinPath(dir, 'bus.log'), 'utf8')).toContain('[ERR] bus: memberJoined handler of a (client-gateway on n1) failed: handler bug');
  });
});

describe('InProcessBus member state', () => {
  it('delivers each announced state to the others and the latest to late joiners', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b', 'route-mesh');
    [a, b].forEach((m) => m.rec.take());
    a.endpoint.announceState({ clientUrls: ['127.0.0.1:4222'] });
    b.endpoint.announceState({ clientUrls: [], cluster: 'A' });
    b.endpoint.announceState({ clientUrls: ['127.0.0.1:4223'], cluster: 'A' });
    expect(a.rec.take()).toEqual(['b state A []', 'b state A [127.0.0.1:4223]']);
    expect(b.rec.take()).toEqual(['a state - [127.0.0.1:4222]']);
    const c = await joinMember('c');
    expect(c.rec.take()).toEqual(['joined a', 'a state - [127.0.0.1:4222]', 'joined b', 'b state A [127.0.0.1:4223]']);
  });

  it('skips members without a memberState handler', async () => {
    const a = await joinMember('a');
    const plain: BusHandlers = { memberJoined: () => {}, memberLeft: () => {}, interest: () => {}, message: () => {} };
    await bus.join({ memberId: 'quiet', nodeId: 'n1', role: 'stream-store', version: '1' }, plain);
    a.endpoint.announceState({ clientUrls: ['x:1'] });
    const c = await joinMember('c');
    expect(c.rec.take()).toEqual(['joined a', 'a state - [x:1]', 'joined quiet']);
  });
});

describe('InProcessBus interest', () => {
  it('delivers plain interest when it appears and disappears, counting announcements', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b');
    const c = await joinMember('c');
    [a, b, c].forEach((m) => m.rec.take());
    const foo = { account: '$G', subject: 'foo', weight: 1 };
    a.endpoint.announceInterest({ ...foo, add: true });
    a.endpoint.announceInterest({ ...foo, add: true });
    expect(b.rec.take()).toEqual(['a +$G foo 1']);
    expect(c.rec.take()).toEqual(['a +$G foo 1']);
    expect(a.rec.take()).toEqual([]);
    a.endpoint.announceInterest({ ...foo, add: false });
    expect(b.rec.take()).toEqual([]);
    a.endpoint.announceInterest({ ...foo, add: false });
    expect(b.rec.take()).toEqual(['a -$G foo 0']);
    a.endpoint.announceInterest({ ...foo, add: false });
    expect(b.rec.take()).toEqual([]);
  });

  it('delivers every change of queue weight, per account, subject and queue', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b', 'route-mesh');
    b.rec.take();
    const q = { account: '$G', subject: 'work', queue: 'q' };
    a.endpoint.announceInterest({ ...q, weight: 1, add: true });
    a.endpoint.announceInterest({ ...q, weight: 2, add: true });
    a.endpoint.announceInterest({ ...q, queue: 'other', weight: 1, add: true });
    a.endpoint.announceInterest({ account: 'B', subject: 'work', queue: 'q', weight: 1, add: true });
    a.endpoint.announceInterest({ ...q, weight: 1, add: false });
    a.endpoint.announceInterest({ ...q, weight: 2, add: false });
    expect(b.rec.take()).toEqual(['a +$G work q 1', 'a +$G work q 3', 'a +$G work other 1', 'a +B work q 1', 'a +$G work q 2', 'a -$G work q 0']);
  });

  it('gives a late joiner each member followed by its current interest', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b', 'route-mesh');
    a.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1, add: true });
    a.endpoint.announceInterest({ account: '$G', subject: 'gone', weight: 1, add: true });
    a.endpoint.announceInterest({ account: '$G', subject: 'gone', weight: 1, add: false });
    a.endpoint.announceInterest({ account: '$G', subject: 'work', queue: 'q', weight: 2, add: true });
    b.endpoint.announceInterest({ account: 'B', subject: 'bar.*', weight: 1, add: true });
    const c = await joinMember('c', 'leaf-proxy');
    expect(c.rec.take()).toEqual(['joined a', 'a +$G foo 1', 'a +$G work q 2', 'joined b', 'b +B bar.* 1']);
  });

  it('forgets the interest of a member that left', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b');
    a.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1, add: true });
    await a.endpoint.close();
    expect(b.rec.take()).toEqual(['joined a', 'a +$G foo 1', 'left a']);
    a.endpoint.announceInterest({ account: '$G', subject: 'bar', weight: 1, add: true });
    const c = await joinMember('c');
    expect(c.rec.take()).toEqual(['joined b']);
    expect(b.rec.take()).toEqual(['joined c']);
  });

  it('rejects weights that are not positive integers', async () => {
    const a = await joinMember('a');
    expect(() => a.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 0, add: true })).toThrow(RangeError);
    expect(() => a.endpoint.announceInterest({ account: '$G', subject: 'foo', weight: 1.5, add: true })).toThrow(RangeError);
  });
});

describe('InProcessBus messages', () => {
  it('delivers point to point, synchronously, with the same buffers', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b', 'route-mesh');
    const c = await joinMember('c', 'leaf-proxy');
    const msg = message('orders', 'hi', { reply: '_INBOX.1', queues: ['q'] });
    a.endpoint.send('b', msg);
    expect(b.rec.messages).toHaveLength(1);
    expect(b.rec.messages[0]!.from).toBe(a.endpoint.self);
    expect(b.rec.messages[0]!.msg).toBe(msg);
    expect(b.rec.messages[0]!.msg.data).toBe(msg.data);
    expect(c.rec.messages).toHaveLength(0);
    expect(a.rec.messages).toHaveLength(0);
    c.endpoint.send('a', message('back', 'x'));
    expect(a.rec.messages.map((m) => [m.from.memberId, m.msg.subject])).toEqual([['c', 'back']]);
  });

  it('lets a handler send on while it runs (request/reply relay)', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b');
    b.rec.onMessage = (msg) => b.endpoint.send('a', message(msg.reply!, 'pong'));
    a.endpoint.send('b', message('ping', 'ping', { reply: 'r1' }));
    expect(a.rec.messages.map((m) => [m.msg.subject, Buffer.from(m.msg.data).toString()])).toEqual([['r1', 'pong']]);
  });

  it('drops messages to unknown or departed members and from closed endpoints', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b');
    a.endpoint.send('nobody', message('x', 'x'));
    await b.endpoint.close();
    a.endpoint.send('b', message('x', 'x'));
    expect(b.rec.messages).toHaveLength(0);
    await a.endpoint.close();
    const c = await joinMember('c');
    a.endpoint.send('c', message('x', 'x'));
    expect(c.rec.messages).toHaveLength(0);
  });

  it('logs a failing message handler instead of throwing into the sender', async () => {
    const a = await joinMember('a');
    const b = await joinMember('b');
    b.rec.onMessage = () => {
      throw new Error('bad subscriber');
    };
    expect(() => a.endpoint.send('b', message('x', 'x'))).not.toThrow();
    expect(readFileSync(joinPath(dir, 'bus.log'), 'utf8')).toContain('[ERR] bus: message handler of b (client-gateway on n1) failed: bad subscriber');
  });
});
