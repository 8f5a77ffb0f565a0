// Configured limits and the server's enforcement of them, as nats-server 2.9.10 enforces them.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { RawClient, type RawConnectOptions } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const quiet = { verbose: false, pedantic: false };

describeEachTarget('limits', (target) => {
  let server: RunningServer | undefined;
  const rawClients: RawClient[] = [];
  const connections: NatsConnection[] = [];

  afterEach(async () => {
    for (const client of rawClients.splice(0)) client.close();
    await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await server?.stop();
    server = undefined;
  });

  async function raw(connectFields?: Record<string, unknown>, options: RawConnectOptions = {}): Promise<RawClient> {
    const port = server!.port;
    const client = connectFields
      ? await RawClient.connected(port, { ...quiet, ...connectFields }, options)
      : await RawClient.connect(port, options);
    rawClients.push(client);
    return client;
  }

  async function official(): Promise<NatsConnection> {
    const nc = await connect({ servers: server!.clientUrl, reconnect: false });
    connections.push(nc);
    return nc;
  }

  it('max_payload is announced in INFO and enforced', async () => {
    server = await startServer(target, 'max_payload: 512');
    const client = await raw();
    expect(client.info.max_payload).toBe(512);
    const nc = await official();
    expect(nc.info?.max_payload).toBe(512);
    client.send('CONNECT {"verbose":false}\r\nSUB p 1\r\n');
    expect(await client.roundTrip(`PUB p 512\r\n${'x'.repeat(512)}\r\n`)).toEqual(['MSG p 1 512', 'x'.repeat(512)]);
    client.send(`PUB p 513\r\n${'x'.repeat(513)}\r\n`);
    expect(await client.nextLine()).toBe("-ERR 'Maximum Payload Violation'");
    expect(await client.waitClosed()).toBe(true);
    // The official client refuses locally what the server would refuse.
    expect(() => nc.publish('p', new Uint8Array(513))).toThrow();
    await nc.flush();
  });

  it('max_payload accepts a size with units', async () => {
    server = await startServer(target, 'max_payload: 2KB');
    const client = await raw();
    expect(client.info.max_payload).toBe(2048);
  });

  it('max_connections: the connection over the limit gets INFO, then the error, then is closed', async () => {
    server = await startServer(target, 'max_connections: 2');
    const first = await raw(quiet);
    await raw(quiet);
    const third = await RawClient.connect(server.port);
    rawClients.push(third);
    expect(third.lines()[0]).toMatch(/^INFO /);
    expect(await third.nextLine()).toBe("-ERR 'maximum connections exceeded'");
    expect(await third.waitClosed()).toBe(true);
    // Existing connections are untouched, and a slot freed by a close can be reused.
    expect(await first.roundTrip()).toEqual([]);
    first.close();
    await expect.poll(async () => (await probeAccepted(server!.port)) === true, { timeout: 5_000, interval: 100 }).toBe(true);
  });

  it('max_connections: the official client fails to connect over the limit', async () => {
    server = await startServer(target, 'max_connections: 1');
    await official();
    const failure = await connect({ servers: server.clientUrl, reconnect: false }).then(
      (nc) => {
        connections.push(nc);
        return undefined;
      },
      (err: unknown) => err as Error,
    );
    // The client may report the -ERR or the closed socket, whichever it notices first.
    expect(failure).toBeInstanceOf(Error);
  });

  it('max_subscriptions: -ERR over the limit, the connection stays open, freed slots are reusable', async () => {
    server = await startServer(target, 'max_subscriptions: 2');
    const client = await raw({ verbose: true });
    expect(await client.roundTrip('SUB a 1\r\nSUB b 2\r\nSUB c 3\r\n')).toEqual([
      '+OK',
      '+OK',
      "-ERR 'maximum subscriptions exceeded'",
    ]);
    expect(await client.roundTrip('UNSUB 1\r\nSUB c 3\r\nSUB d 4\r\n')).toEqual([
      '+OK',
      '+OK',
      "-ERR 'maximum subscriptions exceeded'",
    ]);
    // The refused subscription was not registered; the accepted ones work.
    // Verbose acknowledges a PUB before delivering it.
    expect(await client.roundTrip('PUB d 1\r\nx\r\nPUB c 1\r\ny\r\n')).toEqual(['+OK', '+OK', 'MSG c 3 1', 'y']);
    expect(client.closed).toBe(false);
  });

  it('authorization timeout: no CONNECT within the timeout → Authentication Timeout, then close', async () => {
    server = await startServer(target, 'authorization { user: a, password: b, timeout: 0.5 }');
    const started = Date.now();
    const client = await raw();
    expect(client.info.auth_required).toBe(true);
    expect(await client.nextLine(3_000)).toBe("-ERR 'Authentication Timeout'");
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(2_000);
    expect(await client.waitClosed()).toBe(true);
    expect(client.pendingLines()).toEqual([]);
  });

  it('authorization timeout does not affect a client that authenticated in time', async () => {
    server = await startServer(target, 'authorization { user: a, password: b, timeout: 0.5 }');
    const client = await raw({ user: 'a', pass: 'b' });
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await client.roundTrip()).toEqual([]);
  });

  it('with auth configured, a command before CONNECT → Authorization Violation, then close', async () => {
    server = await startServer(target, 'authorization { user: a, password: b }');
    const client = await raw();
    client.send('PING\r\n');
    expect(await client.nextLine()).toBe("-ERR 'Authorization Violation'");
    expect(await client.waitClosed()).toBe(true);
  });

  it('ping_interval/ping_max: a client that never answers gets ping_max PINGs, then Stale Connection and close', async () => {
    server = await startServer(target, 'ping_interval: "200ms"\nping_max: 2');
    const started = Date.now();
    const client = await raw(quiet, { answerPings: false });
    expect(await client.nextLine(2_000)).toBe('PING');
    expect(await client.nextLine(2_000)).toBe('PING');
    expect(await client.nextLine(2_000)).toBe("-ERR 'Stale Connection'");
    expect(await client.waitClosed()).toBe(true);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('ping_interval: a client that answers PINGs stays connected', async () => {
    server = await startServer(target, 'ping_interval: "100ms"\nping_max: 1');
    const client = await raw(quiet, { answerPings: false });
    for (let i = 0; i < 5; i++) {
      expect(await client.nextLine(2_000)).toBe('PING');
      client.send('PONG\r\n');
    }
    expect(client.closed).toBe(false);
    const nc = await official();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(nc.isClosed()).toBe(false);
    await nc.flush();
  });

  it('slow consumer (max_pending): the non-reading subscriber is cut off; publisher and others keep working', async () => {
    server = await startServer(target, 'max_pending: 1MB\nhttp: "127.0.0.1:-1"');
    // Messages over half of max_pending: once the kernel buffers are full, two of them exceed it.
    await expectSlowConsumerHandled(server, /Slow Consumer Detected: MaxPending of 1048576 Exceeded/, 600 * 1024);
  });

  it('slow consumer (write_deadline): a blocked write past the deadline cuts the subscriber off', async () => {
    server = await startServer(target, 'max_pending: 512MB\nwrite_deadline: "300ms"\nhttp: "127.0.0.1:-1"');
    await expectSlowConsumerHandled(server, /Slow Consumer Detected: WriteDeadline of 300ms exceeded/, 64 * 1024);
  });

  async function expectSlowConsumerHandled(running: RunningServer, logLine: RegExp, payloadSize: number): Promise<void> {
    const slow = await raw(quiet);
    await slow.roundTrip('SUB flood 1\r\n');
    slow.pause();
    const healthy = await raw(quiet);
    await healthy.roundTrip('SUB healthy 1\r\n');
    const publisher = await raw(quiet);

    // Flood until the server reports the slow consumer, with bounded time and volume.
    const payload = 'x'.repeat(payloadSize);
    const floodMessage = `PUB flood ${payload.length}\r\n${payload}\r\n`;
    const deadline = Date.now() + 15_000;
    let healthySent = 0;
    let floodedBytes = 0;
    while (!logLine.test(running.output()) && Date.now() < deadline && floodedBytes < 1024 * 1024 * 1024) {
      for (let i = 0; i < 4; i++) {
        publisher.send(floodMessage);
        floodedBytes += floodMessage.length;
      }
      publisher.send(`PUB healthy 1\r\n${healthySent++ % 10}\r\n`);
      if (publisher.socket.writableNeedDrain) await drained(publisher, 200);
    }
    await running.waitForOutput(logLine, 5_000);

    // The publisher was not disconnected and is still served.
    expect(await publisher.roundTrip('', 10_000)).toEqual([]);
    // The healthy subscriber got every message meant for it (queued before its PONG).
    await healthy.roundTrip('', 10_000);
    const healthyMessages = healthy.lines().filter((line) => line === 'MSG healthy 1 1').length;
    expect(healthyMessages).toBe(healthySent);
    // The slow consumer's connection is gone: reading what was buffered ends in a close.
    slow.resume();
    expect(await slow.waitClosed(15_000)).toBe(true);
    // Nothing stops the publisher from carrying on with other subscribers.
    expect(await healthy.roundTrip('PUB healthy 2\r\nok\r\n')).toEqual(['MSG healthy 1 2', 'ok']);
    const varz = (await (await fetch(`${running.httpUrl}/varz`)).json()) as { slow_consumers: number };
    expect(varz.slow_consumers).toBe(1);
  }
});

/** Waits for the client's socket to drain its write buffer, at most `timeoutMs`. */
function drained(client: RawClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.socket.off('drain', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.socket.on('drain', done);
  });
}

/** True when a new connection is accepted (not refused over max_connections). */
async function probeAccepted(port: number): Promise<boolean> {
  const client = await RawClient.connect(port);
  try {
    client.send('CONNECT {"verbose":false}\r\nPING\r\n');
    const line = await client.nextLine();
    return line === 'PONG';
  } catch {
    return false;
  } finally {
    client.close();
  }
}
