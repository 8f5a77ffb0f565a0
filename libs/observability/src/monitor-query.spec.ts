import { describe, expect, it } from 'vitest';
import { queryBool, queryInt, querySubscriptions, queryUint } from './monitor-query.js';
import { MonitoringRequestError } from './monitoring-reply.js';

function errorOf(fn: () => unknown): MonitoringRequestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MonitoringRequestError) return err;
    throw err;
  }
  throw new Error('expected a MonitoringRequestError');
}

describe('monitoring query parameters', () => {
  it('decodes booleans with Go spellings and nats-server error text', () => {
    expect(queryBool({}, 'auth')).toBe(false);
    expect(queryBool({ auth: '' }, 'auth')).toBe(false);
    expect(queryBool({ auth: 'true' }, 'auth')).toBe(true);
    expect(queryBool({ auth: '1' }, 'auth')).toBe(true);
    expect(queryBool({ auth: 'F' }, 'auth')).toBe(false);
    const err = errorOf(() => queryBool({ subs: 'x' }, 'subs'));
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(`Error decoding boolean for 'subs': strconv.ParseBool: parsing "x": invalid syntax`);
  });

  it('decodes integers', () => {
    expect(queryInt({}, 'limit')).toBe(0);
    expect(queryInt({ limit: '25' }, 'limit')).toBe(25);
    expect(queryInt({ offset: '-3' }, 'offset')).toBe(-3);
    expect(errorOf(() => queryInt({ limit: '2x' }, 'limit')).message).toBe(
      `Error decoding int for 'limit': strconv.Atoi: parsing "2x": invalid syntax`,
    );
    expect(errorOf(() => queryInt({ limit: '99999999999999999999' }, 'limit')).message).toBe(
      `Error decoding int for 'limit': strconv.Atoi: parsing "99999999999999999999": value out of range`,
    );
    expect(queryUint({ cid: '7' }, 'cid')).toBe(7);
    expect(errorOf(() => queryUint({ cid: '-1' }, 'cid')).message).toBe(
      `Error decoding uint64 for 'cid': strconv.ParseUint: parsing "-1": invalid syntax`,
    );
  });

  it('decodes subs as none, list or detail', () => {
    expect(querySubscriptions({})).toBe('none');
    expect(querySubscriptions({ subs: '1' })).toBe('list');
    expect(querySubscriptions({ subs: 'DETAIL' })).toBe('detail');
    expect(() => querySubscriptions({ subs: 'x' })).toThrow(MonitoringRequestError);
  });
});
