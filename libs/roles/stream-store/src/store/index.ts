// The stores on their own, for the shared store suite and tests; the role loads them on demand.
export type { PurgeRequest, StoreLimits, StoreState, StoredMessage, StreamStore } from './stream-store.js';
export { UNLIMITED } from './stream-store.js';
export { MemoryStore } from './memory-store.js';
export { FileStore, type FileStoreOptions, type RecoveryProblem } from './file-store.js';
export { RedisStore, type OpenedRedisStream } from './redis-store.js';
export { RedisStoreConnection, streamKeyPrefix, type RedisStreamName } from './redis-connection.js';
