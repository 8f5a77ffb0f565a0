// The TCP bus with Redis membership, against a real redis-server: peers find each other, a peer
// added later joins without restarting the others, and a Redis outage leaves existing links alone.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { BusEndpoint, BusHandlers, BusMessage, MemberInfo } from '@nats-ts/bus';
import { RedisMembership, TcpBus } from '@nats-ts/bus/tcp';
import { Logger } from '@nats-ts/observability';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, stopAllRedis, type RunningRedis } from './support/redis.js';

class Member implements BusHandlers {
  readonly received: string[] = [];
  endpoint!: BusEndpoint;
  memberJoined(): void {}
  memberLeft(): void {}
  interest(): void {}
  message(_from: MemberInfo, msg: BusMessage): void {
    this.received.push(Buffer.from(msg.data).toString());
  }
  peers(): string[] {
    return this.endpoint.members().map((m) => m.memberId);
  }
  send(to: Member, text: string): void {
    this.endpoint.send(to.endpoint.self.memberId, { account: '$G', subject: 's', headerSize: 0, data: Buffer.from(text), originMemberId: this.endpoint.self.memberId });
  }
}

let redis: RunningRedis;
let dir: string;
const buses: TcpBus[] = [];
const loggers: Logger[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'nats-ts-bus-redis-'));
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  if ((await redisReachable()) === false) await redis.start();
});
afterAll(async () => {
  for (const logger of loggers) logger.close();
  await stopAllRedis();
  rmSync(dir, { recursive: true, force: true });
});

async function redisReachable(): Promise<boolean> {
  const client = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function newLogger(name: string): { logger: Logger; log: () => string } {
  const file = join(dir, `${name}-${Date.now()}.log`);
  const logger = new Logger({ logFile: file, logtime: false });
  loggers.push(logger);
  return { logger, log: () => readFileSync(file, 'utf8') };
}

function newBus(logger: Logger, busName: string): TcpBus {
  const bus = new TcpBus({
    listen: { host: '127.0.0.1', port: 0 },
    membership: new RedisMembership({ url: redis.url, name: busName, ttlMs: 1_500, logger }),
    heartbeatMs: 100,
    memberTimeoutMs: 1_000,
    logger,
  });
  buses.push(bus);
  return bus;
}

async function startMember(bus: TcpBus): Promise<Member> {
  await bus.start();
  const member = new Member();
  member.endpoint = await bus.join({ nodeId: 'n', role: 'client-gateway', version: '0' }, member);
  return member;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('TcpBus with Redis membership', () => {
  it('registers with a TTL, finds peers, and lets a later one join without restarting the others', async () => {
    const { logger } = newLogger('find');
    const a = await startMember(newBus(logger, 'find'));
    const b = await startMember(newBus(logger, 'find'));
    await until(() => a.peers().length === 1 && b.peers().length === 1, 'a and b to link');

    const client = new Redis(redis.url);
    const keys = await client.keys('nats-ts:bus:find:peer:*');
    expect(keys).toHaveLength(2);
    const ttl = await client.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_500);
    client.disconnect();

    const c = await startMember(newBus(logger, 'find'));
    await until(() => [a, b, c].every((m) => m.peers().length === 2), 'the full mesh of three');
    c.send(a, 'c to a');
    a.send(c, 'a to c');
    await until(() => a.received.length === 1 && c.received.length === 1, 'messages');
  });

  it('keeps buses with different names apart', async () => {
    const { logger } = newLogger('apart');
    const a = await startMember(newBus(logger, 'one'));
    const b = await startMember(newBus(logger, 'two'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.peers()).toEqual([]);
    expect(b.peers()).toEqual([]);
  });

  it('deregisters on close, so the others stop dialing', async () => {
    const { logger } = newLogger('leave');
    const first = newBus(logger, 'leave');
    await startMember(first);
    await first.close();
    const client = new Redis(redis.url);
    expect(await client.keys('nats-ts:bus:leave:peer:*')).toEqual([]);
    client.disconnect();
  });

  it('keeps existing links through a Redis outage, logs it, and makes a newcomer wait for Redis', async () => {
    const { logger, log } = newLogger('outage');
    const a = await startMember(newBus(logger, 'outage'));
    const b = await startMember(newBus(logger, 'outage'));
    await until(() => a.peers().length === 1 && b.peers().length === 1, 'link');

    await redis.stop();
    await until(() => /Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable .*keeping the 1 known bus peer\(s\) and existing links/.test(log()), 'the outage to be logged');
    for (let i = 0; i < 20; i++) {
      a.send(b, `during ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await until(() => b.received.length === 20, 'messages during the outage');
    expect(a.peers()).toHaveLength(1);

    // A newcomer cannot register: its start waits until Redis is back.
    const { logger: lateLogger, log: lateLog } = newLogger('outage-late');
    const late = newBus(lateLogger, 'outage');
    let started = false;
    const starting = startMember(late).then((member) => {
      started = true;
      return member;
    });
    await until(() => /waiting for Redis at .* to join the bus/.test(lateLog()), 'the newcomer to wait');
    expect(started).toBe(false);

    await redis.start();
    const c = await starting;
    await until(() => /is reachable again, registration renewed/.test(log()), 'the recovery to be logged');
    await until(() => [a, b, c].every((m) => m.peers().length === 2), 'the newcomer to join');
    b.send(a, 'after');
    await until(() => a.received.includes('after'), 'traffic after the outage');
  });
});
