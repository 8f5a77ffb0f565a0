import { emptyCluster, isRouteUrl } from './cluster-options.js';
import type { Draft } from './draft.js';
import type { Diagnostics } from './entry-reader.js';
import type { FlagValues } from './flags.js';
import { DEFAULTS, type ClusterConfig } from './options.js';
import { checkReadable } from './tls-options.js';

/**
 * Flags given on the command line override the file, key by key (nats-server parses its
 * flags again after reading the file, so even `-T=false` wins over `logtime: true`).
 */
export function applyFlags(f: FlagValues, draft: Draft, d: Diagnostics): void {
  const o = draft.options;
  if (f.port !== undefined) o.port = flagPort('--port', f.port, d) ?? o.port;
  if (f.host !== undefined) o.host = f.host;
  if (f.serverName !== undefined) o.serverName = f.serverName;
  if (f.httpPort !== undefined) o.httpPort = flagPort('--http_port', f.httpPort, d) ?? o.httpPort;
  if (f.clientAdvertise !== undefined) o.clientAdvertise = f.clientAdvertise;
  if (f.portsFileDir !== undefined) o.portsFileDir = f.portsFileDir;
  if (f.pidFile !== undefined) o.pidFile = f.pidFile;
  if (f.logFile !== undefined) o.logging.logFile = f.logFile;
  if (f.debug !== undefined) o.logging.debug = f.debug;
  if (f.trace !== undefined) o.logging.trace = f.trace;
  if (f.traceVerbose !== undefined) o.logging.traceVerbose = f.traceVerbose;
  if (f.logtime !== undefined) o.logging.logtime = f.logtime;
  if (f.user !== undefined) o.auth.user = f.user;
  if (f.password !== undefined) o.auth.password = f.password;
  if (f.token !== undefined) o.auth.token = f.token;
  if (f.jetstream !== undefined) o.jetstream.enabled = f.jetstream;
  if (f.storeDir !== undefined) o.jetstream.storeDir = f.storeDir;
  applyTlsFlags(f, draft, d);
  applyClusterFlags(f, draft, d);
}

function flagPort(flag: string, port: number, d: Diagnostics): number | undefined {
  if (port >= -1 && port <= 65535) return port;
  d.error(undefined, `${flag} must be between -1 and 65535, found ${port}`);
  return undefined;
}

/** Any `--tls*` flag replaces the file's tls block; `--tls=false` removes it. */
function applyTlsFlags(f: FlagValues, draft: Draft, d: Diagnostics): void {
  if (f.tls === false) {
    delete draft.options.tls;
    return;
  }
  const given = f.tls !== undefined || f.tlsVerify !== undefined || f.tlsCert !== undefined || f.tlsKey !== undefined || f.tlsCaCert !== undefined;
  if (!given) return;
  const errorsBefore = d.errors.length;
  if (f.tlsCert === undefined) d.error(undefined, 'TLS flags need the server certificate: --tlscert <file>');
  else checkReadable('--tlscert', f.tlsCert, undefined, d);
  if (f.tlsKey === undefined) d.error(undefined, 'TLS flags need the server private key: --tlskey <file>');
  else checkReadable('--tlskey', f.tlsKey, undefined, d);
  if (f.tlsCaCert !== undefined) checkReadable('--tlscacert', f.tlsCaCert, undefined, d);
  if (d.errors.length !== errorsBefore) return;
  draft.options.tls = {
    certFile: f.tlsCert,
    keyFile: f.tlsKey,
    ...(f.tlsCaCert === undefined ? {} : { caFile: f.tlsCaCert }),
    verify: f.tlsVerify ?? false,
    timeoutMs: draft.options.tls?.timeoutMs ?? DEFAULTS.tlsTimeoutMs,
    insecure: false,
  };
}

function applyClusterFlags(f: FlagValues, draft: Draft, d: Diagnostics): void {
  const given =
    f.clusterListen !== undefined ||
    f.clusterName !== undefined ||
    f.clusterAdvertise !== undefined ||
    f.noAdvertise !== undefined ||
    f.connectRetries !== undefined ||
    f.routes !== undefined;
  if (!given) return;
  const cluster = draft.options.cluster ?? emptyCluster();
  draft.options.cluster = cluster;
  if (f.clusterListen !== undefined) overrideClusterListen(f.clusterListen, cluster, d);
  if (f.clusterName !== undefined) cluster.name = f.clusterName;
  if (f.clusterAdvertise !== undefined) cluster.advertise = f.clusterAdvertise;
  if (f.noAdvertise !== undefined) {
    cluster.noAdvertise = f.noAdvertise;
    draft.options.noAdvertise = f.noAdvertise;
  }
  if (f.connectRetries !== undefined) {
    if (f.connectRetries < 0) d.error(undefined, `--connect_retries must not be negative, found ${f.connectRetries}`);
    else cluster.connectRetries = f.connectRetries;
  }
  if (f.routes !== undefined) {
    const routes = f.routes.split(',').map((r) => r.trim()).filter((r) => r !== '');
    for (const route of routes) if (!isRouteUrl(route)) d.error(undefined, `--routes: error parsing route url "${route}"`);
    cluster.routes = routes;
    if (routes.length > 0 && cluster.port === 0 && cluster.host === '') {
      d.error(undefined, 'solicited routes require cluster capabilities, e.g. --cluster');
    }
  }
}

/** `--cluster nats://[user:pass@]host:port`; `:-1` picks a free port; "" turns clustering off. */
function overrideClusterListen(text: string, cluster: ClusterConfig, d: Diagnostics): void {
  if (text === '') {
    cluster.port = 0;
    return;
  }
  const randomPort = text.endsWith(':-1');
  const urlText = randomPort ? `${text.slice(0, -3)}:0` : text;
  const url = URL.canParse(urlText) ? new URL(urlText) : undefined;
  if (url === undefined || url.port === '') {
    d.error(undefined, `--cluster: expected a URL such as nats://0.0.0.0:6222, found "${text}"`);
    return;
  }
  cluster.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  cluster.port = randomPort ? -1 : Number(url.port);
  if (url.username === '' && url.password === '') {
    delete cluster.user;
    delete cluster.password;
  } else if (url.password === '') {
    d.error(undefined, '--cluster: expected cluster password to be set');
  } else {
    cluster.user = decodeURIComponent(url.username);
    cluster.password = decodeURIComponent(url.password);
  }
}
