import { describe, expect, it } from 'vitest';
import { ConfigFiles } from './config-files.test-support.js';
import { loadConfigFile } from './load.js';

const files = new ConfigFiles('nats-ts-leaf-options-');

const pathFor = (text: string): string => files.write(text);

function load(text: string) {
  const path = pathFor(text);
  const { options, warnings } = loadConfigFile(path, {});
  return { leafnodes: options.leafnodes, warnings: warnings.map((w) => w.split(path).join('F')) };
}

const errorsOf = (text: string): string[] => files.errorsOf(text);

describe('leafnodes block', () => {
  it('is absent without a port or remotes', () => {
    expect(load('port: 4222').leafnodes).toBeUndefined();
    expect(load('leafnodes { host: 127.0.0.1 }').leafnodes).toBeUndefined();
  });

  it('reads the hub side', () => {
    const { leafnodes, warnings } = load(`leafnodes {
  listen: "127.0.0.1:7422"
  advertise: "hub.example:7422"
  no_advertise: true
  reconnect: 2
  authorization {
    user: leaf, password: pw, account: ACC, timeout: 3
    users: [ { user: a, password: pa, account: A }, { user: b, password: pb } ]
  }
}`);
    expect(warnings).toEqual([]);
    expect(leafnodes).toEqual({
      host: '127.0.0.1',
      port: 7422,
      advertise: 'hub.example:7422',
      noAdvertise: true,
      user: 'leaf',
      password: 'pw',
      account: 'ACC',
      authTimeoutMs: 3000,
      users: [
        { user: 'a', password: 'pa', account: 'A' },
        { user: 'b', password: 'pb' },
      ],
      reconnectMs: 2000,
      remotes: [],
    });
  });

  it('reads remotes (url or urls) with their account and deny lists', () => {
    const { leafnodes, warnings } = load(`leaf {
  remotes: [
    { url: "nats-leaf://u:p@127.0.0.1:7422", account: A, deny_imports: ["secret.>"], deny_exports: "private.>" }
    { urls: ["ws://h1:8080", "wss://h2:8443/path"] }
  ]
}`);
    expect(warnings).toEqual([]);
    expect(leafnodes).toEqual({
      host: '',
      port: 0,
      noAdvertise: false,
      users: [],
      reconnectMs: 1000,
      remotes: [
        { urls: ['nats-leaf://u:p@127.0.0.1:7422'], account: 'A', denyImports: ['secret.>'], denyExports: ['private.>'] },
        { urls: ['ws://h1:8080', 'wss://h2:8443/path'], denyImports: [], denyExports: [] },
      ],
    });
  });

  it('reads hub: true on a remote, and refuses a hub that is not a boolean', () => {
    const { leafnodes, warnings } = load('leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:7422", hub: true } ] }');
    expect(warnings).toEqual([]);
    expect(leafnodes?.remotes[0]?.hub).toBe(true);
    expect(errorsOf('leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:7422", hub: "yes" } ] }')).toEqual(['F:1:61: "hub" must be a boolean, found a string']);
  });

  it('takes leaf:// URLs as nats-server does', () => {
    const { leafnodes, warnings } = load('leafnodes { remotes: [ { url: "leaf://127.0.0.1:7422" } ] }');
    expect(warnings).toEqual([]);
    expect(leafnodes?.remotes[0]?.urls).toEqual(['leaf://127.0.0.1:7422']);
  });

  it('gives the listener the default host', () => {
    expect(load('leafnodes { port: -1 }').leafnodes).toMatchObject({ host: '0.0.0.0', port: -1 });
  });

  it('warns about remote keys it does not implement', () => {
    expect(load('leafnodes { remotes: [ { url: "nats://h:1", no_randomize: true } ] }').warnings).toEqual([
      'F:1:45: "no_randomize" in leafnode remote is not supported yet, ignored',
    ]);
  });

  it('takes a readable credentials file, and refuses one it cannot read', () => {
    expect(errorsOf('leafnodes { remotes: [ { url: "nats://h:1", credentials: "/nonexistent/x.creds" } ] }')).toEqual([
      'F:1:45: cannot read credentials file "/nonexistent/x.creds": ENOENT',
    ]);
  });

  it('refuses bad remotes', () => {
    expect(errorsOf('leafnodes { remotes: [ { account: A } ] }')).toEqual(['F:1:24: leafnode remote without a url']);
    expect(errorsOf('leafnodes { remotes: [ { url: "http://h:1" } ] }')[0]).toMatch(/error parsing leafnode remote url "http:\/\/h:1"/);
    expect(errorsOf('leafnodes { remotes: [ { urls: ["ws://h:1", "nats://h:2"] } ] }')).toEqual([
      'F:1:24: leafnode remote mixes websocket and non-websocket urls',
    ]);
    expect(errorsOf('leafnodes { port: 7422, bogus: 1 }')[0]).toMatch(/bogus/);
  });
});
