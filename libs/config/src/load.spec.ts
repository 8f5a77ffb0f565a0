import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, loadOptions } from './load.js';
import { DEFAULTS } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'nats-ts-load-'));
let counter = 0;
function file(text: string, name = `c${++counter}.conf`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const load = (text: string, env: NodeJS.ProcessEnv = {}) => loadConfigFile(file(text), env);
const optionsOf = (text: string, env: NodeJS.ProcessEnv = {}) => {
  const { options, warnings } = load(text, env);
  expect(warnings).toEqual([]);
  return options;
};

const certFile = file('not really a certificate', 'server-cert.pem');
const keyFile = file('not really a key', 'server-key.pem');
const caFile = file('not really a ca', 'ca.pem');

describe('loadOptions defaults', () => {
  it('gives nats-server defaults without any file', () => {
    const { options, warnings } = loadOptions([], {});
    expect(warnings).toEqual([]);
    expect(options).toEqual({
      serverTags: [],
      host: '0.0.0.0',
      port: 4222,
      noAdvertise: false,
      httpHost: '0.0.0.0',
      httpPort: 0,
      httpBasePath: '/',
      maxPayload: DEFAULTS.maxPayload,
      maxControlLine: 4096,
      maxPending: 64 * 1024 * 1024,
      maxConnections: 64 * 1024,
      maxSubscriptions: 0,
      pingIntervalMs: 120_000,
      pingMax: 2,
      writeDeadlineMs: 10_000,
      lameDuckDurationMs: 120_000,
      lameDuckGracePeriodMs: 10_000,
      noHeaderSupport: false,
      logging: { debug: false, trace: false, logtime: true },
      auth: { users: [], nkeys: [], timeoutMs: 2000 },
      accounts: [],
      systemAccount: '$SYS',
      mappings: [],
      allowNonTls: false,
      jetstream: { enabled: false, maxMemoryStore: -1, maxFileStore: -1, syncIntervalMs: DEFAULTS.jetstreamSyncIntervalMs, syncAlways: false, redisMinReplicas: 0, redisLeaseMs: DEFAULTS.jetstreamRedisLeaseMs },
    });
  });

  it('freezes the options, deeply', () => {
    const { options } = loadOptions([], {});
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options.logging)).toBe(true);
    expect(Object.isFrozen(options.auth.users)).toBe(true);
  });
});

