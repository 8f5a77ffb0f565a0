import { describe, expect, it } from 'vitest';
import type { JsApiError } from '../api/js-errors.js';
import { MemoryStore } from '../store/memory-store.js';
import { Stream, storeLimits, type StreamOwner } from './stream.js';
import { parseStreamConfig, type StreamConfig } from './stream-config.js';

interface Sent {
  subject: string;
  /** The header block and the payload, as latin1 text. */
  header?: string;
  payload?: string;
  /** An ack's body. */
  ack?: string;
}

function config(json: string): StreamConfig {
  const name = (JSON.parse(json) as { name: string }).name;
  const result = parseStreamConfig(new TextEncoder().encode(json), name);
  if ('error' in result) throw new Error(result.error.description);
  return result.config;
}

/** A stream in memory whose owner records what it queues, in order. */
function streamOf(json: string): { stream: Stream; sent: Sent[] } {
  const sent: Sent[] = [];
  const owner: StreamOwner = {
    domain: undefined,
    leader: undefined,
    queueReply: (_stream, reply, body) => void sent.push({ subject: reply, ack: body }),
    storageRefusal: (): JsApiError | undefined => undefined,
    usageChanged: () => {},
    republish: (_stream, subject, headerSize, data) =>
      void sent.push({ subject, header: data.subarray(0, headerSize).toString('latin1'), payload: data.subarray(headerSize).toString('latin1') }),
  };
  const cfg = config(json);
  return { stream: new Stream(cfg, 0n, new MemoryStore(storeLimits(cfg)), owner), sent };
}

/** A publish as the router hands it over: the header block then the payload, in a larger buffer. */
function publish(stream: Stream, subject: string, payload: string, header = '', reply = 'ack'): void {
  const bytes = Buffer.from(`xx${header}${payload}yy`, 'latin1');
  stream.receive(subject, reply, header.length, bytes, 2, bytes.length - 2);
}

const ORDERS = '{"name":"ORDERS","subjects":["orders.*"],"republish":{"src":"orders.*","dest":"repub.{{wildcard(1)}}"}}';

describe('Stream: republish', () => {
  it('republishes each stored message before its ack, with nats-server headers', () => {
    const { stream, sent } = streamOf(ORDERS);
    publish(stream, 'orders.new', 'one');
    publish(stream, 'orders.old', 'two');
    publish(stream, 'orders.new', 'three');
    expect(sent).toEqual([
      { subject: 'repub.new', header: 'NATS/1.0\r\nNats-Stream: ORDERS\r\nNats-Subject: orders.new\r\nNats-Sequence: 1\r\nNats-Last-Sequence: 0\r\n\r\n', payload: 'one' },
      { subject: 'ack', ack: '{"stream":"ORDERS", "seq":1}' },
      { subject: 'repub.old', header: 'NATS/1.0\r\nNats-Stream: ORDERS\r\nNats-Subject: orders.old\r\nNats-Sequence: 2\r\nNats-Last-Sequence: 0\r\n\r\n', payload: 'two' },
      { subject: 'ack', ack: '{"stream":"ORDERS", "seq":2}' },
      { subject: 'repub.new', header: 'NATS/1.0\r\nNats-Stream: ORDERS\r\nNats-Subject: orders.new\r\nNats-Sequence: 3\r\nNats-Last-Sequence: 1\r\n\r\n', payload: 'three' },
      { subject: 'ack', ack: '{"stream":"ORDERS", "seq":3}' },
    ]);
  });

  it("appends to the message's own header block", () => {
    const { stream, sent } = streamOf(ORDERS);
    publish(stream, 'orders.a', 'body', 'NATS/1.0\r\nA: 1\r\nNats-Msg-Id: m1\r\n\r\n', '');
    expect(sent).toEqual([
      {
        subject: 'repub.a',
        header: 'NATS/1.0\r\nA: 1\r\nNats-Msg-Id: m1\r\nNats-Stream: ORDERS\r\nNats-Subject: orders.a\r\nNats-Sequence: 1\r\nNats-Last-Sequence: 0\r\n\r\n',
        payload: 'body',
      },
    ]);
  });

  it('headers_only: no payload, its size in Nats-Msg-Size', () => {
    const { stream, sent } = streamOf('{"name":"H","subjects":["h.>"],"republish":{"dest":"r.>","headers_only":true}}');
    publish(stream, 'h.x.y', 'twelve bytes', '', '');
    publish(stream, 'h.x.y', 'abc', 'NATS/1.0\r\nA: 1\r\n\r\n', '');
    expect(sent).toEqual([
      { subject: 'r.h.x.y', header: 'NATS/1.0\r\nNats-Stream: H\r\nNats-Subject: h.x.y\r\nNats-Sequence: 1\r\nNats-Last-Sequence: 0\r\nNats-Msg-Size: 12\r\n\r\n', payload: '' },
      { subject: 'r.h.x.y', header: 'NATS/1.0\r\nA: 1\r\nNats-Stream: H\r\nNats-Subject: h.x.y\r\nNats-Sequence: 2\r\nNats-Last-Sequence: 1\r\nNats-Msg-Size: 3\r\n\r\n', payload: '' },
    ]);
  });

  it('only what matches the source is republished', () => {
    const { stream, sent } = streamOf('{"name":"S","subjects":["s.*"],"republish":{"src":"s.a","dest":"r"}}');
    publish(stream, 's.b', 'no', '', '');
    publish(stream, 's.a', 'yes', '', '');
    expect(sent.map((m) => [m.subject, m.payload])).toEqual([['r', 'yes']]);
    expect(sent[0]!.header).toContain('Nats-Sequence: 2\r\n');
  });

  it('not for duplicates, refused or dropped messages, nor with interest retention', () => {
    const { stream, sent } = streamOf(ORDERS);
    publish(stream, 'orders.a', 'm', 'NATS/1.0\r\nNats-Msg-Id: x\r\n\r\n');
    sent.length = 0;
    publish(stream, 'orders.a', 'm', 'NATS/1.0\r\nNats-Msg-Id: x\r\n\r\n');
    publish(stream, 'orders.a', 'm', 'NATS/1.0\r\nNats-Expected-Last-Sequence: 5\r\n\r\n');
    publish(stream, 'orders.a', 'm', 'NATS/1.0\r\nNats-Expected-Stream: OTHER\r\n\r\n');
    publish(stream, 'orders.a', 'm', 'NATS/1.0\r\nNats-Rollup: nope\r\n\r\n');
    expect(sent.every((m) => m.subject === 'ack')).toBe(true);
    expect(sent).toHaveLength(4);

    const interest = streamOf('{"name":"I","subjects":["i.*"],"retention":"interest","republish":{"dest":"r.>"}}');
    publish(interest.stream, 'i.a', 'm');
    expect(interest.sent).toEqual([{ subject: 'ack', ack: '{"stream":"I", "seq":1}' }]);
  });

  it('nothing without a republish config', () => {
    const { stream, sent } = streamOf('{"name":"P","subjects":["p.*"]}');
    publish(stream, 'p.a', 'm', '', '');
    expect(sent).toEqual([]);
  });
});
