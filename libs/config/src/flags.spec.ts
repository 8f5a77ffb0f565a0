import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags.js';

const values = (...argv: string[]) => {
  const parsed = parseFlags(argv);
  expect(parsed.errors).toEqual([]);
  return parsed.values;
};

describe('parseFlags', () => {
  it('accepts -p 4222, -p=4222, --port 4222 and --port=4222', () => {
    for (const argv of [['-p', '4222'], ['-p=4222'], ['--port', '4222'], ['--port=4222'], ['-port', '4222']]) {
      expect(values(...argv)).toEqual({ port: 4222 });
    }
    expect(values('-p', '-1')).toEqual({ port: -1 });
  });

  it('maps every supported flag and its aliases', () => {
    expect(values('-a', 'h1')).toEqual({ host: 'h1' });
    expect(values('--addr', 'h2')).toEqual({ host: 'h2' });
    expect(values('--net', 'h3')).toEqual({ host: 'h3' });
    expect(values('-n', 'a', '--name', 'b', '--server_name', 'c')).toEqual({ serverName: 'c' });
    expect(values('-m', '8222')).toEqual({ httpPort: 8222 });
    expect(values('--http_port', '8223')).toEqual({ httpPort: 8223 });
    expect(values('-c', 'x.conf')).toEqual({ configFile: 'x.conf' });
    expect(values('--config', 'y.conf', '-t')).toEqual({ configFile: 'y.conf', checkConfig: true });
    expect(values('-l', 'a.log')).toEqual({ logFile: 'a.log' });
    expect(values('--log', 'b.log')).toEqual({ logFile: 'b.log' });
    expect(values('-P', 'a.pid')).toEqual({ pidFile: 'a.pid' });
    expect(values('--pid', 'b.pid')).toEqual({ pidFile: 'b.pid' });
    expect(values('--ports_file_dir', '/tmp')).toEqual({ portsFileDir: '/tmp' });
    expect(values('--client_advertise', 'h:1')).toEqual({ clientAdvertise: 'h:1' });
    expect(values('--user', 'u', '--pass', 'p', '--auth', 't')).toEqual({ user: 'u', password: 'p', token: 't' });
    expect(values('-js', '-sd', '/data')).toEqual({ jetstream: true, storeDir: '/data' });
    expect(values('--jetstream', '--store_dir=/d')).toEqual({ jetstream: true, storeDir: '/d' });
    expect(values('--cluster', 'nats://0.0.0.0:6222', '--cluster_name', 'c', '--routes', 'nats://a:1,nats://b:2')).toEqual({
      clusterListen: 'nats://0.0.0.0:6222',
      clusterName: 'c',
      routes: 'nats://a:1,nats://b:2',
    });
    expect(values('--cluster_listen', 'nats://x:1', '--cluster_advertise', 'y:2', '--no_advertise', '--connect_retries', '3')).toEqual({
      clusterListen: 'nats://x:1',
      clusterAdvertise: 'y:2',
      noAdvertise: true,
      connectRetries: 3,
    });
    expect(values('--tls', '--tlscert', 'c', '--tlskey', 'k', '--tlscacert', 'ca', '--tlsverify')).toEqual({
      tls: true,
      tlsCert: 'c',
      tlsKey: 'k',
      tlsCaCert: 'ca',
      tlsVerify: true,
    });
  });

  it('handles the logging booleans and their combinations', () => {
    expect(values('-D')).toEqual({ debug: true });
    expect(values('--debug', '-V')).toEqual({ debug: true, trace: true });
    expect(values('--trace')).toEqual({ trace: true });
    expect(values('-DV')).toEqual({ debug: true, trace: true });
    expect(values('-DV=false')).toEqual({ debug: false, trace: false });
    expect(values('-VV')).toEqual({ trace: true, traceVerbose: true });
    expect(values('-DVV')).toEqual({ debug: true, trace: true, traceVerbose: true });
    expect(values('-T=false')).toEqual({ logtime: false });
    expect(values('--logtime=0')).toEqual({ logtime: false });
    expect(values('-T')).toEqual({ logtime: true });
  });

  it('takes a boolean value only after =, so a following word is a command', () => {
    expect(parseFlags(['-D', 'false']).errors).toEqual(['unrecognized command: "false"']);
    expect(parseFlags(['-D=maybe']).errors).toEqual(['invalid boolean value "maybe" for flag -D']);
  });

  it('takes the next argument as a value even when it starts with a dash', () => {
    expect(values('--user', '-weird-')).toEqual({ user: '-weird-' });
  });

  it('stops at the first argument that is not a flag, and after --', () => {
    expect(parseFlags(['-p', '1', 'extra', '-D']).errors).toEqual(['unrecognized command: "extra"', 'unrecognized command: "-D"']);
    expect(parseFlags(['--', '-D']).errors).toEqual(['unrecognized command: "-D"']);
  });

  it('understands the help and version commands and flags', () => {
    expect(values('-h')).toEqual({ help: true });
    expect(values('--help')).toEqual({ help: true });
    expect(values('help')).toEqual({ help: true });
    expect(values('--help_tls')).toEqual({ helpTls: true });
    expect(values('-v')).toEqual({ version: true });
    expect(values('--version')).toEqual({ version: true });
    expect(values('version')).toEqual({ version: true });
  });

  it('names unknown flags, missing arguments and bad integers, collecting all of them', () => {
    const parsed = parseFlags(['--bogus', 'value', '-x=1', '-p', 'abc', '---p', '--routes']);
    expect(parsed.errors).toEqual([
      'unknown flag --bogus (see --help)',
      'unknown flag -x (see --help)',
      'invalid value "abc" for flag -p: expected an integer',
      'bad flag syntax: ---p',
      'flag needs an argument: --routes',
    ]);
  });

  it('refuses --https_port and --signal, and warns about flags that are not implemented', () => {
    expect(parseFlags(['-ms', '8443']).errors).toEqual(['-ms: monitoring over HTTPS is not supported']);
    expect(parseFlags(['--https_port=8443']).errors).toEqual(['--https_port: monitoring over HTTPS is not supported']);
    expect(parseFlags(['--signal', 'reload']).errors[0]).toMatch(/^--signal: signalling a running server is not supported/);
    const parsed = parseFlags(['-s', '-r', 'udp://x:514', '--log_size_limit', '100', '--max_traced_msg_len', '10', '--profile', '6060']);
    expect(parsed.errors).toEqual([]);
    expect(parsed.warnings).toEqual([
      '-s is not supported yet, ignored',
      '-r is not supported yet, ignored',
      '--log_size_limit is not supported yet, ignored',
      '--max_traced_msg_len is not supported yet, ignored',
      '--profile is not supported yet, ignored',
    ]);
  });
});
