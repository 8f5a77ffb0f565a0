import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JsApiError } from '../api/js-errors.js';
import { InternalEntry, type MessageTarget } from '../internal-entry.js';
import { MemoryStore } from '../store/memory-store.js';
import { parseStreamConfig, type StreamConfig } from '../streams/stream-config.js';
import { Stream, storeLimits, type StreamOwner } from '../streams/stream.js';
import { AckReply } from './ack-reply.js';
import { nameHash, readSourceHeader, withSourceHeader } from './source-header.js';
import { StreamSourcing } from './stream-sourcing.js';
import type { FeedHost } from './upstream-feed.js';

const EMPTY = new Uint8Array(0);

function config(json: string): StreamConfig {
  const name = (JSON.parse(json) as { name: string }).name;
  const result = parseStreamConfig(new TextEncoder().encode(json), name);
  if ('error' in result) throw new Error(result.error.description);
  return result.config;
}

function streamOf(json: string): Stream {
  const owner: StreamOwner = {
    domain: undefined,
    leader: undefined,
    queueReply: () => {},
    storageRefusal: (): JsApiError | undefined => undefined,
    usageChanged: () => {},
    republish: () => {},
  };
  const cfg = config(json);
  return new Stream(cfg, 0n, new MemoryStore(storeLimits(cfg)), owner);
}

interface Published {
  subject: string;
  reply: string | undefined;
  body: string;
}

/** A host that records what the feeds publish and lets the test deliver to their subscriptions. */
class FakeHost implements FeedHost {
  readonly published: Published[] = [];
  readonly subscriptions = new Map<string, MessageTarget>();
  readonly warnings: string[] = [];
  appends = 0;
  /** What the next create request gets back, synchronously (undefined: no answer). */
  answer: ((request: Published) => string | undefined) | undefined;

  publish(subject: string, reply: string | undefined, _header: Uint8Array, payload: Uint8Array): boolean {
    const sent = { subject, reply, body: Buffer.from(payload).toString('utf8') };
    this.published.push(sent);
    const answer = subject.includes('.CONSUMER.CREATE.') ? this.answer?.(sent) : undefined;
    if (answer !== undefined && reply !== undefined) this.send(reply, undefined, '', answer);
    return true;
  }

  subscribe(subject: string, target: MessageTarget): InternalEntry {
    this.subscriptions.set(subject, target);
    return new InternalEntry(subject, target);
  }

  unsubscribe(entry: InternalEntry): void {
    this.subscriptions.delete(entry.subject);
  }

  appended(): void {
    this.appends++;
  }

  warn(text: string): void {
    this.warnings.push(text);
  }

  /** The create requests so far, parsed. */
  creates(): { subject: string; reply: string; request: { stream_name: string; config: Record<string, unknown> } }[] {
    return this.published.filter((p) => p.subject.includes('.CONSUMER.CREATE.')).map((p) => ({ subject: p.subject, reply: p.reply!, request: JSON.parse(p.body) as never }));
  }

  deliverSubject(): string {
    const subject = [...this.subscriptions.keys()].find((s) => s.startsWith('$JS.M.') || s.startsWith('$JS.S.') || s.includes('.M.') || s.includes('.S.'));
    if (subject === undefined) throw new Error('no deliver subscription');
    return subject;
  }

  /** Hands a message to the subscription on `to`, shown with `subject` (as a consumer's delivery is). */
  send(to: string, reply: string | undefined, header: string, payload: string, subject = to): void {
    const target = this.subscriptions.get(to);
    if (target === undefined) return;
    const data = Buffer.from(`..${header}${payload}..`, 'latin1');
    target.receive(subject, reply, header.length, data, 2, data.length - 2);
  }

  /** A delivery of the current consumer: `$JS.ACK.<stream>.<consumer>.1.<seq>.<dseq>.<time>.<pending>`. */
  deliver(originSeq: number, consumerSeq: number, subject: string, payload: string, header = '', pending = 0): void {
    this.send(this.deliverSubject(), `$JS.ACK.ORIGIN.cons1234.1.${originSeq}.${consumerSeq}.${1_700_000_000_000_000_000n + BigInt(originSeq)}.${pending}`, header, payload, subject);
  }

