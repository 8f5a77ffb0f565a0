export type { PurgeRequest, StoreLimits, StoreState, StoredMessage, StreamStore } from './store/stream-store.js';
export { UNLIMITED } from './store/stream-store.js';
export { JsErrors, jsError, type JsApiError, type JsErrorName, type JsErrorTemplate } from './api/js-errors.js';
export { goJson, goJsonBytes } from './api/go-json.js';
export {
  GoJsonError,
  GoJsonNumber,
  goArray,
  goBool,
  goField,
  goInt,
  goObject,
  goString,
  goUint64,
  parseGoJson,
  type GoJsonObject,
  type GoJsonValue,
} from './api/go-json-decode.js';
export { nowNs, parseRfc3339, parseRfc3339WithOffset, rfc3339Nano } from './api/time.js';
export {
  checkStreamUpdate,
  parseStreamConfig,
  sameStreamConfig,
  updatedStreamConfig,
  type DiscardPolicy,
  type ExternalStream,
  type Placement,
  type RePublish,
  type RetentionPolicy,
  type StorageType,
  type StreamAccountLimits,
  type StreamConfig,
  type StreamConfigContext,
  type StreamSource,
} from './streams/stream-config.js';
export { isValidPublishSubject, subjectsCollide } from './streams/subjects.js';
export { isValidSubjectTransform } from './streams/subject-transform.js';
