// Dual-stack client listener: like nats-server, listening on 0.0.0.0 (the default) or :: also
// takes IPv6 clients, and IPv4 peers are still reported in IPv4 form. Needs the IPv6 loopback.
import { networkInterfaces } from 'node:os';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === '::1'));

describeEachTarget('dual-stack client listener', (target) => {
  let server: RunningServer | undefined;
  const connections: NatsConnection[] = [];
  const rawClients: RawClient[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    for (const raw of rawClients.splice(0)) raw.close();
    await server?.stop();
    server = undefined;
  });

  async function raw(host: string): Promise<RawClient> {
    const rc = await RawClient.connected(server!.port, {}, { host });
    rawClients.push(rc);
    return rc;
  }

  describe.skipIf(!hasIpv6Loopback).each([
    ['0.0.0.0 (the default)', 'host: 0.0.0.0'],
    ['::', 'host: "::"'],
  ])('listening on %s', (_what, config) => {
    it('takes IPv4 and IPv6 clients, each reported in its own form', async () => {
      server = await startServer(target, config);
      const overIpv6 = await raw('::1');
      const overIpv4 = await raw('127.0.0.1');
      expect(overIpv6.info.client_ip).toBe('::1');
      expect(overIpv4.info.client_ip).toBe('127.0.0.1');
      overIpv6.send('SUB dual 1\r\nPING\r\n');
      await overIpv6.waitForLine('PONG');
      overIpv4.send('PUB dual 4\r\nfrom\r\n');
      expect(await overIpv6.waitForLine(/^MSG /)).toBe('MSG dual 1 4');
    });

    it('the official client connects to [::1]', async () => {
      server = await startServer(target, config);
      const nc = await connect({ servers: `nats://[::1]:${server.port}`, reconnect: false, timeout: 3_000 });
      connections.push(nc);
      await nc.flush();
      expect(nc.info?.client_ip).toBe('::1');
    });
  });
});