  heartbeat(lastConsumer: number, lastStream: number, stalled?: string): void {
    const extra = stalled === undefined ? '' : `Nats-Consumer-Stalled: ${stalled}\r\n`;
    this.send(this.deliverSubject(), undefined, `NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ${lastConsumer}\r\nNats-Last-Stream: ${lastStream}\r\n${extra}\r\n`, '');
  }
}

const CREATED = (name: string, consumerSeq = 0, streamSeq = 0): string =>
  JSON.stringify({ type: 'io.nats.jetstream.api.v1.consumer_create_response', stream_name: 'ORIGIN', name, delivered: { consumer_seq: consumerSeq, stream_seq: streamSeq } });

describe('AckReply', () => {
  it("reads nats-server's delivery reply", () => {
    const ack = new AckReply();
    expect(ack.read('$JS.ACK.ORDERS.hjwzEigr.1.2.3.1796195193595352775.4')).toBe(true);
    expect([ack.deliveries, ack.streamSeq, ack.consumerSeq, ack.timeNs, ack.pending]).toEqual([1, 2, 3, 1796195193595352775n, 4]);
  });

  it('refuses what is not one', () => {
    const ack = new AckReply();
    for (const reply of [
      '',
      '_INBOX.x',
      '$JS.ACK.ORDERS.c.1.2.3.4',
      '$JS.ACK.ORDERS.c.1.2.3.4.5.6',
      '$JS.ACK.ORDERS.c.x.2.3.4.5',
      '$JS.ACK.ORDERS.c.1.0.3.4.5',
      '$JS.ACK.ORDERS.c.1.2.3.-4.5',
      '$JS.ACK.ORDERS.c.1.2.3.99999999999999999999.5',
      '$JS.ACK.ORDERS.c.1.99999999999999999.3.4.5',
      '$JS.ACK.ORDERS..1.2.3.4.5',
    ]) {
      expect(ack.read(reply), reply).toBe(false);
    }
  });
});

describe('the Nats-Stream-Source header', () => {
  const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

  it('is added at the end of the header block, or in a new one', () => {
    expect(text(withSourceHeader(EMPTY, 'ORDERS 2'))).toBe('NATS/1.0\r\nNats-Stream-Source: ORDERS 2\r\n\r\n');
    expect(text(withSourceHeader(Buffer.from('NATS/1.0\r\nX-Order: 42\r\n\r\n'), 'ORDERS:n1VdnVvB 2'))).toBe('NATS/1.0\r\nX-Order: 42\r\nNats-Stream-Source: ORDERS:n1VdnVvB 2\r\n\r\n');
  });

  it('replaces the one a message sourced from a source had', () => {
    const hop = Buffer.from('NATS/1.0\r\nNats-Stream-Source: A 7\r\nX-Order: 1\r\n\r\n');
    expect(text(withSourceHeader(hop, 'B 3'))).toBe('NATS/1.0\r\nX-Order: 1\r\nNats-Stream-Source: B 3\r\n\r\n');
    expect(text(withSourceHeader(Buffer.from('NATS/1.0\r\nNats-Stream-Source: A 7\r\n\r\n'), 'B 3'))).toBe('NATS/1.0\r\nNats-Stream-Source: B 3\r\n\r\n');
  });

  it('is read back, in both of the forms nats-server stored', () => {
    expect(readSourceHeader(withSourceHeader(EMPTY, 'ORDERS:n1VdnVvB 12'))).toEqual({ indexName: 'ORDERS:n1VdnVvB', seq: 12 });
    expect(readSourceHeader(Buffer.from('NATS/1.0\r\nNats-Stream-Source: $JS.ACK.ORDERS.c.1.9.4.5.0\r\n\r\n'))).toEqual({ indexName: 'ORDERS', seq: 9 });
    expect(readSourceHeader(Buffer.from('NATS/1.0\r\nNats-Stream-Source: ORDERS 0x10\r\n\r\n'))).toBeUndefined();
    expect(readSourceHeader(Buffer.from('NATS/1.0\r\nX: y\r\n\r\n'))).toBeUndefined();
    expect(readSourceHeader(EMPTY)).toBeUndefined();
  });

  it("names an external source with nats-server's hash of its API prefix", () => {
    expect(nameHash('$JS.edge.API')).toBe('n1VdnVvB');
  });
});

