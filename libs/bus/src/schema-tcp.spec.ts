import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type BusFrame } from './schema.js';

// The frames (and fields) only the TCP transport uses: who speaks, and which member a frame is about.
describe('bus schema, TCP frames', () => {
  it('round-trips PeerHello and MemberGone', () => {
    const peer: BusFrame = { kind: 'peer', peerId: 'k3j9q2xa7m', url: '127.0.0.1:7100', protocol: 1 };
    const gone: BusFrame = { kind: 'gone', memberId: 'k3j9q2xa7m.2' };
    expect(decodeFrame(encodeFrame(peer))).toEqual(peer);
    expect(decodeFrame(encodeFrame(gone))).toEqual(gone);
  });

  it('round-trips the announcing member of interest and snapshot frames', () => {
    const interest: BusFrame = { kind: 'interest', change: { account: '$G', subject: 'a', queue: 'q', weight: 2, add: true }, memberId: 'p.1' };
    const snapshot: BusFrame = { kind: 'snapshot', interests: [{ account: '$G', subject: 'b', weight: 1, add: true }], memberId: 'p.1' };
    expect(decodeFrame(encodeFrame(interest))).toEqual(interest);
    expect(decodeFrame(encodeFrame(snapshot))).toEqual(snapshot);
  });

  it('round-trips the sending and receiving members of a message, the sender defaulting to the origin', () => {
    const message = { account: '$G', subject: 's', data: new Uint8Array(0), headerSize: 0, originMemberId: 'p.1' };
    expect(decodeFrame(encodeFrame({ kind: 'message', message, from: 'p.2', to: 'q.1' }))).toEqual({ kind: 'message', message, from: 'p.2', to: 'q.1' });
    expect(decodeFrame(encodeFrame({ kind: 'message', message, to: 'q.1' }))).toEqual({ kind: 'message', message, from: 'p.1', to: 'q.1' });
  });
});
