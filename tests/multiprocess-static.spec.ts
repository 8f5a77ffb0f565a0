// Client-gateway processes on the TCP bus with a static member list (no Redis): they link, a
// replica restarted at its address is linked again, and /busz shows the links.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';

const clients: NatsConnection[] = [];

afterAll(async () => {
  await Promise.all(clients.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await stopAllRoles();
});

function gateway(busPort: number, members: number[]): Promise<RoleProcess> {
  const list = members.map((p) => `"127.0.0.1:${p}"`).join(', ');
  return startRole('client-gateway', `http: "127.0.0.1:-1"\nbus { listen: "127.0.0.1:${busPort}", members: [${list}], heartbeat: "200ms", member_timeout: "1s" }`);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Busz {
  peer_id: string;
  url: string;
  peers: { peerId: string; url: string; inbound: boolean; outbound: boolean; linked: boolean; members: { role: string }[] }[];
}

async function busz(server: RoleProcess): Promise<Busz> {
  const response = await fetch(`${server.httpUrl}/busz`);
  return (await response.json()) as Busz;
}

/** Publishes from `from` until `to` has received on a fresh subscription: the link carries interest and messages. */
async function exchange(from: RoleProcess, to: RoleProcess, subject: string): Promise<void> {
  const pub = await connect({ servers: from.clientUrl });
  const sub = await connect({ servers: to.clientUrl });
  clients.push(pub, sub);
  let received = 0;
  sub.subscribe(subject, {
    callback: () => {
      received++;
    },
  });
  await sub.flush();
  await until(() => {
    pub.publish(subject, 'x');
    return received > 0;
  }, `${subject} to cross the bus`);
}

describe('client-gateway processes with a static bus member list', () => {
  it('link, show the link in /busz, and link again when a replica restarts at its address', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await gateway(portA, [portA, portB]);
    const b = await gateway(portB, [portA, portB]);
    await exchange(a, b, 'static.one');
    const seen = await busz(a);
    expect(seen.url).toBe(`127.0.0.1:${portA}`);
    expect(seen.peers).toEqual([expect.objectContaining({ url: `127.0.0.1:${portB}`, inbound: true, outbound: true, linked: true, members: [expect.objectContaining({ role: 'client-gateway' })] })]);

    await b.kill();
    await until(async () => (await busz(a)).peers.length === 0, 'a to drop the killed replica');
    await a.waitForOutput(/Bus member at 127\.0\.0\.1:\d+ is unreachable/);
    const b2 = await gateway(portB, [portA]);
    await until(async () => (await busz(a)).peers.some((p) => p.linked), 'a to link with the restarted replica');
    await exchange(b2, a, 'static.two');
  });
});
