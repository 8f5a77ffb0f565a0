import type { Stream } from '../streams/stream.js';
import type { StreamSource } from '../streams/stream-config.js';
import { sourceIndexName } from './source-header.js';
import { UpstreamFeed, type FeedHost, type StartPosition } from './upstream-feed.js';

/**
 * A mirror's feed: every message of the origin at the origin's sequence and time, what the
 * origin no longer has (or the filter leaves out) skipped as deleted sequences.
 */
export class MirrorFeed extends UpstreamFeed {
  readonly indexName: string;
  protected readonly deliverToken = 'M';
  protected readonly namePrefix = 'mirror-';

  constructor(source: StreamSource, stream: Stream, host: FeedHost) {
    super(source, stream, host);
    this.indexName = sourceIndexName(source);
  }

  /** The next sequence the mirror lacks; the configured start only for a mirror that never stored anything. */
  protected startPosition(): StartPosition {
    const state = this.stream.state();
    if (state.messages > 0 || state.firstSeq > 0) return { policy: 'by_start_sequence', seq: state.lastSeq + 1 };
    if (this.source.opt_start_seq !== undefined && this.source.opt_start_seq > 0) return { policy: 'by_start_sequence', seq: this.source.opt_start_seq };
    if (this.source.opt_start_time !== undefined) return { policy: 'by_start_time', time: this.source.opt_start_time };
    return { policy: 'all' };
  }

  protected beginAttempt(): void {}

  /** Before any delivery, the consumer says where it starts: what is below was deleted upstream. */
  protected consumerCreated(deliveredConsumerSeq: number, deliveredStreamSeq: number): void {
    if (deliveredConsumerSeq !== 0 || deliveredStreamSeq <= this.stream.state().lastSeq) return;
    this.stream.skipTo(deliveredStreamSeq);
    this.host.appended(this.stream);
  }

  protected delivered(subject: string, header: Uint8Array, payload: Uint8Array): void {
    const ack = this.ack;
    // A delivery missed on the way: start again from what the mirror has.
    if (ack.consumerSeq !== this.dseq + 1) return this.recreate();
    this.dseq = ack.consumerSeq;
    const seq = ack.streamSeq;
    const last = this.stream.state().lastSeq;
    if (seq <= last) return;
    // The next delivery but not the next sequence: the origin has nothing in between for us.
    if (seq > last + 1) this.stream.skipTo(seq - 1);
    const refusal = this.stream.storeMirrored(seq, subject, header, payload, ack.timeNs);
    if (refusal !== undefined) {
      this.host.warn(`JetStream: ${this.describe()}: message ${seq} not stored: ${refusal.description}`);
      return this.failed({ ...refusal });
    }
    this.lag = ack.pending > 0 ? ack.pending - 1 : 0;
    this.host.appended(this.stream);
  }
}
