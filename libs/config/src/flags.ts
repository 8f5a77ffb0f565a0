/**
 * nats-server's command line, parsed with Go's `flag` package rules: one or two dashes,
 * `-p 4222` or `-p=4222`, booleans take a value only after `=`, parsing stops at the first
 * argument that is not a flag (or after `--`). Only flags actually given are set.
 */

export interface FlagValues {
  configFile?: string;
  checkConfig?: boolean;
  port?: number;
  host?: string;
  serverName?: string;
  httpPort?: number;
  clientAdvertise?: string;
  portsFileDir?: string;
  pidFile?: string;
  logFile?: string;
  debug?: boolean;
  trace?: boolean;
  traceVerbose?: boolean;
  logtime?: boolean;
  user?: string;
  password?: string;
  token?: string;
  jetstream?: boolean;
  storeDir?: string;
  tls?: boolean;
  tlsVerify?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCaCert?: string;
  clusterListen?: string;
  clusterName?: string;
  clusterAdvertise?: string;
  routes?: string;
  noAdvertise?: boolean;
  connectRetries?: number;
  help?: boolean;
  helpTls?: boolean;
  version?: boolean;
}

export interface ParsedFlags {
  values: FlagValues;
  errors: string[];
  warnings: string[];
}

type FlagSpec =
  | { kind: 'bool'; set: (v: FlagValues, value: boolean) => void }
  | { kind: 'string'; set: (v: FlagValues, value: string) => void }
  | { kind: 'int'; set: (v: FlagValues, value: number) => void }
  /** Recognised, not implemented: `refuse` makes it an error, otherwise a warning. */
  | { kind: 'unsupported'; takesValue: boolean; refuse?: string };

const FLAGS = new Map<string, FlagSpec>();

function define(names: string[], spec: FlagSpec): void {
  for (const name of names) FLAGS.set(name, spec);
}

define(['h', 'help'], { kind: 'bool', set: (v, b) => (v.help = b) });
define(['help_tls'], { kind: 'bool', set: (v, b) => (v.helpTls = b) });
define(['v', 'version'], { kind: 'bool', set: (v, b) => (v.version = b) });
define(['c', 'config'], { kind: 'string', set: (v, s) => (v.configFile = s) });
define(['t'], { kind: 'bool', set: (v, b) => (v.checkConfig = b) });
define(['p', 'port'], { kind: 'int', set: (v, n) => (v.port = n) });
define(['a', 'addr', 'net'], { kind: 'string', set: (v, s) => (v.host = s) });
define(['n', 'name', 'server_name'], { kind: 'string', set: (v, s) => (v.serverName = s) });
define(['m', 'http_port'], { kind: 'int', set: (v, n) => (v.httpPort = n) });
define(['client_advertise'], { kind: 'string', set: (v, s) => (v.clientAdvertise = s) });
define(['ports_file_dir'], { kind: 'string', set: (v, s) => (v.portsFileDir = s) });
define(['P', 'pid'], { kind: 'string', set: (v, s) => (v.pidFile = s) });
define(['l', 'log'], { kind: 'string', set: (v, s) => (v.logFile = s) });
define(['D', 'debug'], { kind: 'bool', set: (v, b) => (v.debug = b) });
define(['V', 'trace'], { kind: 'bool', set: (v, b) => (v.trace = b) });
define(['VV'], { kind: 'bool', set: (v, b) => (v.trace = v.traceVerbose = b) });
define(['DV'], { kind: 'bool', set: (v, b) => (v.debug = v.trace = b) });
define(['DVV'], { kind: 'bool', set: (v, b) => (v.debug = v.trace = v.traceVerbose = b) });
define(['T', 'logtime'], { kind: 'bool', set: (v, b) => (v.logtime = b) });
define(['user'], { kind: 'string', set: (v, s) => (v.user = s) });
define(['pass'], { kind: 'string', set: (v, s) => (v.password = s) });
define(['auth'], { kind: 'string', set: (v, s) => (v.token = s) });
define(['js', 'jetstream'], { kind: 'bool', set: (v, b) => (v.jetstream = b) });
define(['sd', 'store_dir'], { kind: 'string', set: (v, s) => (v.storeDir = s) });
define(['tls'], { kind: 'bool', set: (v, b) => (v.tls = b) });
define(['tlsverify'], { kind: 'bool', set: (v, b) => (v.tlsVerify = b) });
define(['tlscert'], { kind: 'string', set: (v, s) => (v.tlsCert = s) });
define(['tlskey'], { kind: 'string', set: (v, s) => (v.tlsKey = s) });
define(['tlscacert'], { kind: 'string', set: (v, s) => (v.tlsCaCert = s) });
define(['cluster', 'cluster_listen'], { kind: 'string', set: (v, s) => (v.clusterListen = s) });
define(['cluster_name'], { kind: 'string', set: (v, s) => (v.clusterName = s) });
define(['cluster_advertise'], { kind: 'string', set: (v, s) => (v.clusterAdvertise = s) });
define(['routes'], { kind: 'string', set: (v, s) => (v.routes = s) });
define(['no_advertise'], { kind: 'bool', set: (v, b) => (v.noAdvertise = b) });
define(['connect_retries'], { kind: 'int', set: (v, n) => (v.connectRetries = n) });
define(['ms', 'https_port'], { kind: 'unsupported', takesValue: true, refuse: 'monitoring over HTTPS is not supported' });
define(['sl', 'signal'], {
  kind: 'unsupported',
  takesValue: true,
  refuse: 'signalling a running server is not supported; send the signal with kill (HUP reloads, TERM stops)',
});
define(['s', 'syslog'], { kind: 'unsupported', takesValue: false });
define(['r', 'remote_syslog'], { kind: 'unsupported', takesValue: true });
define(['log_size_limit'], { kind: 'unsupported', takesValue: true });
define(['max_traced_msg_len'], { kind: 'unsupported', takesValue: true });
define(['profile'], { kind: 'unsupported', takesValue: true });

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const INTEGER = /^[+-]?\d+$/;