describe('loadConfigFile: server keys', () => {
  it('reads listen, ports, names and monitoring', () => {
    const o = optionsOf(`
listen: 127.0.0.1:4333
client_advertise: "nats.example.com:4222"
server_name: srv-1
server_tags: ["Region:EU", " az:1 ", "region:eu"]
http: "127.0.0.2:8222"
http_base_path: "monitor/"
`);
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 4333,
      clientAdvertise: 'nats.example.com:4222',
      serverName: 'srv-1',
      serverTags: ['region:eu', 'az:1'],
      httpHost: '127.0.0.2',
      httpPort: 8222,
      httpBasePath: '/monitor',
    });
    expect(o.configFile).toMatch(/^\/.*\.conf$/);
  });

  it('reads host/net/port, monitor ports, and -1 for a free port', () => {
    expect(optionsOf('net: 10.0.0.1\nport: -1\nmonitor_port: -1')).toMatchObject({ host: '10.0.0.1', port: -1, httpHost: '10.0.0.1', httpPort: -1 });
    expect(optionsOf('host: ::1\nhttp_port: 8222')).toMatchObject({ host: '::1', httpHost: '::1', httpPort: 8222 });
    expect(optionsOf('listen: "[::1]:4555"\nhttp: 9222')).toMatchObject({ host: '::1', port: 4555, httpPort: 9222 });
    expect(optionsOf('listen: 4666')).toMatchObject({ host: '0.0.0.0', port: 4666 });
    expect(optionsOf('port: 0')).toMatchObject({ port: 4222 });
  });

  it('reads limits, with sizes and zero meaning the default', () => {
    expect(
      optionsOf(`
max_payload: 2MB
max_control_line: 8KB
max_pending: 128MB
max_connections: 100
max_subscriptions: 1000
ping_max: 5
`),
    ).toMatchObject({ maxPayload: 2 * 1024 ** 2, maxControlLine: 8192, maxPending: 128 * 1024 ** 2, maxConnections: 100, maxSubscriptions: 1000, pingMax: 5 });
    expect(optionsOf('max_conn: 7\nmax_subs: 8')).toMatchObject({ maxConnections: 7, maxSubscriptions: 8 });
    expect(optionsOf('max_payload: 0\nmax_connections: 0\nping_max: 0')).toMatchObject({
      maxPayload: DEFAULTS.maxPayload,
      maxConnections: DEFAULTS.maxConnections,
      pingMax: DEFAULTS.pingMax,
    });
  });

  it('reads durations as Go duration strings', () => {
    expect(
      optionsOf(`
ping_interval: "30s"
write_deadline: "1m30s"
lame_duck_duration: "45s"
lame_duck_grace_period: "5s"
`),
    ).toMatchObject({ pingIntervalMs: 30_000, writeDeadlineMs: 90_000, lameDuckDurationMs: 45_000, lameDuckGracePeriodMs: 5000 });
  });

  it('reads integer ping_interval and write_deadline as seconds, with nats-server\'s warning', () => {
    const path = file('ping_interval: 30\nwrite_deadline: 1m\n');
    const { options, warnings } = loadConfigFile(path, {});
    expect(options).toMatchObject({ pingIntervalMs: 30_000, writeDeadlineMs: 1_000_000_000 });
    expect(warnings).toEqual([
      `${path}:1:1: invalid use of field "ping_interval": ping_interval should be converted to a duration; 30 is read as 30 seconds`,
      `${path}:2:1: invalid use of field "write_deadline": write_deadline should be converted to a duration; 1m is read as 1000000 seconds (an unquoted 1m is the number 1000000, not a duration)`,
    ]);
  });

  it('reads logging and process files, keeping relative paths as written', () => {
    expect(
      optionsOf(`
debug: true
trace: true
logtime: false
log_file: "./nats.log"
pid_file: run/nats.pid
ports_file_dir: /tmp/ports
no_header_support: true
`),
    ).toMatchObject({
      logging: { debug: true, trace: true, logtime: false, logFile: './nats.log' },
      pidFile: 'run/nats.pid',
      portsFileDir: '/tmp/ports',
      noHeaderSupport: true,
    });
    expect(optionsOf('logfile: a.log\npidfile: a.pid\ntrace_verbose: true')).toMatchObject({
      logging: { logFile: 'a.log', trace: true, traceVerbose: true },
      pidFile: 'a.pid',
    });
  });

  it('matches keys case-insensitively, as nats-server does', () => {
    expect(optionsOf('PORT: 4999\nMax_Payload: 2KB')).toMatchObject({ port: 4999, maxPayload: 2048 });
  });

  it('resolves variables from the file and the environment', () => {
    expect(optionsOf('LISTEN_PORT = 4777\nport: $LISTEN_PORT\nserver_name: $NAME', { NAME: 'from-env' })).toMatchObject({
      port: 4777,
      serverName: 'from-env',
    });
  });
});

