import { describe, expect, it } from 'vitest';
import { OutboundBuffer } from './outbound.js';
import { createLeafParser } from './leaf-parser.js';
import { writeLeafMsg, writeLeafSub, writeLeafUnsub } from './leaf-encode.js';
import { RouteRecordingDispatcher } from './route-recording.test-support.js';
import { splitAt } from './recording-dispatcher.test-support.js';

// Frames as nats-server 2.9.10 sends them on a leaf connection (LEAFNODES.md §7 A, B).
const LEAF_STREAM = Buffer.from(
  'INFO {"server_id":"NA","leafnode_urls":["127.0.0.1:7422"]} \r\n' +
    'LS+ $LDS.a3NBzpw1H00nDuYWuudTOy\r\n' +
    'LS+ leaf.q q1 2\r\n' +
    'LMSG leaf.plain _INBOX.x.y 4\r\nping\r\n' +
    'HMSG leaf.plain 25 30\r\nNATS/1.0\r\nX-Test: abc\r\n\r\nhello\r\n' +
    'LMSG leaf.q | q1 8\r\nto-queue\r\n' +
    'LMSG leaf.q + r.1 q1 q2 2\r\nhi\r\n' +
    'HMSG leaf.q + r.2 q1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n' +
    'LS- leaf.q q1\r\nLS- leaf.plain\r\nPING\r\n' +
    "-ERR 'Loop detected for leafnode account=\"$G\". Delaying attempt to reconnect for 30s'\r\n",
  'latin1',
);

const EXPECTED = [
  ['info', '{"server_id":"NA","leafnode_urls":["127.0.0.1:7422"]} '],
  ['sub', undefined, '', '$LDS.a3NBzpw1H00nDuYWuudTOy', undefined, 0],
  ['sub', undefined, '', 'leaf.q', 'q1', 2],
  ['msg', undefined, '', 'leaf.plain', '_INBOX.x.y', [], 0, 'ping'],
  ['msg', undefined, '', 'leaf.plain', undefined, [], 25, 'NATS/1.0\r\nX-Test: abc\r\n\r\nhello'],
  ['msg', undefined, '', 'leaf.q', undefined, ['q1'], 0, 'to-queue'],
  ['msg', undefined, '', 'leaf.q', 'r.1', ['q1', 'q2'], 0, 'hi'],
  ['msg', undefined, '', 'leaf.q', 'r.2', ['q1'], 12, 'NATS/1.0\r\n\r\nhi'],
  ['unsub', '', 'leaf.q', 'q1'],
  ['unsub', '', 'leaf.plain', undefined],
  ['ping'],
  ['err', "'Loop detected for leafnode account=\"$G\". Delaying attempt to reconnect for 30s'"],
];

describe('leaf parser', () => {
  it('reads the leaf forms of LS+, LS-, LMSG and HMSG', () => {
    const recorder = new RouteRecordingDispatcher();
    createLeafParser(recorder).parse(LEAF_STREAM);
    expect(recorder.events).toEqual(EXPECTED);
  });

  it('gives the same events for every split of the stream', () => {
    for (let at = 1; at < LEAF_STREAM.length; at += 7) {
      const recorder = new RouteRecordingDispatcher();
      const parser = createLeafParser(recorder);
      for (const chunk of splitAt(LEAF_STREAM, [at])) parser.parse(chunk);
      expect(recorder.events).toEqual(EXPECTED);
    }
  });

  it('refuses an LS+ with a dangling queue', () => {
    const recorder = new RouteRecordingDispatcher();
    createLeafParser(recorder).parse(Buffer.from('LS+ foo q1\r\n'));
    expect(recorder.events[0]![0]).toBe('error');
  });

  it('parses what the leaf encoders write', () => {
    const out = new OutboundBuffer();
    writeLeafSub(out, 'a.b', undefined, 0);
    writeLeafSub(out, 'a.>', 'workers', 3);
    writeLeafUnsub(out, 'a.>', 'workers');
    writeLeafMsg(out, 'a.b', 'r', ['workers'], Buffer.from('NATS/1.0\r\n\r\n'), Buffer.from('x'));
    writeLeafMsg(out, 'a.b', undefined, undefined, undefined, Buffer.from('yz'));
    const bytes = Buffer.from(out.take());
    expect(bytes.toString('latin1')).toBe(
      'LS+ a.b\r\nLS+ a.> workers 3\r\nLS- a.> workers\r\nHMSG a.b + r workers 12 13\r\nNATS/1.0\r\n\r\nx\r\nLMSG a.b 2\r\nyz\r\n',
    );
    const recorder = new RouteRecordingDispatcher();
    createLeafParser(recorder).parse(bytes);
    expect(recorder.events).toEqual([
      ['sub', undefined, '', 'a.b', undefined, 0],
      ['sub', undefined, '', 'a.>', 'workers', 3],
      ['unsub', '', 'a.>', 'workers'],
      ['msg', undefined, '', 'a.b', 'r', ['workers'], 12, 'NATS/1.0\r\n\r\nx'],
      ['msg', undefined, '', 'a.b', undefined, [], 0, 'yz'],
    ]);
  });
});