describe('mirror and source feeds', () => {
  let host: FakeHost;
  const running: StreamSourcing[] = [];

  function sourcing(json: string): { stream: Stream; feeds: StreamSourcing } {
    const stream = streamOf(json);
    const feeds = new StreamSourcing(stream, host);
    stream.sourcing = feeds;
    feeds.configure(stream.config);
    running.push(feeds);
    return { stream, feeds };
  }

  beforeEach(() => {
    vi.useFakeTimers();
    host = new FakeHost();
  });

  afterEach(() => {
    for (const feeds of running.splice(0)) feeds.stop();
    vi.useRealTimers();
  });

  it("asks the origin for nats-server's consumer and stores deliveries at the origin's sequences and times", () => {
    const { stream } = sourcing('{"name":"MIRROR","mirror":{"name":"ORIGIN"}}');
    host.answer = () => CREATED('cons1234');
    vi.advanceTimersByTime(0);
    const [create] = host.creates();
    expect(create!.subject).toBe('$JS.API.CONSUMER.CREATE.ORIGIN');
    expect(create!.reply).toMatch(/^\$JSC\.R\.[A-Za-z0-9]{8}$/);
    const deliver = host.deliverSubject();
    expect(deliver).toMatch(/^\$JS\.M\.[A-Za-z0-9]{8}$/);
    expect(host.published[0]!.body).toBe(
      `{"stream_name":"ORIGIN","config":{"deliver_policy":"all","ack_policy":"none","ack_wait":79200000000000,"max_deliver":1,"replay_policy":"instant","idle_heartbeat":1000000000,"flow_control":true,"deliver_subject":"${deliver}","num_replicas":0,"direct":true}}`,
    );
    host.deliver(1, 1, 'orders.new', 'o1', 'NATS/1.0\r\nX-Order: 1\r\n\r\n', 3);
    host.deliver(2, 2, 'orders.old', 'o2');
    // The origin deleted 3 and 4: the next delivery jumps, the consumer sequence does not.
    host.deliver(5, 3, 'orders.new', 'o5');
    expect(stream.state()).toMatchObject({ messages: 3, firstSeq: 1, lastSeq: 5, numDeleted: 2 });
    const first = stream.store.load(1)!;
    expect([first.subject, Buffer.from(first.header).toString(), Buffer.from(first.data).toString(), first.timeNs]).toEqual(['orders.new', 'NATS/1.0\r\nX-Order: 1\r\n\r\n', 'o1', 1_700_000_000_000_000_001n]);
    expect(stream.sourcing!.mirrorInfo()).toMatchObject({ name: 'ORIGIN', lag: 0, active: 0 });
    expect(host.appends).toBe(3);
  });

  it('makes the consumer again after a missed delivery, from the next sequence it lacks', () => {
    const { stream } = sourcing('{"name":"MIRROR","mirror":{"name":"ORIGIN"}}');
    host.answer = () => CREATED('cons1234');
    vi.advanceTimersByTime(0);
    host.deliver(1, 1, 'a', '1');
    const deliver = host.deliverSubject();
    host.deliver(3, 3, 'a', '3');
    // Nothing more from that consumer is taken.
    expect(host.subscriptions.has(deliver)).toBe(false);
    expect(stream.state().lastSeq).toBe(1);
    vi.advanceTimersByTime(1_000);
    const again = host.creates()[1]!;
    expect(again.request.config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 2 });
    expect(host.deliverSubject()).not.toBe(deliver);
    host.deliver(2, 1, 'a', '2');
    host.deliver(3, 2, 'a', '3');
    expect(stream.state()).toMatchObject({ messages: 3, lastSeq: 3, numDeleted: 0 });
  });

  it("makes it again when a heartbeat's last consumer sequence is not the last one taken", () => {
    sourcing('{"name":"MIRROR","mirror":{"name":"ORIGIN"}}');
    host.answer = () => CREATED('cons1234');
    vi.advanceTimersByTime(0);
    host.deliver(1, 1, 'a', '1');
    host.heartbeat(1, 1);
    vi.advanceTimersByTime(1_500);
    expect(host.creates()).toHaveLength(1);
    host.heartbeat(2, 2);
    vi.advanceTimersByTime(1_000);
    expect(host.creates()).toHaveLength(2);
    expect(host.creates()[1]!.request.config).toMatchObject({ opt_start_seq: 2 });
  });

  it('answers flow control requests and stalled heartbeats with an empty message', () => {
    sourcing('{"name":"MIRROR","mirror":{"name":"ORIGIN"}}');
    host.answer = () => CREATED('cons1234');
    vi.advanceTimersByTime(0);
    host.send(host.deliverSubject(), '$JS.FC.ORIGIN.cons1234.0001', 'NATS/1.0 100 FlowControl Request\r\n\r\n', '');
    expect(host.published.filter((p) => p.subject.startsWith('$JS.FC.'))).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(host.published.filter((p) => p.subject.startsWith('$JS.FC.'))).toEqual([{ subject: '$JS.FC.ORIGIN.cons1234.0001', reply: undefined, body: '' }]);
    host.heartbeat(0, 0, '$JS.FC.ORIGIN.cons1234.0002');
    vi.advanceTimersByTime(0);
    expect(host.published.at(-1)).toEqual({ subject: '$JS.FC.ORIGIN.cons1234.0002', reply: undefined, body: '' });
  });

  it('retries a failed create with a backoff, and says why in its info', () => {
    const { feeds } = sourcing('{"name":"MIRROR","mirror":{"name":"ORIGIN"}}');
    host.answer = () => JSON.stringify({ type: 'io.nats.jetstream.api.v1.consumer_create_response', error: { code: 404, err_code: 10059, description: 'stream not found' } });
    vi.advanceTimersByTime(0);
    expect(feeds.mirrorInfo()).toEqual({ name: 'ORIGIN', lag: 0, active: -1, error: { code: 404, err_code: 10059, description: 'stream not found' } });
    vi.advanceTimersByTime(1_000);
    expect(host.creates()).toHaveLength(2);
    vi.advanceTimersByTime(1_999);
    expect(host.creates()).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(host.creates()).toHaveLength(3);
    vi.advanceTimersByTime(60_000);
    // 4 s, 8 s, then every 10 s.
    expect(host.creates()).toHaveLength(3 + 2 + 4);
    host.answer = () => CREATED('cons1234');
    vi.advanceTimersByTime(10_000);
    const info = feeds.mirrorInfo()!;
    expect(info.error).toBeUndefined();
    expect(info.active).toBeGreaterThanOrEqual(0);
  });

  it('retries when no answer comes, and when the consumer goes silent', () => {
    sourcing('{"name":"MIRROR","mirror":{"name":"ORIGIN"}}');
    vi.advanceTimersByTime(0);
    expect(host.creates()).toHaveLength(1);
    vi.advanceTimersByTime(5_000 + 1_000);
    expect(host.creates()).toHaveLength(2);
    host.send(host.creates()[1]!.reply, undefined, '', CREATED('cons1234'));
    host.deliver(1, 1, 'a', '1');
    vi.advanceTimersByTime(3_000);
    expect(host.creates()).toHaveLength(2);
    vi.advanceTimersByTime(2_000);
    expect(host.creates()).toHaveLength(3);
    expect(host.creates()[2]!.request.config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 2 });
  });

  it('takes bad input without a crash', () => {
    const { stream } = sourcing('{"name":"MIRROR","mirror":{"name":"ORIGIN"}}');
    host.answer = () => 'not json';
    vi.advanceTimersByTime(0);
    expect(host.warnings.at(-1)).toMatch(/not JSON/);
    host.answer = () => CREATED('cons1234');
    vi.advanceTimersByTime(1_000);
    host.send(host.deliverSubject(), '$JS.ACK.nope', '', 'x', 'a');
    host.send(host.deliverSubject(), undefined, '', 'x', 'a');
    host.send(host.deliverSubject(), undefined, 'NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: zz\r\n\r\n', '');
    expect(stream.state().messages).toBe(0);
    host.deliver(1, 1, 'a', '1');
    expect(stream.state().messages).toBe(1);
  });

  it('starts a mirror with a filter and a start sequence as configured, by name', () => {
    sourcing('{"name":"MIRROR","mirror":{"name":"ORIGIN","filter_subject":"orders.*","opt_start_seq":10,"external":{"api":"$JS.edge.API","deliver":"dlv"}}}');
    vi.advanceTimersByTime(0);
    const [create] = host.creates();
    const name = create!.request.config.name as string;
    expect(name).toMatch(/^mirror-[A-Za-z0-9]{8}$/);
    expect(create!.subject).toBe(`$JS.edge.API.CONSUMER.CREATE.ORIGIN.${name}.orders.*`);
    expect(create!.request.config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 10, filter_subject: 'orders.*' });
    expect(host.deliverSubject()).toMatch(/^dlv\.M\.[A-Za-z0-9]{8}$/);
  });

  it('sources with a Nats-Stream-Source header, resuming after the last origin sequence its messages name', () => {
    const json = '{"name":"ALL","subjects":["own"],"sources":[{"name":"ORIGIN","filter_subject":"orders.eu"},{"name":"ORIGIN","external":{"api":"$JS.edge.API","deliver":""}}]}';
    const { stream, feeds } = sourcing(json);
    host.answer = (request) => CREATED(request.subject.includes('src-') ? 'cons1234' : 'other');
    vi.advanceTimersByTime(0);
    const creates = host.creates();
    expect(creates.map((c) => c.subject.replace(/src-[A-Za-z0-9]{8}/, 'src-*'))).toEqual(['$JS.API.CONSUMER.CREATE.ORIGIN.src-*.orders.eu', '$JS.edge.API.CONSUMER.CREATE.ORIGIN']);
    const local = [...host.subscriptions.keys()].filter((s) => s.startsWith('$JS.S.'));
    expect(local).toHaveLength(2);
    host.send(local[0]!, `$JS.ACK.ORIGIN.cons1234.1.4.1.1700000000000000004.0`, 'NATS/1.0\r\nX-Order: 42\r\n\r\n', 'o4', 'orders.eu');
    host.send(local[1]!, `$JS.ACK.ORIGIN.other.1.9.1.1700000000000000009.0`, '', 'o9', 'orders.us');
    // A repeated delivery is not taken twice.
    host.send(local[1]!, `$JS.ACK.ORIGIN.other.1.9.1.1700000000000000009.0`, '', 'o9', 'orders.us');
    expect(stream.state().messages).toBe(2);
    expect(Buffer.from(stream.store.load(1)!.header).toString()).toBe('NATS/1.0\r\nX-Order: 42\r\nNats-Stream-Source: ORIGIN 4\r\n\r\n');
    expect(Buffer.from(stream.store.load(2)!.header).toString()).toBe('NATS/1.0\r\nNats-Stream-Source: ORIGIN:n1VdnVvB 9\r\n\r\n');
    expect(stream.store.load(1)!.timeNs).toBeGreaterThan(1_700_000_000_000_000_004n);
    expect(feeds.sourcesInfo().map((s) => s.name)).toEqual(['ORIGIN', 'ORIGIN']);
    expect(feeds.sourcesInfo()[1]!.external).toEqual({ api: '$JS.edge.API', deliver: '' });

    // The stream restarts: each source resumes after what its messages say.
    feeds.stop();
    host.published.length = 0;
    const again = new StreamSourcing(stream, host);
    running.push(again);
    again.configure(stream.config);
    vi.advanceTimersByTime(0);
    expect(host.creates().map((c) => c.request.config)).toMatchObject([
      { deliver_policy: 'by_start_sequence', opt_start_seq: 5 },
      { deliver_policy: 'by_start_sequence', opt_start_seq: 10 },
    ]);
  });

  it('stops a source an update removes and starts one it adds', () => {
    const { stream, feeds } = sourcing('{"name":"ALL","sources":[{"name":"A"}]}');
    vi.advanceTimersByTime(0);
    expect(host.creates().map((c) => c.subject)).toEqual(['$JS.API.CONSUMER.CREATE.A']);
    stream.update(config('{"name":"ALL","sources":[{"name":"B"}]}'));
    feeds.configure(stream.config);
    vi.advanceTimersByTime(0);
    expect(host.creates().map((c) => c.subject)).toEqual(['$JS.API.CONSUMER.CREATE.A', '$JS.API.CONSUMER.CREATE.B']);
    expect(feeds.sourcesInfo().map((s) => s.name)).toEqual(['B']);
    expect(host.subscriptions.size).toBe(2);
  });
});
