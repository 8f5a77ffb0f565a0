// The system account in operator mode: the operator JWT's `system_account` names it, and its JWT
// users see the server (PING) and the events of other accounts, named by their public keys.
import { createOperator, encodeOperator } from '@nats-io/jwt';
import { connect, createInbox, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, sleep, type Json } from './cluster-helpers.js';
import { newAccount, operatorConfig, userCreds, V2, type TestAccount } from './support/jwt.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

describeEachTarget('system account named by the operator JWT', (target) => {
  let server: RunningServer;
  let sys: TestAccount;
  let app: TestAccount;
  const connections: NatsConnection[] = [];
  const as = async (account: TestAccount): Promise<NatsConnection> => {
    const nc = await connect({ servers: server.clientUrl, authenticator: credsAuthenticator(await userCreds(account)), reconnect: false });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    const key = createOperator();
    sys = await newAccount({ key, jwt: '' }, 'SYS');
    app = await newAccount({ key, jwt: '' }, 'APP');
    const operator = { key, jwt: await encodeOperator('OP', key, { system_account: sys.key.getPublicKey() }, V2) };
    server = await startServer(target, `server_name: OPS\n${operatorConfig(operator, [sys, app])}`);
  });
  afterAll(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await server?.stop();
  });

  it("answers the system account's users, and reports the other accounts' clients", async () => {
    const admin = await as(sys);
    const events: string[] = [];
    admin.subscribe(`$SYS.ACCOUNT.${app.key.getPublicKey()}.CONNECT`, {
      callback: (_err, msg) => {
        events.push(msg.json<Json>().client.acc as string);
      },
    });
    const inbox = createInbox();
    const names: string[] = [];
    admin.subscribe(inbox, {
      callback: (_err, msg) => {
        names.push(msg.json<Json>().server.name as string);
      },
    });
    await admin.flush();
    admin.publish('$SYS.REQ.SERVER.PING', '', { reply: inbox });
    await sleep(500);
    expect(names).toEqual(['OPS']);
    const user = await as(app);
    await expect(user.request('$SYS.REQ.SERVER.PING', '', { timeout: 1_000 })).rejects.toThrow(/no responders|503/i);
    await eventually(() => expect(events).toEqual([app.key.getPublicKey()]));
  });
});
