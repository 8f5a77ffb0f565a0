import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfigFile } from './load.js';

/**
 * Cross-checks tricky files against the reference: `nats-server -t -c file` exits 0 only
 * when it accepts the file without errors or warnings. We must agree, for files that use
 * only features this server implements (nats-server's -t skips its start-up checks, such
 * as no_auth_user, so those are tested elsewhere).
 */
const CANDIDATES = [process.env.NATS_SERVER_BIN, '/usr/bin/nats-server', '/usr/sbin/nats-server', '/usr/local/bin/nats-server'];
const NATS_SERVER = CANDIDATES.find((path) => path !== undefined && existsSync(path));
const available = NATS_SERVER !== undefined;
const ENV = { CONF_TEST_PORT: '4999', CONF_TEST_NAME: 'from-env', PATH: process.env.PATH ?? '' };

const dir = mkdtempSync(join(tmpdir(), 'nats-ts-compat-'));
mkdirSync(join(dir, 'inc'), { recursive: true });
writeFileSync(join(dir, 'inc', 'users.conf'), 'PW: secret\nusers = [ {user: inc, password: $PW} ]\n');
writeFileSync(join(dir, 'inc', 'outer.conf'), 'include users.conf\n');
let counter = 0;

function natsServerAccepts(path: string): boolean {
  const run = spawnSync(NATS_SERVER!, ['-t', '-c', path], { cwd: dir, env: ENV, timeout: 20_000, encoding: 'utf8' });
  return run.status === 0;
}

