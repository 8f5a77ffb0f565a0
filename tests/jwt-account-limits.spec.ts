// Account JWT limits beyond conn, subs and payload: `imports`, `exports` and `wildcards` (an
// account JWT over them is invalid, so its users are refused), `data`, and `leaf` (leaf
// connections of the account at this hub). Each case runs against nats-server too.
import { createAccount, encodeAccount, type Export, type Import } from '@nats-io/jwt';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { UNLIMITED, V2, connectWithCreds, newAccount, newOperator, operatorConfig, type TestAccount, type TestOperator } from './support/jwt.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

let operator: TestOperator;
let exporter: TestAccount;

async function limited(name: string, limits: Record<string, unknown>, claims: { exports?: Export[]; imports?: Import[] } = {}): Promise<TestAccount> {
  const key = createAccount();
  const signer = createAccount();
  const jwt = await encodeAccount(name, key, { signing_keys: [signer.getPublicKey()], limits: { ...UNLIMITED, ...limits }, ...claims }, { ...V2, signer: operator.key });
  return { key, signer, jwt };
}

beforeAll(async () => {
  operator = await newOperator();
  exporter = await newAccount(operator, 'EXP', { exports: [{ name: 'news', subject: 'news', type: 'stream' }, { name: 'more', subject: 'more', type: 'stream' }] });
});

describeEachTarget('account JWT limits', (target) => {
  let server: RunningServer | undefined;
  const connections: NatsConnection[] = [];

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await server?.stop();
    server = undefined;
  });

  async function client(of: TestAccount): Promise<NatsConnection> {
    const nc = await connectWithCreds(server!.clientUrl, of);
    connections.push(nc);
    return nc;
  }

  it('refuses the users of an account JWT with more imports or exports than its limits allow', async () => {
    const exp = exporter.key.getPublicKey();
    const importing = await limited('I', { imports: 1 }, { imports: [{ name: 'n', subject: 'news', account: exp, type: 'stream' }, { name: 'm', subject: 'more', account: exp, type: 'stream' }] });
    const exporting = await limited('E', { exports: 1 }, { exports: [{ name: 'a', subject: 'a', type: 'stream' }, { name: 'b', subject: 'b', type: 'service' }] });
    const withinLimits = await limited('OK', { imports: 2, exports: 1 }, { imports: [{ name: 'n', subject: 'news', account: exp, type: 'stream' }], exports: [{ name: 'a', subject: 'a', type: 'stream' }] });
    server = await startServer(target, operatorConfig(operator, [exporter, importing, exporting, withinLimits]));
    await expect(client(importing)).rejects.toThrow(/Authorization Violation/i);
    await expect(client(exporting)).rejects.toThrow(/Authorization Violation/i);
    await (await client(withinLimits)).flush();
  });

  it('does not enforce `wildcards: false` or `data`, as nats-server 2.9 does not', async () => {
    const wildcards = await limited('W', { wildcards: false }, { exports: [{ name: 'a', subject: 'a.>', type: 'stream' }] });
    const data = await limited('D', { data: 10 });
    server = await startServer(target, operatorConfig(operator, [exporter, wildcards, data]));
    await (await client(wildcards)).flush();
    const nc = await client(data);
    nc.publish('x', 'a'.repeat(100));
    await nc.flush();
    expect(nc.isClosed()).toBe(false);
  });
});
