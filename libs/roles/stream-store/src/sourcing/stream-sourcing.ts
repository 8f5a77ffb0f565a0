import type { Stream } from '../streams/stream.js';
import type { StreamConfig, StreamSource } from '../streams/stream-config.js';
import { MirrorFeed } from './mirror-feed.js';
import { SourceFeed } from './source-feed.js';
import { readSourceHeader, sourceIndexName } from './source-header.js';
import type { FeedHost, UpstreamInfo } from './upstream-feed.js';

/** nats-server's dgetCaughtUpThresh: a mirror serves its origin's direct gets once this close. */
const DIRECT_GET_CAUGHT_UP = 10;

/** A stream's upstreams: its mirror's feed, or one feed per source, following its config. */
export class StreamSourcing {
  private mirror: MirrorFeed | undefined;
  /** By index name, in the config's order. */
  private sources = new Map<string, SourceFeed>();
  /** The first configure: the stream's sources start (or restart) with it. */
  private starting = true;

  constructor(
    private readonly stream: Stream,
    private readonly host: FeedHost,
  ) {}

  /**
   * Starts what `config` names and is not running, stops what it no longer names (a source
   * added or removed by an update). A new source resumes after the last origin sequence the
   * stream's messages say it took.
   */
  configure(config: StreamConfig): void {
    if (config.mirror !== undefined && this.mirror === undefined) {
      this.mirror = new MirrorFeed(config.mirror, this.stream, this.host);
      this.mirror.start();
    }
    const wanted = new Map<string, StreamSource>();
    for (const source of config.sources ?? []) wanted.set(sourceIndexName(source), source);
    const kept = new Map<string, SourceFeed>();
    for (const [name, feed] of this.sources) {
      const next = wanted.get(name);
      if (next !== undefined && JSON.stringify(next) === JSON.stringify(feed.source)) kept.set(name, feed);
      else feed.stop();
    }
    const added = [...wanted.keys()].filter((name) => !kept.has(name));
    const lastSeqs = added.length > 0 ? lastSourceSeqs(this.stream, new Set(added)) : new Map<string, number>();
    // Only sources starting with the stream fall back to its last time (a source added later takes everything).
    const resumeAtNs = this.starting ? this.stream.state().lastTimeNs : 0n;
    this.starting = false;
    this.sources = new Map();
    for (const [name, source] of wanted) {
      let feed = kept.get(name);
      if (feed === undefined) {
        feed = new SourceFeed(source, this.stream, this.host, lastSeqs.get(name) ?? 0, resumeAtNs);
        feed.start();
      }
      this.sources.set(name, feed);
    }
  }

  stop(): void {
    this.mirror?.stop();
    for (const feed of this.sources.values()) feed.stop();
  }

  mirrorInfo(): UpstreamInfo | undefined {
    return this.mirror?.info();
  }

  sourcesInfo(): UpstreamInfo[] {
    return [...this.sources.values()].map((feed) => feed.info());
  }

  /** Whether the mirror has caught up closely enough to answer its origin's direct gets. */
  servesDirectGets(): boolean {
    return this.mirror !== undefined && this.stream.config.mirror_direct && this.mirror.caughtUp(DIRECT_GET_CAUGHT_UP);
  }
}

/**
 * The last origin sequence taken from each of `names`, read back from the newest stored
 * message carrying its Nats-Stream-Source header (nats-server's startingSequenceForSources).
 * Stops once every name is found; a name not found has taken nothing still stored.
 */
function lastSourceSeqs(stream: Stream, names: ReadonlySet<string>): Map<string, number> {
  const found = new Map<string, number>();
  const state = stream.state();
  if (state.messages === 0) return found;
  for (let seq = state.lastSeq; seq >= state.firstSeq && found.size < names.size; seq--) {
    const msg = stream.store.load(seq);
    if (msg === undefined || msg.header.length === 0) continue;
    const named = readSourceHeader(msg.header);
    if (named !== undefined && names.has(named.indexName) && !found.has(named.indexName)) found.set(named.indexName, named.seq);
  }
  return found;
}
