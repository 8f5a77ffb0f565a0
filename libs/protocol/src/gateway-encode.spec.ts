import { describe, expect, it } from 'vitest';
import { GatewayCommand, encodeGatewayCommand, encodeGatewayGossip, writeAccountSub, writeAccountUnsub } from './gateway-encode.js';
import {
  gatewayHash,
  gatewayReplyClusterHash,
  gatewayReplyPrefix,
  isGatewayReply,
  unmapGatewayReply,
} from './gateway-reply.js';
import { OutboundBuffer } from './outbound.js';

describe('gateway encoding', () => {
  it('writes gateway commands as nats-server 2.9 does', () => {
    expect(encodeGatewayCommand('B', GatewayCommand.AllSubsStart, '$G').toString()).toBe(
      'INFO {"server_id":"","server_name":"","version":"","proto":0,"go":"","host":"","port":0,"headers":false,"max_payload":0,"gateway":"B","gateway_cmd":2,"gateway_cmd_payload":"JEc="}\r\n',
    );
    expect(encodeGatewayCommand('B', GatewayCommand.AllSubsComplete, '$SYS').toString()).toContain('"gateway_cmd":3,"gateway_cmd_payload":"JFNZUw=="');
  });

  it('writes gateway gossip as nats-server 2.9 does on routes and to new inbound gateways', () => {
    // From a 2.9.10 capture (T3b): A1 tells its route peer about gateway B.
    expect(encodeGatewayGossip('GWNBYIM2', 'A1', 'B', ['127.0.0.1:47224']).toString()).toBe(
      'INFO {"server_id":"GWNBYIM2","server_name":"A1","version":"","proto":0,"go":"","host":"","port":0,"headers":false,"max_payload":0,"gateway":"B","gateway_urls":["127.0.0.1:47224"],"gateway_cmd":1}\r\n',
    );
  });

  it('writes A+ and A-', () => {
    const out = new OutboundBuffer();
    writeAccountSub(out, 'ACC');
    writeAccountUnsub(out, 'NOACC');
    expect(Buffer.from(out.take()).toString()).toBe('A+ ACC\r\nA- NOACC\r\n');
  });
});

describe('gateway reply mapping', () => {
  it('hashes names as nats-server does', () => {
    // From a 2.9.10 capture: hash6("A") and hash6("C").
    expect(gatewayHash('A')).toBe('NUmM6c');
    expect(gatewayHash('C')).toBe('jZ6RvV');
  });

  it('maps and unmaps replies', () => {
    const mapped = `${gatewayReplyPrefix('NUmM6c', 'mqWJpI')}_INBOX.r1`;
    expect(mapped).toBe('_GR_.NUmM6c.mqWJpI._INBOX.r1');
    expect(isGatewayReply(mapped)).toBe(true);
    expect(isGatewayReply('_GR_.short')).toBe(false);
    expect(isGatewayReply('_INBOX.r1')).toBe(false);
    expect(gatewayReplyClusterHash(mapped)).toBe('NUmM6c');
    expect(unmapGatewayReply(mapped)).toBe('_INBOX.r1');
  });
});
