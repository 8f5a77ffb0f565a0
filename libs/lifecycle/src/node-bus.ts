import { InProcessBus, type BusPeerStatus, type BusTransport } from '@nats-ts/bus';
import type { TcpBus } from '@nats-ts/bus/tcp';
import type { BusConfig, ServerOptions } from '@nats-ts/config';
import type { Logger, Tracing } from '@nats-ts/observability';
import type { EndpointSpec } from './role.js';

/** The bus the roles of this process meet on, as the process runner drives it. */
export interface NodeBus {
  readonly transport: BusTransport;
  /** Starts the TCP bus (listen, register, link to the peers found); its URLs for the ports file. */
  start(): Promise<string[] | undefined>;
  /** Monitoring endpoints of the bus (`/busz` for the TCP bus). */
  endpoints(): Record<string, EndpointSpec>;
  /** The TCP bus's peers (for /metrics); undefined on the in-process bus. */
  peers(): BusPeerStatus[] | undefined;
  close(): Promise<void>;
}

/**
 * The in-process bus, unless the configuration has a `bus {}` block: then the TCP bus, with Redis
 * membership when `redis` is set and the static `members` list otherwise (loaded only then: the
 * TCP bus brings protobufjs). A transport given by the caller (tests, embedding) is used as it is.
 */
export async function nodeBus(options: Readonly<ServerOptions>, logger: Logger, tracing: Tracing, given?: BusTransport): Promise<NodeBus> {
  if (given !== undefined || options.bus === undefined) {
    const transport = given ?? new InProcessBus({ logger });
    return { transport, start: () => Promise.resolve(undefined), endpoints: () => ({}), peers: () => undefined, close: () => Promise.resolve() };
  }
  const tcp = await tcpBus(options.bus, logger, tracing);
  return {
    transport: tcp,
    start: async () => [`tcp://${(await tcp.start()).url}`],
    endpoints: () => ({ '/busz': { handler: () => ({ peer_id: tcp.peerId, url: tcp.url, peers: tcp.peerStatus() }) } }),
    peers: () => tcp.peerStatus(),
    close: () => tcp.close(),
  };
}

async function tcpBus(config: Readonly<BusConfig>, logger: Logger, tracing: Tracing): Promise<TcpBus> {
  const { RedisMembership, StaticMembership, TcpBus } = await import('@nats-ts/bus/tcp');
  const membership =
    config.redis !== undefined
      ? new RedisMembership({ url: config.redis, name: config.name, ttlMs: config.redisTtlMs, logger })
      : new StaticMembership(config.members);
  return new TcpBus({
    listen: { host: config.host, port: config.port },
    advertise: config.advertise,
    membership,
    heartbeatMs: config.heartbeatMs,
    memberTimeoutMs: config.memberTimeoutMs,
    logger,
    tracing,
  });
}
