// The recording dispatchers, for test code outside this lib (the fuzz tool's parser properties),
// through `@nats-ts/protocol/test-support`: a source-only export that no build resolves.
export { RecordingDispatcher, type ParserEvent } from './recording-dispatcher.test-support.js';
export { RouteRecordingDispatcher, type RouteParserEvent } from './route-recording.test-support.js';
