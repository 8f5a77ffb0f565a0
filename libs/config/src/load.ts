import { resolve } from 'node:path';
import { applyFlags } from './apply-flags.js';
import { parseConfigFile } from './conf-parser.js';
import { newDraft, type Draft } from './draft.js';
import { Diagnostics } from './entry-reader.js';
import { ConfigError } from './errors.js';
import { applyConfigFile } from './file-options.js';
import { finalizeOptions } from './finalize.js';
import { parseFlags } from './flags.js';
import type { ServerOptions } from './options.js';
import { TLS_USAGE, USAGE } from './usage.js';

export interface LoadResult {
  options: Readonly<ServerOptions>;
  /** Each names `file:line:col` when it comes from the file. */
  warnings: string[];
  /** Set for `-h/--help` (or `help`) and `--help_tls`: print it and exit; options are defaults. */
  help?: string;
  /** Set for `-v/--version` (or `version`): print the version and exit; options are defaults. */
  version?: boolean;
  /** Set for `-t`: the configuration is valid; report it and exit. */
  checkConfig?: boolean;
}

/**
 * Options from the command line (`process.argv.slice(2)`) and the configuration file it
 * names, flags overriding the file. Throws a `ConfigError` listing every error found. To
 * reload on SIGHUP with the same flag overrides, call it again with the same arguments.
 */
export function loadOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadResult {
  const flags = parseFlags(argv);
  const d = new Diagnostics();
  d.errors.push(...flags.errors);
  d.warnings.push(...flags.warnings);
  const f = flags.values;
  if (d.errors.length === 0 && (f.help || f.helpTls || f.version)) {
    const defaults = newDraft();
    finalizeOptions(defaults, new Diagnostics());
    const options = deepFreeze(defaults.options);
    if (f.help) return { options, warnings: d.warnings, help: USAGE };
    if (f.helpTls) return { options, warnings: d.warnings, help: TLS_USAGE };
    return { options, warnings: d.warnings, version: true };
  }
  const draft = newDraft();
  if (f.configFile !== undefined) {
    readFileInto(resolve(f.configFile), draft, d, env);
  } else if (f.checkConfig) {
    d.error(undefined, 'must specify [-c, --config] option to check configuration file syntax');
  }
  applyFlags(f, draft, d);
  return finish(draft, d, f.checkConfig === true);
}

/** Options from a configuration file alone (defaults for everything it does not set). */
export function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): { options: Readonly<ServerOptions>; warnings: string[] } {
  const draft = newDraft();
  const d = new Diagnostics();
  readFileInto(resolve(path), draft, d, env);
  const { options, warnings } = finish(draft, d, false);
  return { options, warnings };
}

function readFileInto(configFile: string, draft: Draft, d: Diagnostics, env: NodeJS.ProcessEnv): void {
  draft.options.configFile = configFile;
  try {
    applyConfigFile(parseConfigFile(configFile, { env }), draft, d);
  } catch (err) {
    // A syntax error stops parsing: the file cannot be read past it.
    if (!(err instanceof ConfigError)) throw err;
    d.errors.push(...err.errors);
  }
}

function finish(draft: Draft, d: Diagnostics, checkConfig: boolean): LoadResult {
  finalizeOptions(draft, d);
  if (d.errors.length > 0) throw new ConfigError(d.errors);
  const result: LoadResult = { options: deepFreeze(draft.options), warnings: d.warnings };
  if (checkConfig) result.checkConfig = true;
  return result;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
