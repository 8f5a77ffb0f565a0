import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { ConfigFiles } from './config-files.test-support.js';
import { loadConfigFile, loadOptions } from './load.js';

const files = new ConfigFiles('nats-ts-load-errors-');
const dir = files.dir;
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
writeFileSync(certFile, 'cert');
writeFileSync(keyFile, 'key');
const user = createUser();
const publicKey = user.getPublicKey();

/** Every error loading `text` reports, with the file path replaced by `F`. */
const errorsOf = (text: string): string[] => files.errorsOf(text);

describe('loadConfigFile: bad values name file:line:col', () => {
  it.each([
    ['a wrong type', 'port: "4222"', ['F:1:1: "port" must be an integer, found a string']],
    ['a port out of range', '\n  port: 70000', ['F:2:3: "port" must be between -1 and 65535, found 70000']],
    ['a negative size', 'max_payload: -1KB', ['F:1:1: "max_payload" must be between 0 and 2147483647, found -1KB']],
    ['a size too big for nats-server', 'max_payload: 3GB', ['F:1:1: "max_payload" must be between 0 and 2147483647, found 3GB']],
    ['a negative count', 'max_connections: -5', ['F:1:1: "max_connections" must be between 0 and 9007199254740991, found -5']],
    ['a bad listen address', 'listen: "nohost"', ['F:1:1: could not parse address string "nohost", expected host:port']],
    ['a bad listen port', 'listen: "h:99999"', ['F:1:1: could not parse port "99999" in "h:99999"']],
    ['a bool where a string is expected', 'server_name: true', ['F:1:1: "server_name" must be a string, found a boolean']],
    ['an unparsable duration', 'ping_interval: "5x"', ['F:1:1: error parsing ping_interval: unknown unit "x" in duration "5x" (use ns, us, ms, s, m or h)']],
    ['a negative duration', 'write_deadline: "-1s"', ['F:1:1: "write_deadline" must not be negative']],
    ['a lame duck duration under 30s', 'lame_duck_duration: "10s"', ['F:1:1: invalid lame_duck_duration of 10000ms, minimum is 30 seconds']],
    ['a lame duck duration in seconds', 'lame_duck_duration: 60', ['F:1:1: "lame_duck_duration" must be a duration string such as "2s", found an integer']],
    [
      'a grace period longer than the lame duck duration',
      'lame_duck_duration: "30s"\nlame_duck_grace_period: "40s"',
      ['F:2:1: lame duck grace period (40000ms) should be strictly lower than lame duck duration (30000ms)'],
    ],
    ['max_payload over max_pending', 'max_pending: 1KB\nmax_payload: 2KB', ['F:2:1: max_payload (2048) cannot be higher than max_pending (1024)']],
    ['an unknown top-level key', 'port: 1\n  colour: blue', ['F:2:3: unknown field "colour"']],
    ['an unknown key in a block', 'authorization {\n  usrs: []\n}', ['F:2:3: unknown field "usrs" in authorization']],
    ['a user without a name', 'authorization { users: [ {password: x} ] }', ['F:1:26: user entry requires a user']],
    ['a user that is not a map', 'authorization { users: [ alice ] }', ['F:1:26: user entries must be maps, found a string']],
    [
      'a duplicate user across authorization and accounts',
      'authorization { users: [ {user: a} ] }\naccounts { A { users: [ {user: a} ] } }',
      ['F:2:25: duplicate user "a", first declared at F:1:26'],
    ],
    ['a no_auth_user that is not a user', 'authorization { users: [ {user: a} ] }\nno_auth_user: b', ['F:2:1: no_auth_user: "b" not present as user in authorization block or account configuration']],
    ['a no_auth_user without users', 'no_auth_user: b', ['F:1:1: no_auth_user: "b" present, but users are not defined']],
    ['a user/password with a token', 'authorization { user: a, password: b, token: c }', ['F:1:1: cannot have a user/password and a token']],
    [
      'a single user with a users list',
      'authorization {\n  user: a\n  users: [ {user: b} ]\n}',
      ['F:1:1: cannot have a single user/password and a users list (in authorization or accounts)'],
    ],
    [
      'a token with users in accounts',
      'authorization { token: t }\naccounts {\n  A { users: [ {user: b} ] }\n}',
      ['F:3:16: cannot have a token and a users list (in authorization or accounts)'],
    ],
    ['an invalid permission subject', 'authorization { users: [ {user: a, permissions: {publish: ["ok", "bad..subject"]}} ] }', ['F:1:66: subject "bad..subject" in "publish" is not a valid subject']],
    ['an unknown permission key', 'authorization { permissions: { publsh: x } }', ['F:1:32: unknown field "publsh" in permissions']],
    [
      'an unknown subject permission key',
      'authorization { permissions: { publish: { allow: x, denied: y } } }',
      ['F:1:53: unknown field "denied" in subject permissions, only "allow" and "deny" are permitted'],
    ],
    ['an allow_responses that is not a bool or map', 'authorization { permissions: { allow_responses: 5 } }', ['F:1:32: "allow_responses" must be a boolean or a map, found an integer']],
    ['an expires that is not a duration', 'authorization { permissions: { allow_responses: { expires: 5 } } }', ['F:1:51: "expires" must be a duration string such as "2s", found an integer']],
    ['an unknown connection type', 'authorization { users: [ {user: a, allowed_connection_types: ["STANDARD", "telnet"]} ] }', ['F:1:36: unknown connection type "TELNET" in "allowed_connection_types"']],
    ['the reserved global account', 'accounts { $G { } }', ['F:1:12: "$G" is a reserved account']],
    ['a duplicate account name', 'accounts: [A, B, A]', ['F:1:18: duplicate account "A"']],
    ['an account that is not a map', 'accounts { A: 1 }', ['F:1:12: "A" must be a map, found an integer']],
    ['tls without cert_file and key_file', 'tls { verify: true }', ['F:1:1: missing "cert_file" in tls', 'F:1:1: missing "key_file" in tls']],
    ['a tls file that cannot be read', `tls {\n  cert_file: "${certFile}"\n  key_file: "/nonexistent/key.pem"\n}`, ['F:3:3: cannot read key_file "/nonexistent/key.pem": ENOENT']],
    ['an unknown tls key', `tls { cert_file: "${certFile}", key_file: "${keyFile}", verfy: true }`, [`F:1:${certFile.length + keyFile.length + 36}: unknown field "verfy" in tls`]],
    ['websocket without tls', 'websocket {\n  port: 8080\n}', ['F:1:1: websocket requires TLS configuration (a tls block), or no_tls: true']],
    ['a bad jetstream word', 'jetstream: maybe', ["F:1:1: expected 'enabled' or 'disabled' for \"jetstream\", found \"maybe\""]],
    ['a domain with a dot', 'jetstream { domain: "a.b" }', ['F:1:13: invalid domain name: "a.b" (no spaces, dots or wildcards)']],
    ['a bad sync interval', 'jetstream { sync_interval: "never" }', ['F:1:13: error parsing sync_interval: invalid duration "never"']],
    ['an unknown account jetstream limit', 'accounts { A { jetstream { max_msgs: 1 } } }', ['F:1:28: unknown field "max_msgs" in account jetstream']],
    ['a jetstream redis that is no URL', 'jetstream { redis: "localhost:6379" }', ['F:1:13: jetstream redis "localhost:6379" must be a redis:// or rediss:// URL']],
    ['a jetstream redis of another scheme', 'jetstream {\n  redis: "http://h:6379"\n}', ['F:2:3: jetstream redis "http://h:6379" must be a redis:// or rediss:// URL']],
    ['a jetstream redis database that is no number', 'jetstream { redis: "redis://h:6379/x" }', ['F:1:13: jetstream redis "redis://h:6379/x" names database "x", not a number']],
    ['a jetstream redis of the wrong type', 'jetstream { redis: 6379 }', ['F:1:13: jetstream redis must be a redis:// URL, a map of sentinels and name, or a map of cluster nodes, found an integer']],
    ['a bad sentinel address', 'jetstream { redis: { sentinels: ["h1:26379", "h2"], name: m } }', ['F:1:22: jetstream redis sentinel "h2" must be host:port']],
    ['sentinels without a name', 'jetstream { redis: { sentinels: ["h1:26379"] } }', ['F:1:13: jetstream redis with Sentinel needs sentinels (at least one host:port) and name']],
    ['an unknown sentinel key', 'jetstream { redis: { sentinels: ["h1:26379"], name: m, master: x } }', ['F:1:56: unknown field "master" in jetstream redis (sentinels, name, cluster)']],
    ['a bad cluster node address', 'jetstream {\n  redis: { cluster: ["h1:7000", "h2:99999"] }\n}', ['F:2:12: jetstream redis cluster node "h2:99999" must be host:port']],
    ['an empty cluster', 'jetstream { redis: { cluster: [] } }', ['F:1:13: jetstream redis cluster needs at least one host:port of a cluster node']],
    ['a cluster with a sentinel name', 'jetstream { redis: { cluster: ["h1:7000"], name: m } }', ['F:1:13: jetstream redis is either a Redis Cluster (cluster) or a Sentinel group (sentinels, name), not both']],
    ['a negative redis_min_replicas', 'jetstream { redis: "redis://h", redis_min_replicas: -1 }', ['F:1:33: "redis_min_replicas" must be between 0 and 1000, found -1']],
    ['a redis_lease too short', 'jetstream { redis: "redis://h", redis_lease: "100ms" }', ['F:1:33: jetstream redis_lease must be at least 300ms, found "100ms"']],
    ['redis_min_replicas without redis', 'jetstream { redis_min_replicas: 1 }', ['F:1:1: jetstream redis_min_replicas needs redis (the Redis store)']],
    ['store_dir given twice', 'store_dir: "/a"\njetstream { store_dir: "/b" }', ["F:2:13: duplicate 'store_dir' configuration"]],
    ['cluster users', 'cluster { port: 6222, authorization { users: [] } }', ['F:1:39: cluster authorization does not allow multiple users']],
    ['a bad route URL', 'cluster {\n  port: 6222\n  routes: [ "nats://ok:1", "not a url" ]\n}', ['F:3:28: error parsing route url "not a url"']],
  ])('%s', (_what, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });

  it('refuses trusted keys that are no operator public keys, or beside configured users', () => {
    expect(errorsOf('trusted: [ "OABC" ]')).toEqual(['F:1:1: trust key "OABC" required to be a valid public operator nkey']);
    expect(errorsOf('trusted_keys: [ 1 ]')).toEqual(['F:1:17: "trusted_keys" entries must be strings, found an integer']);
    const key = createOperator().getPublicKey();
    expect(errorsOf(`trusted: ${key}\nauthorization { users: [ { user: a, password: b } ] }`)).toEqual([
      'F:1:1: trusted keys beside configured accounts or users are not supported: accounts and users come from JWTs',
    ]);
  });

  it('refuses what ignoring would make less secure', () => {
    expect(errorsOf('jetstream { key: s3cr3t }')[0]).toMatch(/^F:1:13: "key" is not supported: encryption at rest/);
    expect(errorsOf('websocket { port: 8080, no_tls: true, authorization { user: a } }')[0]).toMatch(/^F:1:39: "authorization" is not supported: websocket-specific credentials/);
    expect(errorsOf(`leafnodes { port: 7422, tls { cert_file: "${certFile}", key_file: "${keyFile}", verify_and_map: true } }`)[0]).toMatch(/"verify_and_map" is not supported/);
  });

  it('refuses nkey users whose key is not a public user nkey, or that also have a name or password', () => {
    const seed = new TextDecoder().decode(user.getSeed());
    const account = createAccount().getPublicKey();
    const corrupted = `${publicKey.slice(0, -1)}${publicKey.endsWith('A') ? 'B' : 'A'}`;
    expect(errorsOf('authorization { users: [ {nkey: UABC} ] }')).toEqual(['F:1:27: not a valid public nkey for a user: "UABC"']);
    expect(errorsOf(`authorization {\n  users: [ {nkey: ${corrupted}} ]\n}`)).toEqual([`F:2:13: not a valid public nkey for a user: "${corrupted}"`]);
    expect(errorsOf(`accounts { A { users: [ {nkey: ${account}} ] } }`)).toEqual([`F:1:26: not a valid public nkey for a user: "${account}"`]);
    expect(errorsOf(`authorization { users: [ {nkey: ${seed}} ] }`)).toEqual([
      'F:1:27: not a valid public nkey for a user: this is a seed (private key); configure its public key (U…)',
    ]);
    expect(errorsOf(`authorization { users: [ {nkey: ${publicKey}, password: x} ] }`)).toEqual(['F:1:26: nkey users do not take usernames or passwords']);
    expect(errorsOf(`authorization { users: [ {nkey: ${publicKey}} ] }\naccounts { A { users: [ {nkey: ${publicKey}} ] } }`)).toEqual([
      `F:2:25: duplicate nkey "${publicKey}", first declared at F:1:26`,
    ]);
    expect(errorsOf(`authorization { token: t, users: [ {nkey: ${publicKey}} ] }`)).toEqual([
      'F:1:1: cannot have a token and a users list (in authorization or accounts)',
    ]);
  });

  it('says allow_non_tls belongs beside tls {}, not in it', () => {
    expect(errorsOf(`tls { cert_file: "${certFile}", key_file: "${keyFile}", allow_non_tls: true }`)).toEqual([
      `F:1:${'tls { cert_file: "", key_file: "", '.length + certFile.length + keyFile.length + 1}: "allow_non_tls" is a top-level option (beside tls {}), not part of a tls block`,
    ]);
  });

  it('collects every error of a file, in file order', () => {
    expect(errorsOf('port: "x"\nmax_payload: -1\nfoo: 1\ndebug: 1\nauthorization { user: a, token: b }')).toEqual([
      'F:1:1: "port" must be an integer, found a string',
      'F:2:1: "max_payload" must be between 0 and 2147483647, found -1',
      'F:3:1: unknown field "foo"',
      'F:4:1: "debug" must be a boolean, found an integer',
      'F:5:1: cannot have a user/password and a token',
    ]);
  });

  it('does not report helper keys used as variables as unknown', () => {
    expect(() => loadConfigFile(join(dir, 'none.conf'), {})).toThrow(/cannot read configuration file ".*none\.conf"/);
    const path = join(dir, 'vars.conf');
    writeFileSync(path, 'MY_PORT = 4999\nUNUSED = 1\nport: $MY_PORT');
    expect(() => loadConfigFile(path, {})).toThrow(`${path}:2:1: unknown field "UNUSED"`);
  });

  it('reports syntax errors through loadOptions together with flag errors', () => {
    const path = join(dir, 'syntax.conf');
    writeFileSync(path, 'port: 4222\nbad = [1,,2]\n');
    try {
      loadOptions(['--bogus', '-c', path], {});
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).errors).toEqual([
        'unknown flag --bogus (see --help)',
        `${path}:2:10: unexpected ',' in an array, expected a value or ']'`,
      ]);
      expect((err as ConfigError).message).toBe((err as ConfigError).errors.join('\n'));
    }
  });
});
