import type { BenchStore } from './jetstream-server.js';

/** Every scenario the bench knows, in the order the table lists them. */
export const SCENARIO_NAMES = [
  'pub',
  'pubsub',
  'routed',
  'bus',
  'gateway',
  'leaf',
  'fanout4',
  'queue4',
  'reqrep',
  'jspub',
  'jspush',
  'jspull',
  'jspub-redis',
  'jspull-redis',
  'kvput',
  'kvget',
  'jsstream',
  'jsmirror',
  'conns',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * Scenarios that run only when `--scenarios` names them: `jsstream` writes and reads back a
 * whole stream per run and target (at the default 1 GiB, minutes on its own); the consumer and
 * KV rows fill a stream or bucket on every server first and drain it at the slower target's
 * pace (together ~12 more minutes at the default 5 runs of 3 s and three sizes); `jsmirror`
 * fills a 100,000-message stream per run and target before it measures anything; the Redis-store
 * rows need redis-server on PATH.
 */
export const OPT_IN_SCENARIO_NAMES: readonly ScenarioName[] = ['jspush', 'jspull', 'jspub-redis', 'jspull-redis', 'kvput', 'kvget', 'jsstream', 'jsmirror'];

/** What runs without `--scenarios`: all but the opt-in ones. */
export const DEFAULT_SCENARIO_NAMES: readonly ScenarioName[] = SCENARIO_NAMES.filter((name) => !OPT_IN_SCENARIO_NAMES.includes(name));

/** Scenarios measured as a message rate, one row per payload size. */
export type RateScenarioName = Exclude<ScenarioName, 'conns' | 'jsstream' | 'jsmirror'>;

/**
 * Rate scenarios that run on one server with JetStream on, in a fresh store directory; the
 * `-redis` ones are jspub and jspull with nats-ts on the Redis store (a redis-server of its own),
 * beside nats-server's file store.
 */
export const JETSTREAM_RATE_SCENARIOS = ['jspub', 'jspush', 'jspull', 'jspub-redis', 'jspull-redis', 'kvput', 'kvget'] as const satisfies readonly RateScenarioName[];
export type JetStreamRateScenarioName = (typeof JETSTREAM_RATE_SCENARIOS)[number];

export function isJetStreamRateScenario(scenario: RateScenarioName): scenario is JetStreamRateScenarioName {
  return (JETSTREAM_RATE_SCENARIOS as readonly string[]).includes(scenario);
}

/** Where nats-ts stores the streams of a JetStream rate scenario. */
export function storeOf(scenario: JetStreamRateScenarioName): BenchStore {
  return scenario === 'jspub-redis' || scenario === 'jspull-redis' ? 'redis' : 'file';
}

export type ThroughputScenarioName = 'pub' | 'pubsub' | 'routed' | 'bus' | 'gateway' | 'leaf' | 'fanout4' | 'queue4';

/**
 * How many subscribers each throughput scenario attaches, whether they form one queue group, and
 * whether it runs on two servers joined by a route (`routed`), on two client-gateway processes
 * of one node joined by the bus (`bus`; nats-server: a route), by gateways between two
 * clusters (`gateway`) or by a leaf connection (`leaf`: the publisher on the leaf, the
 * subscribers on its hub), the publisher on the first server and the subscribers on the second.
 */
export const THROUGHPUT_SHAPES: Record<
  ThroughputScenarioName,
  { subscribers: number; queueGroup: boolean; routed?: boolean; bus?: boolean; gateway?: boolean; leaf?: boolean }
> = {
  pub: { subscribers: 0, queueGroup: false },
  pubsub: { subscribers: 1, queueGroup: false },
  routed: { subscribers: 1, queueGroup: false, routed: true },
  bus: { subscribers: 1, queueGroup: false, bus: true },
  gateway: { subscribers: 1, queueGroup: false, gateway: true },
  leaf: { subscribers: 1, queueGroup: false, leaf: true },
  fanout4: { subscribers: 4, queueGroup: false },
  queue4: { subscribers: 4, queueGroup: true },
};