describe('loadConfigFile: authorization and accounts', () => {
  it('reads a single user, a token, and the auth timeout', () => {
    expect(optionsOf('authorization { user: derek, password: s3cr3t, timeout: 3 }').auth).toEqual({ users: [], nkeys: [], user: 'derek', password: 's3cr3t', timeoutMs: 3000 });
    expect(optionsOf('authorization { username: a, pass: b, timeout: 0.5 }').auth).toMatchObject({ user: 'a', password: 'b', timeoutMs: 500 });
    expect(optionsOf('authorization { token: "$2a$11$abc" }').auth).toEqual({ users: [], nkeys: [], token: '$2a$11$abc', timeoutMs: 2000 });
  });

  it('reads users with every permission form', () => {
    const o = optionsOf(`
authorization {
  default_permissions = { publish: "_INBOX.>", subscribe: ["_INBOX.>"] }
  users = [
    { user: a, password: pa, permissions: { publish: "foo.*", subscribe: ["bar", "baz.>"] } }
    { user: b, password: pb, permissions: { pub: { allow: ["x"], deny: "x.y" }, sub: { deny: ["secret.>"] } } }
    { user: c, password: pc, permissions: { publish: { deny: ">" }, allow_responses: true } }
    { user: d, password: pd, permissions: { allow_responses: { max: 5, expires: "30s" } } }
    { user: e, password: pe, permissions: { subscribe: "q.* workers" } }
    { user: f, password: pf }
    { user: g, password: pg, allowed_connection_types: ["STANDARD", "websocket"] }
  ]
}`);
    const byName = Object.fromEntries(o.auth.users.map((u) => [u.user, u]));
    expect(byName.a!.permissions).toEqual({ publish: { allow: ['foo.*'] }, subscribe: { allow: ['bar', 'baz.>'] } });
    expect(byName.b!.permissions).toEqual({ publish: { allow: ['x'], deny: ['x.y'] }, subscribe: { deny: ['secret.>'] } });
    expect(byName.c!.permissions).toEqual({ publish: { deny: ['>'], allow: [] }, allowResponses: { maxMsgs: 1, expiresMs: 120_000 } });
    expect(byName.d!.permissions).toEqual({ publish: { allow: [] }, allowResponses: { maxMsgs: 5, expiresMs: 30_000 } });
    expect(byName.e!.permissions).toEqual({ subscribe: { allow: ['q.* workers'] } });
    expect(byName.f!.permissions).toEqual({ publish: { allow: ['_INBOX.>'] }, subscribe: { allow: ['_INBOX.>'] } });
    expect(byName.g!.allowedConnectionTypes).toEqual(['STANDARD', 'WEBSOCKET']);
    expect(o.auth.defaultPermissions).toEqual({ publish: { allow: ['_INBOX.>'] }, subscribe: { allow: ['_INBOX.>'] } });
    expect(byName.a!.account).toBeUndefined();
  });

  it('reads accounts; their users carry the account and also appear in auth.users', () => {
    const o = optionsOf(`
accounts {
  A: { users: [ {user: a1, password: x}, {user: a2, password: y} ] }
  B: {
    default_permissions: { subscribe: "b.>" }
    users: [ {user: b1, password: z} ]
  }
  C: {}
}
authorization { users: [ {user: g, password: w} ] }
no_auth_user: a1
`);
    expect(o.accounts).toEqual([
      {
        name: 'A',
        users: [
          { user: 'a1', password: 'x', account: 'A' },
          { user: 'a2', password: 'y', account: 'A' },
        ],
        nkeys: [],
      },
      { name: 'B', users: [{ user: 'b1', password: 'z', account: 'B', permissions: { subscribe: { allow: ['b.>'] } } }], nkeys: [] },
      { name: 'C', users: [], nkeys: [] },
    ]);
    expect(o.auth.users.map((u) => `${u.user}@${u.account ?? '$G'}`)).toEqual(['a1@A', 'a2@A', 'b1@B', 'g@$G']);
    expect(o.auth.noAuthUser).toBe('a1');
  });

  it('reads nkey users in authorization and accounts, with permissions and default permissions', () => {
    const [global, inA, inB] = [createUser(), createUser(), createUser()].map((kp) => kp.getPublicKey());
    const o = optionsOf(`
authorization {
  users: [ { nkey: ${global}, permissions: { publish: "g.>" } }, { user: pw, password: x } ]
}
accounts {
  A: { users: [ { nkey: "${inA}" } ] }
  B: { default_permissions: { subscribe: "b.>" }, users: [ { nkey: ${inB}, allowed_connection_types: [STANDARD] } ] }
}`);
    expect(o.auth.nkeys).toEqual([
      { nkey: global, permissions: { publish: { allow: ['g.>'] } } },
      { nkey: inA, account: 'A' },
      { nkey: inB, account: 'B', permissions: { subscribe: { allow: ['b.>'] } }, allowedConnectionTypes: ['STANDARD'] },
    ]);
    expect(o.auth.users).toEqual([{ user: 'pw', password: 'x' }]);
    expect(o.accounts.map((a) => [a.name, a.nkeys.map((n) => n.nkey)])).toEqual([
      ['A', [inA]],
      ['B', [inB]],
    ]);
  });

  it('reads allow_non_tls at the top level, as nats-server', () => {
    expect(optionsOf(`allow_non_tls: true\ntls { cert_file: "${certFile}", key_file: "${keyFile}" }`).allowNonTls).toBe(true);
    expect(optionsOf('port: 4222').allowNonTls).toBe(false);
  });

  it('reads accounts given as a list of names', () => {
    expect(optionsOf('accounts: [A, B]').accounts).toEqual([
      { name: 'A', users: [], nkeys: [] },
      { name: 'B', users: [], nkeys: [] },
    ]);
  });

  it('ignores helper keys used as variables inside blocks', () => {
    const o = optionsOf(`
accounts {
  PW: secret
  A: { users: [ {user: a, password: $PW} ] }
}
authorization {
  PERMS = { publish: "x" }
  users = [ {user: b, password: c, permissions: $PERMS} ]
}`);
    expect(o.accounts.map((a) => a.name)).toEqual(['A']);
    expect(o.auth.users.map((u) => [u.user, u.password])).toEqual([
      ['a', 'secret'],
      ['b', 'c'],
    ]);
  });
});

