export * from './options.js';
export type { LeafnodesConfig, LeafRemoteConfig } from './leafnode-options.js';
export { ConfigError } from './errors.js';
export { loadOptions, loadConfigFile } from './load.js';
export { USAGE } from './usage.js';
export { parseDuration } from './duration.js';
export { accountJwtJetStream, knownAccountNames } from './operator-options.js';
export { AccountDirectory } from './account-directory.js';
export { sharingOptionsOf, trustWithAccountJwts } from './jwt-sharing.js';
