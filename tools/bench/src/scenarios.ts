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
  'jsstream',
  'conns',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * What runs without `--scenarios`: all but `jsstream`, which writes and reads back a whole
 * stream per run and target (at the default 1 GiB, minutes on its own).
 */
export const DEFAULT_SCENARIO_NAMES: readonly ScenarioName[] = SCENARIO_NAMES.filter((name) => name !== 'jsstream');

/** Scenarios measured as a message rate, one row per payload size. */
export type RateScenarioName = Exclude<ScenarioName, 'conns' | 'jsstream'>;

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
