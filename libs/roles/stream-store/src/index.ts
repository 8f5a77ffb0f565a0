export type { PurgeRequest, StoreLimits, StoreState, StoredMessage, StreamStore } from './store/stream-store.js';
export { UNLIMITED } from './store/stream-store.js';
export { JsErrors, jsError, type JsApiError, type JsErrorName, type JsErrorTemplate } from './api/js-errors.js';
export { goJson, goJsonBytes } from './api/go-json.js';
