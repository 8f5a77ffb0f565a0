import { InProcessBus, type BusTransport } from '@nats-ts/bus';
import { ConfigError, loadOptions, type ServerOptions, sharingOptionsOf } from '@nats-ts/config';
import { joinHostPort, Logger, MonitoringServer, PROMETHEUS_CONTENT_TYPE, renderPrometheusText, Tracing } from '@nats-ts/observability';
import { mergeEndpoints } from './merge-endpoints.js';
import { nodeBus } from './node-bus.js';
import { nodeMetrics } from './node-metrics.js';
import type { EndpointSpec, RoleFactory, RunningRole } from './role.js';
import { removeQuietly, urlsFor, writePidFile, writePortsFile, type PortsReport } from './run-files.js';
import { generateServerId } from './server-id.js';
import { COMPAT_VERSION, PRODUCT_VERSION } from './version.js';
import type { WebsocketListener } from './websocket-listener.js';
import { WebsocketRoutes } from './websocket-routes.js';

export interface RunNodeOptions {
  argv: string[];
  roles: RoleFactory[];
  /**
   * Defaults to the in-process bus (every role of this process meets on it without encoding), or
   * the TCP bus when the configuration has a `bus {}` block.
   */
  bus?: BusTransport;
}

/**
 * Runs one node: parses flags and the config file, starts each role, serves the websocket
 * paths the roles registered and monitoring, writes the pid and ports files, and handles nats-server's signals (HUP reload, USR2 lame
 * duck, TERM/INT/QUIT stop). Returns the process exit code when the node stops.
 */