describe('loadConfigFile: jetstream', () => {
  it('reads the server block with sizes, a domain and the sync interval', () => {
    const js = optionsOf('jetstream {\n  store_dir: "/data"\n  max_memory_store: 64MB\n  max_file_store: 1GB\n  domain: hub\n  max_outstanding_catchup: 32MB\n  sync_interval: "10s"\n}').jetstream;
    expect(js).toEqual({
      enabled: true,
      storeDir: '/data',
      maxMemoryStore: 64 * 1024 * 1024,
      maxFileStore: 1024 ** 3,
      domain: 'hub',
      maxOutstandingCatchup: 32 * 1024 * 1024,
      syncIntervalMs: 10_000,
      syncAlways: false,
      redisMinReplicas: 0,
      redisLeaseMs: DEFAULTS.jetstreamRedisLeaseMs,
    });
    expect(optionsOf('jetstream { sync_interval: always }').jetstream.syncAlways).toBe(true);
    expect(optionsOf('jetstream: enabled').jetstream).toMatchObject({ enabled: true, maxMemoryStore: -1, maxFileStore: -1, syncIntervalMs: DEFAULTS.jetstreamSyncIntervalMs });
  });

  it('reads the Redis store: a URL, a Sentinel group or a Redis Cluster, and redis_min_replicas', () => {
    expect(optionsOf('jetstream { redis: "redis://127.0.0.1:6379/2" }').jetstream).toMatchObject({ enabled: true, redis: { url: 'redis://127.0.0.1:6379/2' }, redisMinReplicas: 0 });
    const sentinel = optionsOf('jetstream {\n  redis: { sentinels: ["h1:26379", "[::1]:26380"], name: "mymaster" }\n  redis_min_replicas: 1\n}').jetstream;
    expect(sentinel.redis).toEqual({ sentinels: [{ host: 'h1', port: 26379 }, { host: '::1', port: 26380 }], name: 'mymaster' });
    expect(sentinel.redisMinReplicas).toBe(1);
    expect(optionsOf('jetstream { redis: { cluster: ["10.0.0.1:7000", "[::1]:7001"] } }').jetstream.redis).toEqual({ cluster: [{ host: '10.0.0.1', port: 7000 }, { host: '::1', port: 7001 }] });
    expect(optionsOf('jetstream { redis: "redis://h", redis_lease: "2s" }').jetstream.redisLeaseMs).toBe(2_000);
  });

  it('reads per-account JetStream: enabled, or limits with nats-server 2.9 key names', () => {
    const accounts = optionsOf('accounts {\n  A { jetstream: enabled }\n  B { jetstream { max_mem: 1MB, max_file: 2MB, max_streams: 3, max_consumers: 4, max_bytes_required: true } }\n  C { }\n  D { jetstream: disabled }\n}').accounts;
    expect(accounts.map((a) => [a.name, a.jetstream])).toEqual([
      ['A', { maxMemory: -1, maxStore: -1, maxStreams: -1, maxConsumers: -1, maxAckPending: -1, memoryMaxStreamBytes: -1, storeMaxStreamBytes: -1, maxBytesRequired: false }],
      ['B', { maxMemory: 1024 * 1024, maxStore: 2 * 1024 * 1024, maxStreams: 3, maxConsumers: 4, maxAckPending: -1, memoryMaxStreamBytes: -1, storeMaxStreamBytes: -1, maxBytesRequired: true }],
      ['C', undefined],
      ['D', undefined],
    ]);
  });
});

