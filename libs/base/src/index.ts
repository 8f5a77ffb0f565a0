export { clearArray } from './clear-array.js';
export { copyBytes } from './copy-bytes.js';
export { EAGER_FLUSH_BYTES, FlushQueue, type Flushable } from './flush-queue.js';
export { GLOBAL_ACCOUNT_NAME } from './global-account.js';
export { joinHostPort, parseAdvertise } from './host-port.js';
export { parseJsonObject } from './json-object.js';
export { latin1Slice, latin1Write } from './latin1.js';
export { OutputStall, STALL_MAX_WAIT_MS, outputStall } from './output-stall.js';
export { RecentString } from './recent-string.js';
