import { describe, expect, it } from 'vitest';
import { goJson } from './go-json.js';
import { JsErrors, jsError, type JsErrorName } from './js-errors.js';

describe('jsError', () => {
  // The error objects of the 2.9.10 transcripts (JETSTREAM.md §1-§5), byte for byte.
  it.each<[JsErrorName, Record<string, string | number> | undefined, string]>([
    ['StreamNotFound', undefined, '{"code":404,"err_code":10059,"description":"stream not found"}'],
    ['StreamWrongLastSequence', { seq: 6 }, '{"code":400,"err_code":10071,"description":"wrong last sequence: 6"}'],
    ['StreamWrongLastMsgID', { id: '' }, '{"code":400,"err_code":10070,"description":"wrong last msg ID: "}'],
    ['StreamNotMatch', undefined, '{"code":400,"err_code":10060,"description":"expected stream does not match"}'],
    ['StreamStoreFailed', { err: 'maximum messages exceeded' }, '{"code":503,"err_code":10077,"description":"maximum messages exceeded"}'],
    ['StreamMessageExceedsMaximum', undefined, '{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"}'],
    ['StreamRollupFailed', { err: 'rollup not permitted' }, '{"code":500,"err_code":10111,"description":"rollup not permitted"}'],
    ['StreamNameExist', undefined, '{"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"}'],
    ['StreamSubjectOverlap', undefined, '{"code":400,"err_code":10065,"description":"subjects overlap with an existing stream"}'],
    ['InvalidJSON', undefined, '{"code":400,"err_code":10025,"description":"invalid JSON"}'],
    ['StreamMismatch', undefined, '{"code":400,"err_code":10056,"description":"stream name in subject does not match request"}'],
    ['MaximumStreamsLimit', undefined, '{"code":400,"err_code":10027,"description":"maximum number of streams reached"}'],
    [
      'StreamInvalidConfig',
      { err: 'stream configuration update can not change storage type' },
      '{"code":500,"err_code":10052,"description":"stream configuration update can not change storage type"}',
    ],
    ['NoMessageFound', undefined, '{"code":404,"err_code":10037,"description":"no message found"}'],
    ['StreamMsgDeleteFailed', { err: 'no message found' }, '{"code":500,"err_code":10057,"description":"no message found"}'],
    ['NotEnabledForAccount', undefined, '{"code":503,"err_code":10039,"description":"JetStream not enabled for account"}'],
    ['ConsumerNotFound', undefined, '{"code":404,"err_code":10014,"description":"consumer not found"}'],
    [
      'ConsumerDurableNameNotMatchSubject',
      undefined,
      '{"code":400,"err_code":10017,"description":"consumer name in subject does not match durable name in request"}',
    ],
    ['ConsumerCreate', { err: 'ack policy can not be updated' }, '{"code":500,"err_code":10012,"description":"ack policy can not be updated"}'],
    ['StreamReplicasNotSupported', undefined, '{"code":500,"err_code":10074,"description":"replicas \\u003e 1 not supported in non-clustered mode"}'],
  ])('%s %j', (name, args, json) => {
    expect(goJson(jsError(name, args))).toBe(json);
  });

  it('fills every placeholder and leaves one without an argument as it is', () => {
    expect(jsError('StreamExternalDelPrefixOverlaps', { prefix: 'd', subject: 'foo' }).description).toBe(
      'stream external delivery prefix d overlaps with stream subject foo',
    );
    expect(jsError('StreamWrongLastSequence').description).toBe('wrong last sequence: {seq}');
    expect(jsError('StreamWrongLastSequence', { id: 1 }).description).toBe('wrong last sequence: {seq}');
  });

  it('returns a new object each time; the table is not changed through it', () => {
    const error = jsError('StreamNotFound');
    error.description = 'changed';
    expect(jsError('StreamNotFound').description).toBe('stream not found');
    expect(JsErrors.StreamNotFound.description).toBe('stream not found');
  });

  it('has one entry per err_code', () => {
    const codes = Object.values(JsErrors).map((template) => template.err_code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
