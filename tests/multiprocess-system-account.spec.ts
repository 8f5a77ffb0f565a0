// The system account in a node of several client-gateway processes: the replicas are one server,
// so a PING gets one reply, from the first replica by bus member id; when that one stops, another
// answers.
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/redis.js';
import { startRole, stopAllRoles, type RoleProcess } from './support/role-process.js';

const clients: NatsConnection[] = [];

afterAll(async () => {
  await Promise.all(clients.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await stopAllRoles();
});

const ACCOUNTS = 'system_account: SYS\naccounts { SYS: { users: [ { user: admin, password: admin } ] } }';

function gateway(busPort: number, members: number[]): Promise<RoleProcess> {
  const list = members.map((p) => `"127.0.0.1:${p}"`).join(', ');
  return startRole('client-gateway', `${ACCOUNTS}\nbus { listen: "127.0.0.1:${busPort}", members: [${list}], heartbeat: "200ms", member_timeout: "1s" }`);
}

async function pingReplies(nc: NatsConnection): Promise<string[]> {
  const inbox = createInbox();
  const ids: string[] = [];
  const sub = nc.subscribe(inbox, {
    callback: (_err, msg) => {
      ids.push(msg.json<{ server: { id: string } }>().server.id);
    },
  });
  await nc.flush();
  nc.publish('$SYS.REQ.SERVER.PING', '', { reply: inbox });
  await new Promise((resolve) => setTimeout(resolve, 500));
  sub.unsubscribe();
  return ids;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('system account over client-gateway replicas', () => {
  it('answers a PING once per node, and again from another replica when the answering one stops', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await gateway(portA, [portA, portB]);
    const b = await gateway(portB, [portA, portB]);
    const atA = await connect({ servers: a.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    const atB = await connect({ servers: b.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    clients.push(atA, atB);
    const ids = { a: atA.info!.server_id, b: atB.info!.server_id };
    let answering = '';
    await until(async () => {
      const replies = await pingReplies(atB);
      answering = replies[0] ?? '';
      return replies.length === 1;
    }, 'one reply from the node');
    expect([ids.a, ids.b]).toContain(answering);
    expect(await pingReplies(atA)).toEqual([answering]);
    const [stopped, remaining, other] = answering === ids.a ? [a, atB, ids.b] : [b, atA, ids.a];
    await stopped.stop();
    await until(async () => {
      const replies = await pingReplies(remaining);
      return replies.length === 1 && replies[0] === other;
    }, 'the remaining replica to answer');
  }, 30_000);
});
