export { wallClockMs } from './clock.js';
export { Logger } from './logger.js';
export type { LoggerOptions } from './logger.js';
export { formatGoDuration, formatGoTime, formatRtt, formatUptime, goDurationNanos, toGoJson } from './go-format.js';
export { MonitoringServer, normalizeBasePath } from './monitoring.js';
export type { JsonEndpointHandler, JsonEndpointOptions, MonitoringServerOptions } from './monitoring.js';
export { JsonResponse, MonitoringRequestError } from './monitoring-reply.js';
export { queryBool, queryInt, querySubscriptions, queryUint } from './monitor-query.js';
export type * from './monitor-types.js';
