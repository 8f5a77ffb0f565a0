// A configuration reload (SIGHUP) applies the accounts' new imports, exports and mappings to the
// clients already connected, and takes away those removed. Against nats-ts and nats-server 2.9.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, sleep } from './cluster-helpers.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const SHARING_OFF = '# sharing: none';
const SHARING_ON = `
    imports: [
      { service: { account: A, subject: "help.>" }, to: "a.help.>" }
      { stream: { account: A, subject: "news.>" }, prefix: "a" }
    ]
    mappings { "orders.*": "orders.{{wildcard(1)}}.new" }`;

const CONFIG = `
accounts {
  A: {
    users: [ { user: a, password: a } ]
    exports: [ { service: "help.>" }, { stream: "news.>" } ]
  }
  B: {
    users: [ { user: b, password: b } ]
    ${SHARING_OFF}
  }
}
`;

describeEachTarget('accounts on a configuration reload', (target) => {
  let server: RunningServer;
  let a: NatsConnection;
  let b: NatsConnection;
  let reloads = 0;

  /** Rewrites the config's sharing of B, signals the reload and waits until the server says it applied it. */
  const reloadWith = async (from: string, to: string): Promise<void> => {
    writeFileSync(server.configFile, readFileSync(server.configFile, 'utf8').replace(from, to));
    server.signal('SIGHUP');
    reloads++;
    await eventually(() => expect(server.output().split('Reloaded server configuration').length - 1).toBe(reloads));
  };

  beforeAll(async () => {
    server = await startServer(target, CONFIG);
    a = await connect({ servers: server.clientUrl, user: 'a', pass: 'a', reconnect: false });
    b = await connect({ servers: server.clientUrl, user: 'b', pass: 'b', reconnect: false });
    a.subscribe('help.>', {
      callback: (_err, msg) => {
        msg.respond(`help for ${msg.subject}`);
      },
    });
    await a.flush();
  });
  afterAll(async () => {
    await Promise.all([a, b].map((nc) => nc?.close().catch(() => undefined)));
    await server?.stop();
  });

  it('applies imports and a mapping added on reload to the clients already connected', async () => {
    await expect(b.request('a.help.q', '', { timeout: 1_000 })).rejects.toThrow(/no responders|503/i);
    await reloadWith(SHARING_OFF, SHARING_ON);
    let reply = '';
    await eventually(async () => {
      reply = (await b.request('a.help.q', '', { timeout: 1_000 })).string();
    });
    expect(reply).toBe('help for help.q');
    const news: string[] = [];
    b.subscribe('a.news.>', {
      callback: (_err, msg) => {
        news.push(msg.subject);
      },
    });
    await b.flush();
    await sleep(100);
    a.publish('news.today', 'x');
    await eventually(() => expect(news).toEqual(['a.news.today']));
    const orders: string[] = [];
    b.subscribe('orders.>', {
      callback: (_err, msg) => {
        orders.push(msg.subject);
      },
    });
    await b.flush();
    b.publish('orders.7', 'x');
    await eventually(() => expect(orders).toEqual(['orders.7.new']));
  });

  it('takes away the imports and mappings a reload removes', async () => {
    await reloadWith(SHARING_ON, SHARING_OFF);
    await eventually(() => expect(b.request('a.help.q', '', { timeout: 1_000 })).rejects.toThrow(/no responders|503/i));
    const news: string[] = [];
    b.subscribe('a.news.>', {
      callback: (_err, msg) => {
        news.push(msg.subject);
      },
    });
    const orders: string[] = [];
    b.subscribe('orders.>', {
      callback: (_err, msg) => {
        orders.push(msg.subject);
      },
    });
    await b.flush();
    a.publish('news.later', 'x');
    b.publish('orders.8', 'x');
    await a.flush();
    await b.flush();
    await sleep(300);
    expect(news).toEqual([]);
    expect(orders).toEqual(['orders.8']);
  });
});
