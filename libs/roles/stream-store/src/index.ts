export type { PurgeRequest, StoreLimits, StoreState, StoredMessage, StreamStore } from './store/stream-store.js';
export { UNLIMITED } from './store/stream-store.js';
export { MemoryStore } from './store/memory-store.js';
export { FileStore, type FileStoreOptions, type RecoveryProblem } from './store/file-store.js';
export { RedisStore, type OpenedRedisStream } from './store/redis-store.js';
export { RedisStoreConnection, streamKeyPrefix, type RedisStreamName } from './store/redis-connection.js';
export { streamStoreRole } from './role.js';
