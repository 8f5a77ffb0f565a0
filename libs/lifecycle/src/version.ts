import { createRequire } from 'node:module';

/** Our own release, from the root package.json. */
export const PRODUCT_VERSION: string = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

/**
 * The nats-server release whose protocols and behaviour we implement. Clients enable
 * features by the INFO `version` they see, so INFO carries this, not our own release.
 */
export const COMPAT_VERSION = '2.9.10';
