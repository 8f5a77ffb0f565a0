import { MemoryStore } from './memory-store.js';
import { describeStreamStore } from './stream-store-suite.test-support.js';

describeStreamStore('MemoryStore', (limits) => new MemoryStore(limits));
