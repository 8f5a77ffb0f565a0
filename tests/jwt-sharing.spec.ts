// Exports and imports written in account JWTs (operator mode): public service and stream
// exports, private ones that need an activation token the exporter issued to the importer.
// Every case runs against nats-server too.
import { createAccount, encodeAccount, encodeActivation, type Export, type Import, type KeyPair } from '@nats-io/jwt';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { UNLIMITED, V2, connectWithCreds, newOperator, operatorConfig, type TestAccount, type TestOperator } from './support/jwt.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

let operator: TestOperator;
let exporter: TestAccount;
let importer: TestAccount;
let stranger: TestAccount;
let borrower: TestAccount;

async function account(name: string, key: KeyPair, claims: { exports?: Export[]; imports?: Import[] }): Promise<TestAccount> {
  const signer = createAccount();
  const jwt = await encodeAccount(name, key, { signing_keys: [signer.getPublicKey()], limits: UNLIMITED, ...claims }, { ...V2, signer: operator.key });
  return { key, signer, jwt };
}

beforeAll(async () => {
  operator = await newOperator();
  const exporterKey = createAccount();
  const importerKey = createAccount();
  const strangerKey = createAccount();
  exporter = await account('EXP', exporterKey, {
    exports: [
      { name: 'help', subject: 'help.>', type: 'service' },
      { name: 'news', subject: 'news.>', type: 'stream' },
      { name: 'private help', subject: 'private.help', type: 'service', token_req: true },
      { name: 'private news', subject: 'private.news', type: 'stream', token_req: true },
    ],
  });
  const serviceToken = await encodeActivation('act', importerKey, exporterKey, 'service', { subject: 'private.help' }, V2);
  // Issued by the exporter's signing key, on the exporter's behalf.
  const streamToken = await encodeActivation('act', importerKey, exporterKey, 'stream', { subject: 'private.news' }, { ...V2, signer: exporter.signer });
  const exp = exporterKey.getPublicKey();
  importer = await account('IMP', importerKey, {
    imports: [
      { name: 'help', subject: 'help.me', account: exp, type: 'service' },
      { name: 'news', subject: 'news.>', account: exp, type: 'stream' },
      { name: 'private help', subject: 'private.help', account: exp, type: 'service', token: serviceToken },
      { name: 'private news', subject: 'private.news', account: exp, type: 'stream', token: streamToken },
    ],
  });
  // Without tokens: its private imports are not added.
  stranger = await account('STRANGER', strangerKey, {
    imports: [
      { name: 'private help', subject: 'private.help', account: exp, type: 'service' },
      { name: 'private news', subject: 'private.news', account: exp, type: 'stream' },
      { name: 'news', subject: 'news.>', account: exp, type: 'stream', to: 'imported' },
    ],
  });
  // With the importer's token: an account JWT nats-server finds invalid.
  borrower = await account('BORROWER', createAccount(), { imports: [{ name: 'private help', subject: 'private.help', account: exp, type: 'service', token: serviceToken }] });
});

describeEachTarget('exports and imports of account JWTs', (target) => {
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

  async function serve(nc: NatsConnection, subject: string): Promise<void> {
    nc.subscribe(subject, { callback: (_err, msg) => void msg.respond(`answer to ${msg.subject}`) });
    await nc.flush();
  }

  it('carries a request of a public service import to the exporter and its reply back', async () => {
    server = await startServer(target, operatorConfig(operator, [exporter, importer, stranger]));
    await serve(await client(exporter), 'help.>');
    const reply = await (await client(importer)).request('help.me', 'please', { timeout: 2_000 });
    expect(reply.string()).toBe('answer to help.me');
  });

  it('delivers a public stream import, under its prefix where the import has one', async () => {
    server = await startServer(target, operatorConfig(operator, [exporter, importer, stranger]));
    const imp = await client(importer);
    const plain = imp.subscribe('news.today', { max: 1 });
    const str = await client(stranger);
    const prefixed = str.subscribe('imported.news.today', { max: 1 });
    await imp.flush();
    await str.flush();
    const exp = await client(exporter);
    await new Promise((resolve) => setTimeout(resolve, 200));
    exp.publish('news.today', 'headline');
    for await (const msg of plain) expect(msg.string()).toBe('headline');
    for await (const msg of prefixed) expect([msg.subject, msg.string()]).toEqual(['imported.news.today', 'headline']);
  });

  it('adds private imports with the activation tokens the exporter issued to the importer', async () => {
    server = await startServer(target, operatorConfig(operator, [exporter, importer, stranger]));
    const exp = await client(exporter);
    await serve(exp, 'private.help');
    const imp = await client(importer);
    expect((await imp.request('private.help', '', { timeout: 2_000 })).string()).toBe('answer to private.help');
    const sub = imp.subscribe('private.news', { max: 1 });
    await imp.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    exp.publish('private.news', 'secret');
    for await (const msg of sub) expect(msg.string()).toBe('secret');
  });

  it('leaves out a private import without a valid activation token', async () => {
    server = await startServer(target, operatorConfig(operator, [exporter, importer, stranger]));
    const exp = await client(exporter);
    await serve(exp, 'private.help');
    const str = await client(stranger);
    await expect(str.request('private.help', '', { timeout: 1_000 })).rejects.toThrow(/no responders|timeout/i);
    const received: string[] = [];
    str.subscribe('private.news', { callback: (_err, msg) => void received.push(msg.string()) });
    await str.flush();
    exp.publish('private.news', 'secret');
    await exp.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([]);
  });

  it("refuses the users of an account whose import carries another account's activation token", async () => {
    server = await startServer(target, operatorConfig(operator, [exporter, importer, borrower]));
    await expect(client(borrower)).rejects.toThrow(/Authorization Violation/i);
  });
});
