import { describe, expect, it } from 'vitest';
import { filterExcludes, parseServerRequest, RequestBodyError } from './request-options.js';

const body = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));
const server = { name: 'east-1', host: '0.0.0.0', cluster: 'EAST', tags: ['az:1', 'ssd'], domain: '' };

describe('parseServerRequest', () => {
  it('takes an empty body as no options', () => {
    expect(parseServerRequest('CONNZ', new Uint8Array(0))).toEqual({ query: {}, filter: {}, options: {} });
  });

  it("turns nats-server's option keys into the HTTP endpoint's query", () => {
    expect(parseServerRequest('CONNZ', body({ sort: 'bytes_to', auth: true, subscriptions_detail: true, offset: 2, limit: 5, state: 2, acc: 'A' })).query).toEqual({
      sort: 'bytes_to',
      auth: '1',
      offset: '2',
      limit: '5',
      state: 'all',
      acc: 'A',
      subs: 'detail',
    });
    expect(parseServerRequest('SUBSZ', body({ subscriptions: true, account: 'B', test: 'foo.bar' })).query).toEqual({ subs: '1', acc: 'B', test: 'foo.bar' });
    expect(parseServerRequest('GATEWAYZ', body({ name: 'W', accounts: true, account_name: 'A' })).query).toEqual({ gw_name: 'W', accs: '1', acc_name: 'A' });
    expect(parseServerRequest('JSZ', body({ account: 'A', consumer: true, config: false })).query).toEqual({ acc: 'A', consumers: '1' });
  });

  it('reads the EventFilterOptions', () => {
    expect(parseServerRequest('VARZ', body({ server_name: 'east', tags: ['ssd'], cluster: 'EA' })).filter).toEqual({ server_name: 'east', tags: ['ssd'], cluster: 'EA' });
  });

  it('refuses a body that is not a JSON object', () => {
    expect(() => parseServerRequest('VARZ', Buffer.from('{not json'))).toThrow(RequestBodyError);
    expect(() => parseServerRequest('VARZ', body([1]))).toThrow(RequestBodyError);
  });
});

describe('filterExcludes', () => {
  it("keeps a server that matches every filter, by substring as nats-server's filterRequest", () => {
    expect(filterExcludes({}, server)).toBe(false);
    expect(filterExcludes({ server_name: 'east', cluster: 'EA', tags: ['ssd'] }, server)).toBe(false);
  });

  it('drops a server that misses one', () => {
    expect(filterExcludes({ server_name: 'west' }, server)).toBe(true);
    expect(filterExcludes({ tags: ['ssd', 'az:2'] }, server)).toBe(true);
    expect(filterExcludes({ domain: 'hub' }, server)).toBe(true);
    expect(filterExcludes({ host: '127.0.0.1' }, server)).toBe(true);
  });
});
