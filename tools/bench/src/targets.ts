/** The servers the bench compares; the first is the reference the ratio is taken against. */
export const TARGET_NAMES = ['nats-server', 'nats-ts'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