function weAccept(path: string): boolean {
  try {
    return loadConfigFile(path, ENV).warnings.length === 0;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

const ACCEPTED: Array<[string, string]> = [
  ['JSON with outer braces', '{\n  "port": 4333,\n  "max_payload": 65536,\n  "debug": true\n}\n'],
  ['semicolons, commas and every separator', 'port = 4333; server_name: a, debug true\nhttp_port 8222\n'],
  ['comments everywhere', '# c\nport: 4333 # c\n// c\nauthorization { # c\n  user: a // c\n  password: b\n}\n'],
  ['quoted keys', '"port": 4333\n\'server_name\' = x\n'],
  ['scoped variables and environment', 'P = 4333\nport: $P\nauthorization {\n  PW = inner\n  users = [ {user: a, password: $PW} ]\n}\nserver_name: $CONF_TEST_NAME\nhttp_port: $CONF_TEST_PORT\n'],
  ['nested includes in a block', 'authorization {\n  include "inc/outer.conf"\n}\n'],
  ['sizes', 'max_payload: 1MB\nmax_pending: 64MB\nmax_control_line: 8KB\n'],
  ['durations', 'ping_interval: "1m30s"\nwrite_deadline: "10s"\nlame_duck_duration: "45s"\nlame_duck_grace_period: "5s"\n'],
  ['a block string', 'server_name (\nsrv\n)\n'],
  ['an IPv6 listen address', 'listen: "[::1]:4333"\n'],
  ['an unquoted bcrypt password', 'authorization { user: a, password: $2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG }\n'],
  [
    'every permission form',
    `authorization {
  default_permissions: { publish: "_INBOX.>" }
  users = [
    {user: a, password: a, permissions: {publish: "x.*", subscribe: ["y", "z.>"]}}
    {user: b, password: b, permissions: {pub: {allow: ["x"], deny: "x.y"}, sub: {deny: [">"]}}}
    {user: c, password: c, permissions: {subscribe: "q.* workers", allow_responses: {max: 2, expires: "1m"}}}
    {user: d, password: d, permissions: {allow_responses: true}, allowed_connection_types: [STANDARD, WEBSOCKET]}
  ]
}
`,
  ],
  ['accounts with users', 'accounts {\n  A { users: [ {user: a, password: a} ] }\n  B: { users = [ {user: b, password: b} ] }\n}\n'],
  ['accounts as a list', 'accounts: [A, B]\n'],
  [
    'exports, imports and mappings',
    `mappings { "orders.*": "orders.{{wildcard(1)}}.new", "svc": [ { destination: "svc.v1", weight: 80% }, { destination: "svc.v2", weight: 20% } ] }
accounts {
  A { exports: [ { service: "help.>", response_type: stream, response_threshold: "5s" }, { stream: "news.>" }, { service: "priv.>", accounts: [C] } ], mappings: { "p.*.*": "p.{{partition(3,1,2)}}.{{wildcard(2)}}" } }
  B { imports: [ { service: { account: A, subject: "help.>" }, to: "a.help.>" }, { stream: { account: A, subject: "news.x" }, prefix: "a" }, { stream: { account: A, subject: "news.*" }, to: "n.*" } ] }
  C { imports: [ { service: { account: A, subject: "priv.x" } } ] }
}
`,
  ],
  ['websocket without TLS', 'websocket { listen: "127.0.0.1:8080", no_tls: true, compression: true, handshake_timeout: "2s" }\n'],
  ['cluster with routes', 'cluster {\n  name: c\n  listen: 0.0.0.0:6222\n  routes = [\n    nats://a:6222\n    nats-route://u:p@b:6222,\n  ]\n}\n'],
  ['jetstream block', 'jetstream { store_dir: "/tmp/js", enabled: true }\n'],
  ['CRLF line ends', 'port: 4333\r\nauthorization {\r\n  user: a\r\n  password: b\r\n}\r\n'],
  ['dotted and dashed bare values', 'server_name: my.server-1\nlog_file: /var/log/nats.log\n'],
];

const REJECTED: Array<[string, string]> = [
  ['an unknown top-level key', 'port: 4333\ncolour: blue\n'],
  ['an unknown key in authorization', 'authorization { usrs: [] }\n'],
  ['an unterminated map', 'cluster {\n  port: 6222\n'],
  ['a string port', 'port: "4333"\n'],
  ['an undefined variable', 'port: $NOT_DEFINED_ANYWHERE\n'],
  ['a bad escape', 'server_name: "a\\qb"\n'],
  ['a duplicate user', 'authorization { users: [ {user: a}, {user: a} ] }\n'],
  ['an unparsable duration', 'ping_interval: "5x"\n'],
  ['a short lame duck duration', 'lame_duck_duration: "10s"\n'],
  ['store_dir twice', 'store_dir: "/a"\njetstream { store_dir: "/b" }\n'],
  ['an invalid permission subject', 'authorization { users: [ {user: a, permissions: {publish: "a..b"}} ] }\n'],
  ['a user with a token', 'authorization { user: a, password: b, token: c }\n'],
  ['an integer ping_interval (a warning)', 'ping_interval: 30\n'],
  ['a missing include', 'include nothing-here.conf\n'],
  ['a double comma', 'cluster { port: 6222, routes: [nats://a:1,,nats://b:2] }\n'],
  ['a dash in a number', 'max_payload: 12-3\n'],
  ['a relative path starting with a dot', 'log_file: ./nats.log\n'],
  ['an unknown field in a permission', 'authorization { permissions: { publsh: x } }\n'],
  ['an import from an unknown account', 'accounts { B { imports: [ { stream: { account: Z, subject: x } } ] } }\n'],
  ['an import of what is not exported', 'accounts { A { exports: [ { stream: "a.>" } ] }, B { imports: [ { stream: { account: A, subject: "b.>" } } ] } }\n'],
  ['an import of a private export', 'accounts { A { exports: [ { service: s, accounts: [C] } ] }, B { imports: [ { service: { account: A, subject: s } } ] }, C {} }\n'],
  ['a response type on a stream export', 'accounts { A { exports: [ { stream: s, response_type: stream } ] } }\n'],
  ['an unknown response type', 'accounts { A { exports: [ { service: s, response_type: bogus } ] } }\n'],
  ['an import without a subject', 'accounts { A { exports: [ { stream: s } ] }, B { imports: [ { stream: { account: A } } ] } }\n'],
  ['a bad mapping source', 'mappings { "a..b": c }\n'],
  ['mapping weights over 100', 'mappings { s: [ { destination: a, weight: 80% }, { destination: b, weight: 30% } ] }\n'],
];

describe.skipIf(!available)('configuration files against nats-server -t', () => {
  it.each(ACCEPTED)('both accept %s', (_what, text) => {
    const path = join(dir, `ok${++counter}.conf`);
    writeFileSync(path, text);
    expect({ natsServer: natsServerAccepts(path), us: weAccept(path) }).toEqual({ natsServer: true, us: true });
  });

  it.each(REJECTED)('both reject %s', (_what, text) => {
    const path = join(dir, `bad${++counter}.conf`);
    writeFileSync(path, text);
    expect({ natsServer: natsServerAccepts(path), us: weAccept(path) }).toEqual({ natsServer: false, us: false });
  });
});

describe.skipIf(available)('configuration files against nats-server -t', () => {
  it.skip(`skipped: nats-server was not found (${CANDIDATES.filter(Boolean).join(', ')}; set NATS_SERVER_BIN)`, () => {});
});
