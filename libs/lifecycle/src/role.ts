import type { BusTransport } from '@nats-ts/bus';
import type { ServerOptions } from '@nats-ts/config';
import type { Logger, Tracing } from '@nats-ts/observability';
import type { PortsReport } from './run-files.js';
import type { WebsocketRoutes } from './websocket-routes.js';

/** What every role of a node is given when it starts. */
export interface RoleContext {
  options: Readonly<ServerOptions>;
  logger: Logger;
  bus: BusTransport;
  serverId: string;
  compatVersion: string;
  productVersion: string;
  /** Bound monitoring address once monitoring is up (for /varz); monitoring starts after the roles. */
  monitoringAddress(): { host: string; port: number } | undefined;
  /** Requests served per monitoring path (for /varz http_req_stats). */
  httpRequestCounts(): Record<string, number>;
  configLoadTime: Date;
  /** What the roles of this process serve on the node's websocket listener (clients, /leafnode). */
  websocketRoutes: WebsocketRoutes;
  /** Message tracing of this process (`tracing.enabled` false when off). */
  tracing: Tracing;
  /**
   * The monitoring endpoints of every role of this process, merged by path (what its HTTP port
   * serves), once all roles have started; empty before. The system account's requests use them.
   */
  monitoringEndpoints(): ReadonlyMap<string, EndpointSpec>;
  /**
   * Applies changed options to every role of this process as a SIGHUP does, without re-reading
   * the file: how one role shares what it changed at run time (the full resolver storing a
   * pushed account JWT). `change` gets the options in force and returns the new ones.
   */
  reloadRoles(change: (current: Readonly<ServerOptions>) => Readonly<ServerOptions>): void;
}

/** What a role's logic needs of its node: a RoleContext provides it; tests build it by hand. */
export type RoleSetup = Pick<RoleContext, 'options' | 'logger' | 'bus' | 'serverId' | 'compatVersion' | 'productVersion'> & {
  /** Message tracing (default: off). */
  tracing?: Tracing;
};

export type JsonEndpoint = (query: Record<string, string>) => unknown;

/** An endpoint with its rendering: nats-server writes /healthz compact, the others indented. */
export interface EndpointSpec {
  handler: JsonEndpoint;
  compact?: boolean;
}

/** A started role service (client-gateway, route-mesh, ...), as the process runner drives it. */
export interface RunningRole {
  readonly name: string;
  /** Listener URLs for the ports file. */
  readonly ports: PortsReport;
  /** Monitoring endpoints this role serves (path → JSON document). */
  endpoints(): Record<string, JsonEndpoint | EndpointSpec>;
  /** Every role of the process has started: serve the connections held until now (clients find JetStream up). */
  serve?(): void;
  reload(options: Readonly<ServerOptions>): void;
  enterLameDuck(): Promise<void>;
  shutdown(): Promise<void>;
}

export type RoleFactory = (ctx: RoleContext) => Promise<RunningRole>;
