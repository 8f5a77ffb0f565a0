import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './schema.js';
import type { BusFrame } from './schema.js';
import { ROLES } from './types.js';

function roundTrip(frame: BusFrame): BusFrame {
  return decodeFrame(encodeFrame(frame));
}

describe('bus schema', () => {
  it('round-trips MemberHello for every role', () => {
    for (const role of ROLES) {
      const frame: BusFrame = { kind: 'hello', member: { memberId: 'm1', nodeId: 'n1', role, version: '0.1.0' } };
      expect(roundTrip(frame)).toEqual(frame);
    }
  });

  it('round-trips Heartbeat including 64-bit sequence numbers', () => {
    expect(roundTrip({ kind: 'heartbeat', memberId: 'm1', seq: 0 })).toEqual({ kind: 'heartbeat', memberId: 'm1', seq: 0 });
    const big: BusFrame = { kind: 'heartbeat', memberId: 'm1', seq: 2 ** 40 + 7 };
    expect(roundTrip(big)).toEqual(big);
  });

  it('round-trips InterestChange with and without a queue', () => {
    const plain: BusFrame = { kind: 'interest', change: { account: '$G', subject: 'foo.>', weight: 1, add: true } };
    const queue: BusFrame = { kind: 'interest', change: { account: 'A', subject: 'bar', queue: 'q', weight: 0, add: false } };
    expect(roundTrip(plain)).toEqual(plain);
    expect(roundTrip(queue)).toEqual(queue);
  });

  it('round-trips InterestSnapshot, empty or not', () => {
    const frame: BusFrame = {
      kind: 'snapshot',
      interests: [
        { account: '$G', subject: 'a', weight: 1, add: true },
        { account: '$G', subject: 'b', queue: 'workers', weight: 3, add: true },
      ],
    };
    expect(roundTrip(frame)).toEqual(frame);
    expect(roundTrip({ kind: 'snapshot', interests: [] })).toEqual({ kind: 'snapshot', interests: [] });
  });

  it('round-trips MessageDelivery with every field, and leaves absent fields absent', () => {
    const full: BusFrame = {
      kind: 'message',
      message: {
        account: '$G',
        subject: 'orders.new',
        reply: '_INBOX.abc',
        data: Buffer.from('NATS/1.0\r\nX: 1\r\n\r\nhello'),
        headerSize: 'NATS/1.0\r\nX: 1\r\n\r\n'.length,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        originMemberId: 'n1/client-gateway/1',
        queues: ['q1', 'q2'],
      },
    };
    const decoded = roundTrip(full);
    expect(decoded.kind).toBe('message');
    if (decoded.kind !== 'message' || full.kind !== 'message') return;
    const { data, ...rest } = decoded.message;
    const { data: sentData, ...sentRest } = full.message;
    expect(rest).toEqual(sentRest);
    expect(Buffer.from(data).equals(Buffer.from(sentData))).toBe(true);

    const minimal = roundTrip({ kind: 'message', message: { account: 'A', subject: 's', headerSize: 0, data: new Uint8Array(0), originMemberId: 'm' } });
    expect(minimal).toEqual({ kind: 'message', message: { account: 'A', subject: 's', data: new Uint8Array(0), headerSize: 0, originMemberId: 'm' } });
  });

  it('decodes byte fields as views of the input, without copying', () => {
    const bytes = encodeFrame({ kind: 'message', message: { account: 'A', subject: 's', headerSize: 0, data: Buffer.from('xyz'), originMemberId: 'm' } });
    const input = Buffer.from(bytes);
    const decoded = decodeFrame(input);
    if (decoded.kind !== 'message') throw new Error('expected a message');
    expect(decoded.message.data.buffer).toBe(input.buffer);
  });

  it('round-trips MemberState, with and without a cluster name', () => {
    const full: BusFrame = { kind: 'state', state: { clientUrls: ['127.0.0.1:4222', '10.0.0.2:4222'], cluster: 'A' } };
    const empty: BusFrame = { kind: 'state', state: { clientUrls: [] } };
    expect(roundTrip(full)).toEqual(full);
    expect(roundTrip(empty)).toEqual(empty);
  });

  it('round-trips the gateway part of MemberState', () => {
    const gateway: BusFrame = {
      kind: 'state',
      state: {
        clientUrls: [],
        gatewayUrl: '127.0.0.1:7222',
        clusterGatewayUrls: ['127.0.0.1:7223'],
        gateways: [
          { name: 'B', urls: ['127.0.0.1:7322', '127.0.0.1:7323'] },
          { name: 'C', urls: ['127.0.0.1:7422'] },
        ],
      },
      memberId: 'm1',
    };
    expect(roundTrip(gateway)).toEqual(gateway);
  });

  it('rejects frames without a body and malformed bytes', () => {
    expect(() => decodeFrame(new Uint8Array(0))).toThrow(/no body/);
    expect(() => decodeFrame(Uint8Array.from([0x2a, 0x05, 0x0a]))).toThrow();
  });
});
