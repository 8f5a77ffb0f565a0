import { parseRfc3339, rfc3339Nano } from '../api/time.js';
import type { Stream } from '../streams/stream.js';
import type { StreamSource } from '../streams/stream-config.js';
import { sourceIndexName, withSourceHeader } from './source-header.js';
import { UpstreamFeed, type FeedHost, type StartPosition } from './upstream-feed.js';

/**
 * One source's feed: the origin's messages appended with this server's time, each with a
 * `Nats-Stream-Source: <index name> <origin seq>` header, which is also how the last origin
 * sequence taken is found again after a restart.
 */
export class SourceFeed extends UpstreamFeed {
  readonly indexName: string;
  protected readonly deliverToken = 'S';
  protected readonly namePrefix = 'src-';

  constructor(
    source: StreamSource,
    stream: Stream,
    host: FeedHost,
    /** The last origin sequence the stream took from this source (0: none yet). */
    private lastSourceSeq: number,
    /**
     * With no sequence to resume after on a restart of a stream that has had messages (they
     * were purged, expired): the time of its last one, to start after it as nats-server does.
     */
    private readonly resumeAtNs: bigint,
  ) {
    super(source, stream, host);
    this.indexName = sourceIndexName(source);
  }

  /** After the last origin sequence taken; before any, the configured start (nats-server's order). */
  protected startPosition(): StartPosition {
    if (this.lastSourceSeq > 0) return { policy: 'by_start_sequence', seq: this.lastSourceSeq + 1 };
    const source = this.source;
    if (source.opt_start_seq !== undefined && source.opt_start_seq > 0) return { policy: 'by_start_sequence', seq: source.opt_start_seq };
    const configured = source.opt_start_time === undefined ? undefined : parseRfc3339(source.opt_start_time);
    if (this.resumeAtNs > 0n && (configured === undefined || configured < this.resumeAtNs)) return { policy: 'by_start_time', time: rfc3339Nano(this.resumeAtNs) };
    if (source.opt_start_time !== undefined) return { policy: 'by_start_time', time: source.opt_start_time };
    return { policy: 'all' };
  }

  protected beginAttempt(): void {}

  protected consumerCreated(): void {}

  protected delivered(subject: string, header: Uint8Array, payload: Uint8Array): void {
    const ack = this.ack;
    // As nats-server, sources follow the consumer sequence: a jump is a delivery missed.
    if (ack.consumerSeq !== this.dseq + 1) {
      if (ack.consumerSeq > this.dseq + 1) this.recreate();
      return;
    }
    this.dseq = ack.consumerSeq;
    if (ack.streamSeq <= this.lastSourceSeq) return;
    const refusal = this.stream.storeSourced(subject, withSourceHeader(header, `${this.indexName} ${ack.streamSeq}`), payload);
    if (refusal !== undefined) {
      this.host.warn(`JetStream: ${this.describe()}: message ${ack.streamSeq} not stored: ${refusal.description}`);
      return this.failed({ ...refusal });
    }
    this.lastSourceSeq = ack.streamSeq;
    this.lag = ack.pending > 0 ? ack.pending - 1 : 0;
    this.host.appended(this.stream);
  }
}
