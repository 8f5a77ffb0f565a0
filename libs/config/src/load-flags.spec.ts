import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadOptions } from './load.js';
import { TLS_USAGE, USAGE } from './usage.js';

const dir = mkdtempSync(join(tmpdir(), 'nats-ts-flags-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
writeFileSync(certFile, 'cert');
writeFileSync(keyFile, 'key');
let counter = 0;
function file(text: string): string {
  const path = join(dir, `f${++counter}.conf`);
  writeFileSync(path, text);
  return path;
}
const errorsOf = (argv: string[]): string[] => {
  try {
    loadOptions(argv, {});
  } catch (err) {
    return (err as ConfigError).errors;
  }
  throw new Error('expected a ConfigError');
};

const FULL_FILE = `
listen: 127.0.0.1:4333
server_name: from-file
http_port: 8222
debug: false
trace: true
logtime: true
log_file: file.log
pid_file: file.pid
ports_file_dir: /file
client_advertise: file:1
authorization { user: fileuser, password: filepass }
jetstream { store_dir: "/file/js" }
cluster { name: file-cluster, listen: 0.0.0.0:6222, routes: [nats://file:6222], authorization { user: ru, password: rp } }
`;

describe('loadOptions: flags override the file', () => {
  it('keeps the file where no flag is given', () => {
    const { options } = loadOptions(['-c', file(FULL_FILE)], {});
    expect(options).toMatchObject({ host: '127.0.0.1', port: 4333, serverName: 'from-file', httpPort: 8222 });
  });

  it('applies each flag over its key', () => {
    const path = file(FULL_FILE);
    const { options } = loadOptions(
      [
        ...['-c', path, '-p', '5000', '-a', '127.0.0.9', '-n', 'from-flag', '-m', '9222', '-D', '-V=false', '-T=false'],
        ...['-l', 'flag.log', '-P', 'flag.pid', '--ports_file_dir', '/flag', '--client_advertise', 'flag:2'],
        ...['--user', 'flaguser', '--pass', 'flagpass', '-js', '-sd', '/flag/js'],
      ],
      {},
    );
    expect(options).toMatchObject({
      configFile: path,
      host: '127.0.0.9',
      httpHost: '127.0.0.9',
      port: 5000,
      serverName: 'from-flag',
      httpPort: 9222,
      logging: { debug: true, trace: false, logtime: false, logFile: 'flag.log' },
      pidFile: 'flag.pid',
      portsFileDir: '/flag',
      clientAdvertise: 'flag:2',
      auth: { user: 'flaguser', password: 'flagpass' },
      jetstream: { enabled: true, storeDir: '/flag/js' },
    });
  });

  it('lets -DV and -VV set several levels, and a later flag win', () => {
    expect(loadOptions(['-DV'], {}).options.logging).toEqual({ debug: true, trace: true, logtime: true });
    expect(loadOptions(['-VV'], {}).options.logging).toEqual({ debug: false, trace: true, traceVerbose: true, logtime: true });
    expect(loadOptions(['-DV', '-D=false'], {}).options.logging).toMatchObject({ debug: false, trace: true });
  });

  it('turns jetstream off with -js=false even when the file enables it', () => {
    expect(loadOptions(['-c', file('jetstream: true'), '-js=false'], {}).options.jetstream.enabled).toBe(false);
  });

  it('overrides the cluster: listen URL with credentials, name, routes, advertise', () => {
    const { options } = loadOptions(
      ['-c', file(FULL_FILE), '--cluster', 'nats://u:p%40ss@127.0.0.1:7222', '--cluster_name', 'flag-cluster', '--routes', 'nats://a:1, nats://b:2', '--no_advertise', '--cluster_advertise', 'adv:1', '--connect_retries', '4'],
      {},
    );
    expect(options.cluster).toEqual({
      name: 'flag-cluster',
      host: '127.0.0.1',
      port: 7222,
      user: 'u',
      password: 'p@ss',
      routes: ['nats://a:1', 'nats://b:2'],
      advertise: 'adv:1',
      noAdvertise: true,
      connectRetries: 4,
    });
    expect(options.noAdvertise).toBe(true);
  });

  it('clears the file\'s route credentials when --cluster has none, and takes :-1 as a free port', () => {
    const { options } = loadOptions(['-c', file(FULL_FILE), '--cluster', 'nats://0.0.0.0:-1'], {});
    expect(options.cluster).toMatchObject({ host: '0.0.0.0', port: -1, routes: ['nats://file:6222'] });
    expect(options.cluster?.user).toBeUndefined();
  });

  it('turns the cluster off with --cluster "" and clears routes with --routes ""', () => {
    expect(loadOptions(['-c', file(FULL_FILE), '--cluster', ''], {}).options.cluster).toBeUndefined();
    expect(loadOptions(['-c', file(FULL_FILE), '--routes', ''], {}).options.cluster?.routes).toEqual([]);
  });

  it('replaces the tls block with --tls flags, and removes it with --tls=false', () => {
    const path = file(`tls { cert_file: "${certFile}", key_file: "${keyFile}", timeout: 5 }`);
    expect(loadOptions(['-c', path, '--tlsverify', '--tlscert', certFile, '--tlskey', keyFile], {}).options.tls).toEqual({
      certFile,
      keyFile,
      verify: true,
      timeoutMs: 5000,
      insecure: false,
    });
    expect(loadOptions(['-c', path, '--tls=false'], {}).options.tls).toBeUndefined();
    expect(loadOptions(['--tls', '--tlscert', certFile, '--tlskey', keyFile], {}).options).toMatchObject({
      tls: { certFile, keyFile, verify: false, timeoutMs: 2000 },
      auth: { timeoutMs: 3000 },
    });
  });

  it('makes the config file path absolute', () => {
    const path = file('port: 1234');
    expect(loadOptions(['-c', relative(process.cwd(), path)], {}).options.configFile).toBe(path);
  });

  it('resolves file variables from the env it is given', () => {
    expect(loadOptions(['-c', file('port: $P')], { P: '4321' }).options.port).toBe(4321);
  });
});

describe('loadOptions: flag errors, help and version', () => {
  it('reports flag errors and file errors together', () => {
    expect(errorsOf(['-p', '70000', '--tls', '--routes', 'nats://a:1'])).toEqual([
      '--port must be between -1 and 65535, found 70000',
      'TLS flags need the server certificate: --tlscert <file>',
      'TLS flags need the server private key: --tlskey <file>',
      'solicited routes require cluster capabilities, e.g. --cluster',
    ]);
    expect(errorsOf(['--cluster', 'nats://u@h:1'])).toEqual(['--cluster: expected cluster password to be set']);
    expect(errorsOf(['--cluster', 'h:6222'])).toEqual(['--cluster: expected a URL such as nats://0.0.0.0:6222, found "h:6222"']);
    expect(errorsOf(['--tlscert', '/nonexistent.pem', '--tlskey', keyFile])).toEqual(['cannot read --tlscert "/nonexistent.pem": ENOENT']);
    expect(errorsOf(['-t'])).toEqual(['must specify [-c, --config] option to check configuration file syntax']);
    expect(errorsOf(['-c', join(dir, 'missing.conf')])[0]).toMatch(/^cannot read configuration file ".*missing\.conf": ENOENT/);
  });

  it('reports --user conflicting with users from the file', () => {
    const path = file('authorization { users: [ {user: a, password: b} ] }');
    expect(errorsOf(['-c', path, '--user', 'x'])).toEqual([`${path}:1:1: cannot have a single user/password and a users list (in authorization or accounts)`]);
  });

  it('returns help and version without reading the configuration', () => {
    const missing = join(dir, 'missing.conf');
    expect(loadOptions(['-h', '-c', missing], {}).help).toBe(USAGE);
    expect(loadOptions(['help'], {}).help).toBe(USAGE);
    expect(loadOptions(['--help_tls'], {}).help).toBe(TLS_USAGE);
    const version = loadOptions(['-c', missing, '--version'], {});
    expect(version.version).toBe(true);
    expect(version.options.port).toBe(4222);
  });

  it('lets flag errors win over help', () => {
    expect(errorsOf(['-h', '--bogus'])).toEqual(['unknown flag --bogus (see --help)']);
  });

  it('marks -t, and passes flag warnings on', () => {
    const result = loadOptions(['-t', '-c', file('port: 1'), '--syslog'], {});
    expect(result.checkConfig).toBe(true);
    expect(result.warnings).toEqual(['--syslog is not supported yet, ignored']);
  });

  it('describes every supported flag in the help text', () => {
    for (const flag of ['--port', '--addr', '--net', '--name', '--server_name', '--pid', '--http_port', '--config', '--client_advertise', '--ports_file_dir', '--log', '--logtime', '--debug', '--trace', '-DV', '-VV', '--jetstream', '--store_dir', '--user', '--pass', '--auth', '--tls', '--tlscert', '--tlskey', '--tlsverify', '--tlscacert', '--routes', '--cluster', '--cluster_name', '--no_advertise', '--cluster_advertise', '--connect_retries', '--help', '--version']) {
      expect(USAGE).toContain(flag);
    }
  });
});
