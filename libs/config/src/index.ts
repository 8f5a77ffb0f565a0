export * from './options.js';
export type { LeafnodesConfig, LeafnodeUser, LeafRemoteConfig } from './leafnode-options.js';
export { ConfigError, formatPos, type SourcePos } from './errors.js';
export { loadOptions, loadConfigFile, type LoadResult } from './load.js';
export { parseFlags, type FlagValues, type ParsedFlags } from './flags.js';
export { USAGE, TLS_USAGE } from './usage.js';
export { parseConfigFile, parseConfigText, type ParseOptions } from './conf-parser.js';
export {
  plainValue,
  describeNode,
  type ConfigNode,
  type ConfigEntry,
  type MapNode,
  type ArrayNode,
  type StringNode,
  type IntegerNode,
  type FloatNode,
  type BoolNode,
  type DatetimeNode,
} from './conf-nodes.js';
export { parseDuration } from './duration.js';
export { accountJwtJetStream, knownAccountNames } from './operator-options.js';
export { AccountDirectory } from './account-directory.js';
export { sharingOptionsOf, trustWithAccountJwts, type JwtAccountSharing, type SharingOptions } from './jwt-sharing.js';
