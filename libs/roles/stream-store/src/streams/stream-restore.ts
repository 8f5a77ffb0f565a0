import { parseRfc3339 } from '../api/time.js';
import type { ArchiveEnd, ArchiveTarget } from '../store/snapshot-archive.js';
import type { StreamStore } from '../store/stream-store.js';
import type { StreamConfig } from './stream-config.js';
import { isValidPublishSubject } from './subjects.js';

/**
 * Deleted sequences a restore may leave between and after its messages: the index keeps a slot
 * for each (some 40 bytes), and an archive names them in a few bytes, so they are bounded.
 */
export const MAX_RESTORED_GAPS = 1 << 24;

const HEADER_START = Buffer.from('NATS/1.0', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * A stream being restored: the archive's messages go into a store of its own, staged apart from
 * the account's streams until the archive is whole. The config is the request's (it may differ
 * from the archived one but for the name), the creation time the archive's.
 */
export class StreamRestore implements ArchiveTarget {
  createdNs: bigint | undefined;
  /** Bytes of the archive received so far, counted against the storage limits. */
  receivedBytes = 0;
  private lastSeq = 0;
  private gaps = 0;

  constructor(
    readonly config: StreamConfig,
    readonly store: StreamStore,
    /** The staging directory of a file store; undefined for memory. */
    readonly stagingDir: string | undefined,
  ) {}

  meta(json: string): string | undefined {
    let meta: unknown;
    try {
      meta = JSON.parse(json);
    } catch {
      return 'unexpected content';
    }
    const { config, created } = (meta ?? {}) as { config?: { name?: unknown }; created?: unknown };
    if (typeof config?.name !== 'string' || typeof created !== 'string') return 'unexpected content';
    // nats-server's words: a snapshot restores under its own name only.
    if (config.name !== this.config.name) return 'stream names do not match';
    this.createdNs = parseRfc3339(created);
    return undefined;
  }

  message(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): string | undefined {
    if (!isValidPublishSubject(subject)) return `message ${seq} has an invalid subject`;
    if (header.length > 0 && !(startsWith(header, HEADER_START) && endsWith(header, HEADER_END))) return `message ${seq} has an invalid header`;
    if (this.lastSeq > 0) this.gaps += seq - this.lastSeq - 1;
    if (this.gaps > MAX_RESTORED_GAPS) return 'too many deleted sequences';
    this.store.restoreMessage(seq, subject, header, data, timeNs);
    this.lastSeq = seq;
    return undefined;
  }

  end(end: ArchiveEnd): string | undefined {
    if (this.lastSeq > 0 && this.gaps + end.lastSeq - this.lastSeq > MAX_RESTORED_GAPS) return 'too many deleted sequences';
    this.store.restoreLastSeq(end.lastSeq, end.lastTimeNs);
    return undefined;
  }
}

function startsWith(bytes: Uint8Array, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && prefix.equals(bytes.subarray(0, prefix.length));
}

function endsWith(bytes: Uint8Array, suffix: Buffer): boolean {
  return bytes.length >= suffix.length && suffix.equals(bytes.subarray(bytes.length - suffix.length));
}