export async function runNode(run: RunNodeOptions): Promise<number> {
  let options: Readonly<ServerOptions>;
  let warnings: string[];
  try {
    const loaded = loadOptions(run.argv, process.env);
    if (loaded.help !== undefined) {
      process.stdout.write(loaded.help);
      return 0;
    }
    if (loaded.version) {
      process.stdout.write(`nats-ts-server: v${PRODUCT_VERSION} (nats-server v${COMPAT_VERSION} compatible)\n`);
      return 0;
    }
    options = loaded.options;
    warnings = loaded.warnings;
    if (loaded.checkConfig) {
      // As nats-server -t: a file that only draws warnings is still not clean.
      for (const w of warnings) process.stderr.write(`nats-ts-server: ${w}\n`);
      if (warnings.length > 0) return 1;
      const sharingProblem = await checkSharing(options);
      if (sharingProblem !== undefined) {
        process.stderr.write(`nats-ts-server: ${sharingProblem}\n`);
        return 1;
      }
      process.stderr.write(`nats-ts-server: configuration file ${options.configFile ?? ''} is valid\n`);
      return 0;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.errors) process.stderr.write(`nats-ts-server: ${line}\n`);
      return 1;
    }
    throw err;
  }

  const logger = new Logger(loggerOptions(options));
  for (const w of warnings) logger.warn(w);
  const serverId = generateServerId();
  const tracing = Tracing.fromEnv(process.env, { serviceName: 'nats-ts', serviceVersion: PRODUCT_VERSION, serviceInstanceId: serverId }, logger);
  const bus = await nodeBus(options, logger, tracing, run.bus);
  logger.info(`Starting nats-ts-server`);
  logger.info(`  Version:  ${PRODUCT_VERSION} (nats-server ${COMPAT_VERSION} compatible)`);
  logger.info(`  ID:       ${serverId}`);
  if (options.configFile) logger.info(`Using configuration file: ${options.configFile}`);

  let monitoring: MonitoringServer | undefined;
  let monitoringAddress: { host: string; port: number } | undefined;
  const roles: RunningRole[] = [];
  const configLoadTime = new Date();
  const websocketRoutes = new WebsocketRoutes();
  let websocket: WebsocketListener | undefined;
  let websocketAddress: { host: string; port: number } | undefined;
  let busUrls: string[] | undefined;
  let endpoints: ReadonlyMap<string, EndpointSpec> = new Map();
  try {
    busUrls = await bus.start();
    for (const factory of run.roles) {
      roles.push(
        await factory({
          options,
          logger,
          bus: bus.transport,
          serverId,
          compatVersion: COMPAT_VERSION,
          productVersion: PRODUCT_VERSION,
          monitoringAddress: () => monitoringAddress,
          httpRequestCounts: () => monitoring?.requestCounts() ?? {},
          configLoadTime,
          websocketRoutes,
          tracing,
          monitoringEndpoints: () => endpoints,
          reloadRoles: (change) => {
            options = change(options);
            for (const role of roles) role.reload(options);
          },
        }),
      );
    }
    endpoints = mergeEndpoints(roles);
    for (const role of roles) role.serve?.();
    // Opened by whichever process runs a role serving it: the client role, or leaf-proxy on its own (`/leafnode`).
    if (options.websocket && websocketRoutes.servesAnything()) {
      // Loaded only where a websocket listener opens (ws costs several MiB).
      const { WebsocketListener } = await import('./websocket-listener.js');
      websocket = new WebsocketListener(options.websocket, logger, websocketRoutes);
      websocketAddress = await websocket.start();
      logger.info(`Listening for websocket clients on ${options.websocket.tls ? 'wss' : 'ws'}://${joinHostPort(websocketAddress.host, websocketAddress.port)}`);
    }
    if (options.httpPort !== 0) {
      monitoring = new MonitoringServer({ host: options.httpHost, port: options.httpPort, basePath: options.httpBasePath, logger });
      for (const [path, endpoint] of endpoints) {
        monitoring.addJsonEndpoint(path, endpoint.handler, { compact: endpoint.compact });
      }
      for (const [path, endpoint] of Object.entries(bus.endpoints())) monitoring.addJsonEndpoint(path, endpoint.handler);
      // Computed from the roles' /varz at each scrape: nothing extra is counted on the message path.
      const varz = endpoints.get('/varz')?.handler;
      monitoring.addTextEndpoint('/metrics', async () => renderPrometheusText(nodeMetrics(varz ? await varz({}) : {}, bus.peers())), {
        contentType: PROMETHEUS_CONTENT_TYPE,
      });
      monitoringAddress = await monitoring.start();
    }
  } catch (err) {
    logger.error(`Error starting server: ${(err as Error).message}`);
    for (const role of roles) await role.shutdown();
    await websocket?.close();
    await monitoring?.close();
    await bus.close();
    await tracing.shutdown();
    return 1;
  }

  const ports: PortsReport = {};
  for (const role of roles) Object.assign(ports, role.ports);
  if (websocketAddress) ports.websocket = urlsFor(options.websocket?.tls ? 'wss' : 'ws', websocketAddress.host, websocketAddress.port);
  if (monitoringAddress) ports.monitoring = urlsFor('http', options.httpHost, monitoringAddress.port);
  if (busUrls) ports.bus = busUrls;
  let portsFile: string | undefined;

  return new Promise<number>((resolve) => {
    // Closing completes once the upgraded connections are gone: the roles close them meanwhile.
    let websocketClosed: Promise<void> | undefined;
    const stopWebsocket = (): Promise<void> => (websocketClosed ??= websocket?.close() ?? Promise.resolve());
    let stopping = false;
    const stop = async (code: number): Promise<void> => {
      if (stopping) return;
      stopping = true;
      logger.info('Server Exiting..');
      const websocketStopped = stopWebsocket();
      // A step that fails is logged and the next one still runs: the files below must go.
      for (const role of roles) await role.shutdown().catch((err: Error) => logger.error(`Stopping ${role.name}: ${err.message}`));
      await websocketStopped.catch((err: Error) => logger.error(`Stopping the websocket listener: ${err.message}`));
      await bus.close().catch((err: Error) => logger.error(`Stopping the bus: ${err.message}`));
      await monitoring?.close().catch((err: Error) => logger.error(`Stopping monitoring: ${err.message}`));
      await tracing.shutdown().catch((err: Error) => logger.warn(`Tracing: ${err.message}`));
      removeQuietly(portsFile);
      removeQuietly(options.pidFile);
      resolve(code);
    };
    let lameDuck = false;
    // As nats-server: SIGINT exits 0, SIGTERM exits 1 and is ignored during lame duck mode.
    // nats-server does not trap SIGQUIT; we stop cleanly on it too, with 0.
    process.on('SIGINT', () => void stop(0));
    process.on('SIGQUIT', () => void stop(0));
    process.on('SIGTERM', () => {
      if (!lameDuck) void stop(1);
    });
    process.on('SIGUSR1', () => logger.configure(loggerOptions(options)));
    process.on('SIGUSR2', () => {
      if (lameDuck) return;
      lameDuck = true;
      // As nats-server: no new connections of any kind during lame duck mode.
      void stopWebsocket();
      void (async () => {
        for (const role of roles) await role.enterLameDuck();
        await stop(0);
      })();
    });
    process.on('SIGHUP', () => {
      try {
        const reloaded = loadOptions(run.argv, process.env);
        for (const w of reloaded.warnings) logger.warn(w);
        options = reloaded.options;
        logger.configure(loggerOptions(options));
        for (const role of roles) role.reload(options);
        logger.info('Reloaded server configuration');
      } catch (err) {
        const detail = err instanceof ConfigError ? err.errors.join('; ') : (err as Error).message;
        logger.error(`Failed to reload server configuration: ${detail}`);
      }
    });
    // Announced only now: whoever reads the ports or pid file may signal us at once.
    if (options.pidFile) writePidFile(options.pidFile);
    portsFile = options.portsFileDir ? writePortsFile(options.portsFileDir, ports) : undefined;
    logger.info('Server is ready');
  });
}

function loggerOptions(o: Readonly<ServerOptions>): { debug: boolean; trace: boolean; logtime: boolean; logFile?: string } {
  return { debug: o.logging.debug, trace: o.logging.trace, logtime: o.logging.logtime, logFile: o.logging.logFile };
}

/**
 * What `-t` cannot judge from the file alone: the accounts' mappings and imports built into an
 * interest router as the roles build them (a destination function nats-server refuses, an
 * import whose subjects cannot be transformed). The problem, naming where it was written.
 */
async function checkSharing(options: Readonly<ServerOptions>): Promise<string | undefined> {
  const endpoint = await new InProcessBus().join(
    { nodeId: 'config-check', role: 'client-gateway', version: PRODUCT_VERSION, routed: true },
    { memberJoined: () => undefined, memberLeft: () => undefined },
  );
  try {
    endpoint.router.configureSharing(sharingOptionsOf(options));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await endpoint.close();
  }
}