describe('loadConfigFile: tls, websocket, cluster, jetstream', () => {
  it('reads tls; the auth timeout then follows the TLS timeout', () => {
    const o = optionsOf(`tls { cert_file: "${certFile}", key_file: "${keyFile}", ca_file: "${caFile}", verify: true, timeout: 3 }`);
    expect(o.tls).toEqual({ certFile, keyFile, caFile, verify: true, timeoutMs: 3000, insecure: false });
    expect(o.auth.timeoutMs).toBe(4000);
    expect(optionsOf(`tls { cert_file: "${certFile}", key_file: "${keyFile}", timeout: "500ms" }`).tls?.timeoutMs).toBe(500);
  });

  it('reads websocket', () => {
    const o = optionsOf(`
websocket {
  listen: "127.0.0.1:8080"
  advertise: "ws.example.com:443"
  no_tls: true
  compression: true
  handshake_timeout: "5s"
  same_origin: true
  allowed_origins: ["https://a.example.com", "https://b.example.com"]
}`);
    expect(o.websocket).toEqual({
      host: '127.0.0.1',
      port: 8080,
      advertise: 'ws.example.com:443',
      noTls: true,
      compression: true,
      handshakeTimeoutMs: 5000,
      sameOrigin: true,
      allowedOrigins: ['https://a.example.com', 'https://b.example.com'],
    });
    expect(optionsOf(`ws { port: 8443, tls { cert_file: "${certFile}", key_file: "${keyFile}" }, compress: true, origin: "x", handshake_timeout: 2 }`).websocket).toMatchObject({
      host: '0.0.0.0',
      port: 8443,
      compression: true,
      allowedOrigins: ['x'],
      handshakeTimeoutMs: 2000,
      tls: { certFile, keyFile },
    });
  });

  it('leaves a websocket or cluster block without a port off', () => {
    const o = optionsOf('websocket { no_tls: true }\ncluster { name: c }');
    expect(o.websocket).toBeUndefined();
    expect(o.cluster).toBeUndefined();
  });

  it('reads cluster', () => {
    const o = optionsOf(`
cluster {
  name: my-cluster
  listen: 0.0.0.0:6222
  authorization { user: route_user, password: top_secret, timeout: 1 }
  routes = [
    nats-route://foo:bar@apcera.me:4245
    nats://127.0.0.1:4246
  ]
  cluster_advertise: "10.0.0.1:6222"
  no_advertise: true
  connect_retries: 5
}`);
    expect(o.cluster).toEqual({
      name: 'my-cluster',
      host: '0.0.0.0',
      port: 6222,
      user: 'route_user',
      password: 'top_secret',
      authTimeoutMs: 1000,
      routes: ['nats-route://foo:bar@apcera.me:4245', 'nats://127.0.0.1:4246'],
      advertise: '10.0.0.1:6222',
      noAdvertise: true,
      connectRetries: 5,
    });
    expect(o.noAdvertise).toBe(true);
    expect(optionsOf(`cluster { host: 127.0.0.1, port: -1, advertise: x, tls { cert_file: "${certFile}", key_file: "${keyFile}" } }`).cluster).toMatchObject({
      host: '127.0.0.1',
      port: -1,
      advertise: 'x',
      tls: { certFile, keyFile, verify: false },
    });
  });

  it('reads jetstream in all its forms', () => {
    expect(optionsOf('jetstream: true').jetstream).toMatchObject({ enabled: true });
    expect(optionsOf('jetstream: enabled').jetstream).toMatchObject({ enabled: true });
    expect(optionsOf('jetstream: disabled').jetstream).toMatchObject({ enabled: false });
    expect(optionsOf('jetstream { store_dir: "/data/js" }').jetstream).toMatchObject({ enabled: true, storeDir: '/data/js' });
    expect(optionsOf('jetstream { storedir: js, enabled: false }').jetstream).toMatchObject({ enabled: false, storeDir: 'js' });
    expect(optionsOf('store_dir: "./js"\njetstream: on').jetstream).toMatchObject({ enabled: true, storeDir: './js' });
  });
});

describe('loadConfigFile: keys this server does not implement', () => {
  it('warns about known nats-server keys, naming file:line:col', () => {
    const path = file(`port: 4222
gateway { name: A, port: 7222 }
leafnodes { port: 7422, min_version: "2.8.0" }
  mqtt { port: 1883 }
syslog: true
no_sys_acc: false
https_port: 8443
jetstream { unique_tag: az, limits: {} }
accounts { A { imports: [], limits: {} } }
tls { cert_file: "${certFile}", key_file: "${keyFile}", cipher_suites: ["x"] }
cluster { port: 6222, permissions: { import: ">" } }
`);
    const { warnings } = loadConfigFile(path, {});
    expect(warnings).toEqual([
      `${path}:3:25: "min_version" in leafnodes is not supported yet, ignored`,
      `${path}:4:3: "mqtt" is not supported yet, ignored`,
      `${path}:5:1: "syslog" is not supported yet, ignored`,
      `${path}:7:1: "https_port" is not supported yet, ignored`,
      `${path}:8:13: "unique_tag" in jetstream is not supported yet, ignored`,
      `${path}:8:29: "limits" in jetstream is not supported yet, ignored`,
      `${path}:9:29: "limits" in account "A" is not supported yet, ignored`,
      `${path}:10:${certFile.length + keyFile.length + 36}: "cipher_suites" in tls is not supported yet, ignored`,
      `${path}:11:23: "permissions" in cluster is not supported yet, ignored`,
    ]);
  });

  it('warns about a max_payload over 8 MB, as nats-server does at startup', () => {
    const path = file('max_payload: 16MB\nmax_pending: 64MB\n');
    expect(loadConfigFile(path, {}).warnings).toEqual([
      `${path}:1:1: max_payload of 16 MB is over 8 MB, which is discouraged and could lead to poor performance`,
    ]);
  });
});
