// Authorization of what an authenticated client may do: publish/subscribe allow and deny lists, queue
// permissions, allow_responses and default_permissions. Expected texts are those nats-server 2.9 sends.
import { connect, PermissionViolationError, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const publishViolation = (subject: string): string => `-ERR 'Permissions Violation for Publish to "${subject}"'`;
const subscribeViolation = (subject: string, queue?: string): string =>
  queue === undefined
    ? `-ERR 'Permissions Violation for Subscription to "${subject}"'`
    : `-ERR 'Permissions Violation for Subscription to "${subject}" using queue "${queue}"'`;

const config = `
  authorization {
    default_permissions: { publish: { deny: "secret.>" } }
    users: [
      { user: pubsub, password: pubsub, permissions: {
          publish: { allow: ["orders.>", "audit"], deny: ["orders.internal"] }
          subscribe: { allow: ["events.>", "audit"], deny: ["events.private"] }
      } }
      { user: queues, password: queues, permissions: {
          subscribe: { allow: ["work workers", "plain"] }
      } }
      { user: responder, password: responder, permissions: {
          publish: { deny: ">" }
          subscribe: { allow: "svc.>" }
          allow_responses: true
      } }
      { user: responder2, password: responder2, permissions: {
          publish: { deny: ">" }
          subscribe: { allow: "svc.>" }
          allow_responses: { max: 2, expires: "1m" }
      } }
      { user: shorthand, password: shorthand, permissions: { publish: "only", subscribe: ["only", "also"] } }
      { user: subonly, password: subonly, permissions: { subscribe: ">" } }
      { user: defaults, password: defaults }
    ]
  }`;

describeEachTarget('permissions', (target) => {
  let server: RunningServer | undefined;
  const connections: NatsConnection[] = [];
  const rawClients: RawClient[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    for (const raw of rawClients.splice(0)) raw.close();
    await server?.stop();
    server = undefined;
  });

  async function rawAs(user: string): Promise<RawClient> {
    const rc = await RawClient.connected(server!.port, { user, pass: user });
    rawClients.push(rc);
    return rc;
  }

  async function clientAs(user: string): Promise<NatsConnection> {
    const nc = await connect({ servers: server!.clientUrl, user, pass: user, reconnect: false, timeout: 3_000 });
    connections.push(nc);
    return nc;
  }

  describe('publish', () => {
    it('denied subjects get a Permissions Violation and the connection stays open', async () => {
      server = await startServer(target, config);
      const rc = await rawAs('pubsub');
      const lines = await rc.roundTrip('PUB orders.internal 2\r\nno\r\nPUB payments 2\r\nno\r\nPUB orders.new 2\r\nok\r\n');
      expect(lines).toEqual([publishViolation('orders.internal'), publishViolation('payments')]);
      expect(await rc.roundTrip()).toEqual([]);
      expect(rc.closed).toBe(false);
    });

    it('denied messages are not delivered, allowed ones are', async () => {
      server = await startServer(target, config);
      const listener = await rawAs('subonly');
      await listener.roundTrip('SUB orders.> 1\r\n');
      const publisher = await rawAs('pubsub');
      await publisher.roundTrip('PUB orders.internal 6\r\nhidden\r\nPUB orders.new 7\r\nvisible\r\n');
      expect(await listener.roundTrip()).toEqual(['MSG orders.new 1 7', 'visible']);
    });

    it('the official client reports the violation as an async error', async () => {
      server = await startServer(target, config);
      const nc = await clientAs('pubsub');
      const errors: Error[] = [];
      void (async () => {
        for await (const status of nc.status()) if (status.type === 'error') errors.push(status.error);
      })();
      nc.publish('orders.internal', 'x');
      await nc.flush();
      await expect.poll(() => errors.length, { timeout: 3_000 }).toBe(1);
      const error = errors[0]!;
      expect(error).toBeInstanceOf(PermissionViolationError);
      expect((error as PermissionViolationError).operation).toBe('publish');
      expect((error as PermissionViolationError).subject).toBe('orders.internal');
      expect(nc.isClosed()).toBe(false);
      await nc.flush();
    });

    it('a bare string or list is an allow list', async () => {
      server = await startServer(target, config);
      const rc = await rawAs('shorthand');
      expect(await rc.roundTrip('PUB only 0\r\n\r\nPUB other 0\r\n\r\n')).toEqual([publishViolation('other')]);
      expect(await rc.roundTrip('SUB only 1\r\nSUB also 2\r\nSUB other 3\r\n')).toEqual([subscribeViolation('other')]);
    });
  });

  describe('subscribe', () => {
    it('denied subjects get a Permissions Violation and receive nothing', async () => {
      server = await startServer(target, config);
      const rc = await rawAs('pubsub');
      const lines = await rc.roundTrip('SUB events.private 1\r\nSUB other 2\r\nSUB events.public 3\r\n');
      expect(lines).toEqual([subscribeViolation('events.private'), subscribeViolation('other')]);
      const publisher = await rawAs('defaults');
      await publisher.roundTrip('PUB events.private 1\r\na\r\nPUB other 1\r\nb\r\nPUB events.public 1\r\nc\r\n');
      expect(await rc.roundTrip()).toEqual(['MSG events.public 3 1', 'c']);
    });

    it('a wildcard subscription does not receive messages on denied subjects', async () => {
      server = await startServer(target, config);
      const rc = await rawAs('pubsub');
      expect(await rc.roundTrip('SUB events.> 1\r\n')).toEqual([]);
      const publisher = await rawAs('defaults');
      await publisher.roundTrip('PUB events.private 1\r\na\r\nPUB events.public 1\r\nb\r\n');
      expect(await rc.roundTrip()).toEqual(['MSG events.public 1 1', 'b']);
    });

    it('the official client closes the subscription with the violation', async () => {
      server = await startServer(target, config);
      const nc = await clientAs('pubsub');
      const sub = nc.subscribe('events.private');
      const closed = await Promise.race([
        sub.closed,
        new Promise((resolve) => setTimeout(() => resolve('still open'), 3_000)),
      ]);
      expect(closed).toBeInstanceOf(PermissionViolationError);
      expect((closed as PermissionViolationError).operation).toBe('subscription');
      expect((closed as PermissionViolationError).subject).toBe('events.private');
      expect(nc.isClosed()).toBe(false);
    });
  });

  describe('queue permissions', () => {
    it('"subject queue" allows only that queue group; a plain subject allows any queue', async () => {
      server = await startServer(target, config);
      const rc = await rawAs('queues');
      const lines = await rc.roundTrip(
        'SUB work 1\r\nSUB work workers 2\r\nSUB work others 3\r\nSUB plain 4\r\nSUB plain anyqueue 5\r\n',
      );
      expect(lines).toEqual([subscribeViolation('work'), subscribeViolation('work', 'others')]);
    });

    it('the allowed queue subscription receives messages', async () => {
      server = await startServer(target, config);
      const rc = await rawAs('queues');
      await rc.roundTrip('SUB work workers 2\r\n');
      const publisher = await rawAs('defaults');
      await publisher.roundTrip('PUB work 3\r\njob\r\n');
      expect(await rc.roundTrip()).toEqual(['MSG work 2 3', 'job']);
    });
  });

  describe('allow_responses', () => {
    it('a responder that may not publish can still reply once to a request', async () => {
      server = await startServer(target, config);
      const service = await rawAs('responder');
      await service.roundTrip('SUB svc.echo 1\r\n');
      const requester = await rawAs('defaults');
      await requester.roundTrip('SUB reply.* 9\r\nPUB svc.echo reply.1 4\r\nping\r\n');
      expect(await service.roundTrip()).toEqual(['MSG svc.echo 1 reply.1 4', 'ping']);
      const lines = await service.roundTrip('PUB reply.1 4\r\npong\r\nPUB reply.1 5\r\nagain\r\nPUB reply.2 3\r\nnot\r\n');
      expect(lines).toEqual([publishViolation('reply.1'), publishViolation('reply.2')]);
      expect(await requester.roundTrip()).toEqual(['MSG reply.1 9 4', 'pong']);
    });

    it('max sets how many replies are allowed', async () => {
      server = await startServer(target, config);
      const service = await rawAs('responder2');
      await service.roundTrip('SUB svc.echo 1\r\n');
      const requester = await rawAs('defaults');
      await requester.roundTrip('SUB reply.* 9\r\nPUB svc.echo reply.1 1\r\nq\r\n');
      await service.waitForLine('q');
      const lines = await service.roundTrip('PUB reply.1 2\r\nr1\r\nPUB reply.1 2\r\nr2\r\nPUB reply.1 2\r\nr3\r\n');
      expect(lines).toEqual([publishViolation('reply.1')]);
      expect(await requester.roundTrip()).toEqual(['MSG reply.1 9 2', 'r1', 'MSG reply.1 9 2', 'r2']);
    });

    it('works with the official client request/reply', async () => {
      server = await startServer(target, config);
      const service = await clientAs('responder');
      service.subscribe('svc.upper', { callback: (_err, msg) => {
        msg.respond(msg.string().toUpperCase());
      } });
      await service.flush();
      const requester = await clientAs('defaults');
      const reply = await requester.request('svc.upper', 'hello', { timeout: 3_000 });
      expect(reply.string()).toBe('HELLO');
    });
  });

  describe('default_permissions', () => {
    it('apply to users without permissions of their own', async () => {
      server = await startServer(target, config);
      const rc = await rawAs('defaults');
      expect(await rc.roundTrip('PUB secret.plans 0\r\n\r\nPUB public 0\r\n\r\n')).toEqual([publishViolation('secret.plans')]);
    });

    it('do not apply to users with permissions of their own', async () => {
      server = await startServer(target, config);
      const rc = await rawAs('subonly');
      expect(await rc.roundTrip('PUB secret.plans 0\r\n\r\n')).toEqual([]);
    });
  });
});
