import { describe, expect, it } from 'vitest';
import { PullRequest, parsePullRequest } from './pull-request.js';

const parse = (body: string): PullRequest | string => parsePullRequest(Buffer.from(body), '_INBOX.x');

describe('parsePullRequest', () => {
  it('reads an empty body, a number and anything else not JSON as nats-server does', () => {
    expect(parse('')).toMatchObject({ batch: 1, expiresNs: 0, noWait: false });
    expect(parse(' 7 ')).toMatchObject({ batch: 7 });
    expect(parse('many')).toMatchObject({ batch: 1 });
  });

  it('reads the JSON fields, their names in any case', () => {
    expect(parse('{"Batch":3,"expires":1000000000,"no_wait":true,"max_bytes":100,"idle_heartbeat":400000000}')).toMatchObject({
      batch: 3,
      expiresNs: 1_000_000_000,
      noWait: true,
      maxBytes: 100,
      heartbeatNs: 400_000_000,
    });
  });

  it('answers with Go\'s words for what it cannot decode', () => {
    expect(parse('{"batch":true}')).toBe('400 Bad Request - json: cannot unmarshal bool into Go struct field JSApiConsumerGetNextRequest.batch of type int');
    expect(parse('{"expires":[1]}')).toBe('400 Bad Request - json: cannot unmarshal array into Go struct field JSApiConsumerGetNextRequest.expires of type time.Duration');
    expect(parse('{"batch":1e3}')).toBe('400 Bad Request - json: cannot unmarshal number 1e3 into Go struct field JSApiConsumerGetNextRequest.batch of type int');
    expect(parse('{"batch":')).toBe('400 Bad Request - unexpected end of JSON input');
  });

  it('refuses a heartbeat more than half the expiry', () => {
    expect(parse('{"expires":1000000000,"idle_heartbeat":600000000}')).toBe('400 Bad Request - heartbeat value too large');
    expect(parse('{"idle_heartbeat":1}')).toBe('400 Bad Request - heartbeat value too large');
  });
});