export function parseFlags(argv: readonly string[]): ParsedFlags {
  const result: ParsedFlags = { values: {}, errors: [], warnings: [] };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.length < 2 || !arg.startsWith('-')) break;
    i++;
    const body = arg.slice(arg.startsWith('--') ? 2 : 1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) {
      result.errors.push(`bad flag syntax: ${arg}`);
      continue;
    }
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    let value = eq < 0 ? undefined : body.slice(eq + 1);
    const spec = FLAGS.get(name);
    const shown = eq < 0 ? arg : arg.slice(0, arg.indexOf('='));
    if (spec === undefined) {
      result.errors.push(`unknown flag ${shown} (see --help)`);
      // Most likely followed by its value: do not mistake that value for a command.
      if (value === undefined && i < argv.length && !argv[i]!.startsWith('-')) i++;
      continue;
    }
    if (spec.kind === 'bool' || (spec.kind === 'unsupported' && !spec.takesValue)) {
      const flag = value === undefined ? true : goBool(value);
      if (flag === undefined) result.errors.push(`invalid boolean value "${value}" for flag ${shown}`);
      else if (spec.kind === 'bool') spec.set(result.values, flag);
      else unsupported(shown, spec.refuse, result);
      continue;
    }
    if (value === undefined) {
      if (i >= argv.length) {
        result.errors.push(`flag needs an argument: ${shown}`);
        continue;
      }
      value = argv[i++]!;
    }
    if (spec.kind === 'string') {
      spec.set(result.values, value);
    } else if (spec.kind === 'unsupported') {
      unsupported(shown, spec.refuse, result);
    } else if (!INTEGER.test(value)) {
      result.errors.push(`invalid value "${value}" for flag ${shown}: expected an integer`);
    } else {
      spec.set(result.values, Number(value));
    }
  }
  for (const command of argv.slice(i)) {
    if (command === 'version') result.values.version = true;
    else if (command === 'help') result.values.help = true;
    else result.errors.push(`unrecognized command: "${command}"`);
  }
  return result;
}

function goBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return undefined;
}

function unsupported(flag: string, refusal: string | undefined, result: ParsedFlags): void {
  if (refusal !== undefined) result.errors.push(`${flag}: ${refusal}`);
  else result.warnings.push(`${flag} is not supported yet, ignored`);
}
