import { describe, expect, it } from 'vitest';
import { goJson } from '../api/go-json.js';
import type { JsApiError } from '../api/js-errors.js';
import {
  checkStreamUpdate,
  parseStreamConfig,
  sameStreamConfig,
  updatedStreamConfig,
  type StreamConfig,
  type StreamConfigContext,
} from './stream-config.js';

function body(json: string): Uint8Array {
  return new TextEncoder().encode(json);
}

function nameOf(json: string): string {
  try {
    const name = (JSON.parse(json) as { name?: unknown }).name;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}

function parsed(json: string, context?: StreamConfigContext): StreamConfig {
  const result = parseStreamConfig(body(json), nameOf(json), context);
  if ('error' in result) throw new Error(`refused: ${result.error.description}`);
  return result.config;
}

function refusal(json: string, context?: StreamConfigContext, nameInSubject = nameOf(json)): JsApiError {
  const result = parseStreamConfig(body(json), nameInSubject, context);
  if ('config' in result) throw new Error(`accepted: ${goJson(result.config)}`);
  return result.error;
}

function invalid(text: string): JsApiError {
  return { code: 500, err_code: 10052, description: text };
}

const ORDERS_REQUEST =
  '{"name":"ORDERS","subjects":["orders.>"],"retention":"limits","max_consumers":-1,"max_msgs":1000,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":-1,"max_msg_size":-1,"storage":"file","discard":"old","num_replicas":1,"duplicate_window":120000000000,"allow_direct":true}';
const ORDERS_CONFIG =
  '{"name":"ORDERS","subjects":["orders.\\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":1000,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false}';

describe('parseStreamConfig: the config nats-server echoes', () => {
  it('ORDERS (JETSTREAM.md §2), byte for byte', () => {
    expect(goJson(parsed(ORDERS_REQUEST))).toBe(ORDERS_CONFIG);
  });

  it('KV_cfg as @nats-io/kv creates it (JETSTREAM.md §8), byte for byte', () => {
    const request =
      '{"name":"KV_cfg","retention":"limits","max_msgs_per_subject":5,"max_bytes":-1,"max_msg_size":-1,"storage":"file","subjects":["$KV.cfg.>"],"discard":"new","allow_direct":true,"num_replicas":1,"allow_rollup_hdrs":true}';
    expect(goJson(parsed(request))).toBe(
      '{"name":"KV_cfg","subjects":["$KV.cfg.\\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":5,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":true}',
    );
  });

  it('fills the defaults (MEM, §2)', () => {
    expect(goJson(parsed('{"name":"MEM","subjects":["mem.*"],"storage":"memory"}'))).toBe(
      '{"name":"MEM","subjects":["mem.*"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"memory","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false}',
    );
  });

  it('clips the default duplicate window to a shorter max_age (KV ttl, §8)', () => {
    const config = parsed('{"name":"KV_ttl","subjects":["$KV.ttl.>"],"max_age":60000000000}');
    expect(config.duplicate_window).toBe(60_000_000_000);
    expect(parsed('{"name":"LONG","max_age":3600000000000}').duplicate_window).toBe(120_000_000_000);
  });

  it('takes the stream name as its subject when none is given', () => {
    expect(parsed('{"name":"PLAIN"}').subjects).toEqual(['PLAIN']);
    expect(parsed('{"name":"PLAIN","subjects":[]}').subjects).toEqual(['PLAIN']);
    expect(parsed('{"name":"PLAIN","subjects":null}').subjects).toEqual(['PLAIN']);
  });

  it('a mirror of a leaf stream (§10): no subjects, no default duplicate window', () => {
    const request = '{"name":"MIRROR","storage":"file","mirror":{"name":"ORDERS","external":{"api":"$JS.edge.API","deliver":""}}}';
    expect(goJson(parsed(request))).toBe(
      '{"name":"MIRROR","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"mirror":{"name":"ORDERS","external":{"api":"$JS.edge.API","deliver":""}},"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false}',
    );
  });

  it('a source with a filter (§10): the external gains "deliver":""', () => {
    const request = '{"name":"SRC","storage":"memory","sources":[{"name":"ORDERS","filter_subject":"orders.new","external":{"api":"$JS.edge.API"}}]}';
    const config = parsed(request);
    expect(config.subjects).toBeUndefined();
    expect(config.duplicate_window).toBe(120_000_000_000);
    expect(goJson(config.sources)).toBe('[{"name":"ORDERS","filter_subject":"orders.new","external":{"api":"$JS.edge.API","deliver":""}}]');
  });

  it('puts every optional field in its place', () => {
    const request = JSON.stringify({
      allow_rollup_hdrs: true,
      discard_new_per_subject: true,
      republish: { headers_only: true, dest: 'repub.>' },
      placement: { tags: ['a'], cluster: 'c' },
      duplicate_window: 1_000_000_000,
      no_ack: true,
      num_replicas: 1,
      discard: 'new',
      max_msgs_per_subject: 1,
      subjects: ['all.>'],
      description: 'every <field> & more',
      name: 'ALL',
    });
    expect(goJson(parsed(request))).toBe(
      '{"name":"ALL","description":"every \\u003cfield\\u003e \\u0026 more","subjects":["all.\\u003e"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":1,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"no_ack":true,"duplicate_window":1000000000,"placement":{"cluster":"c","tags":["a"]},"republish":{"src":"\\u003e","dest":"repub.\\u003e","headers_only":true},"allow_direct":false,"mirror_direct":false,"discard_new_per_subject":true,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":true}',
    );
  });

  it('writes a source start time back as Go marshals it', () => {
    const config = parsed('{"name":"S","sources":[{"name":"O","opt_start_seq":5,"opt_start_time":"2026-12-02T08:00:57.500+01:00"}]}');
    expect(goJson(config.sources)).toBe('[{"name":"O","opt_start_seq":5,"opt_start_time":"2026-12-02T08:00:57.5+01:00"}]');
  });

  it('keeps an empty placement and drops empty members inside it', () => {
    expect(goJson(parsed('{"name":"P","placement":{"cluster":"","tags":[]}}').placement)).toBe('{}');
    expect(parsed('{"name":"P","placement":null}').placement).toBeUndefined();
  });

  it('keeps limits below zero as given (nats-server does not refuse them)', () => {
    const config = parsed('{"name":"NEG","max_msgs":-5,"max_bytes":-2,"max_consumers":-3,"max_msgs_per_subject":-4,"max_msg_size":-6}');
    expect([config.max_msgs, config.max_bytes, config.max_consumers, config.max_msgs_per_subject, config.max_msg_size]).toEqual([-5, -2, -3, -4, -6]);
  });

  it('ignores unknown fields and matches known ones case-insensitively, as Go does', () => {
    expect(goJson(parsed(ORDERS_REQUEST.replace('{', '{"unknown":{"deep":[1,2]},"action":"create",')))).toBe(ORDERS_CONFIG);
    expect(parsed('{"name":"X","MAX_MSGS":7,"Storage":"memory"}')).toMatchObject({ max_msgs: 7, storage: 'memory' });
  });

  it('takes the discard word in any case, the others only in lower case', () => {
    expect(parsed('{"name":"D","discard":"NEW"}').discard).toBe('new');
    expect(parsed('{"name":"D","retention":"workqueue","storage":"memory"}')).toMatchObject({ retention: 'workqueue', storage: 'memory' });
  });
});

describe('parseStreamConfig: refusals', () => {
  it.each([
    ['{not json', '(transcript)'],
    ['', 'empty body'],
    ['[]', 'not an object'],
    ['{"name":"X","max_msgs":"5"}', 'string for a number'],
    ['{"name":"X","max_msgs":1.5}', 'fraction for an integer'],
    ['{"name":"X","max_age":1e9}', 'exponent for an integer'],
    ['{"name":"X","max_msg_size":2147483648}', 'beyond int32'],
    ['{"name":"X","subjects":"x"}', 'string for a list'],
    ['{"name":"X","subjects":[1]}', 'number in the subjects'],
    ['{"name":"X","sealed":"true"}', 'string for a bool'],
    ['{"name":"X","storage":"MEMORY"}', 'storage word in capitals'],
    ['{"name":"X","storage":1}', 'storage as a number'],
    ['{"name":"X","storage":null}', 'storage null'],
    ['{"name":"X","retention":0}', 'retention as a number'],
    ['{"name":"X","retention":"Limits"}', 'retention in capitals'],
    ['{"name":"X","discard":"oldest"}', 'unknown discard word'],
    ['{"name":"X","discard":null}', 'discard null'],
    ['{"name":"X","mirror":"ORDERS"}', 'string for a mirror'],
    ['{"name":"X","sources":[null]}', 'null source'],
    ['{"name":"X","sources":[{"name":"O","opt_start_seq":-1}]}', 'negative start sequence'],
    ['{"name":"X","sources":[{"name":"O","opt_start_time":"yesterday"}]}', 'not a time'],
  ])('invalid JSON: %s (%s)', (json) => {
    expect(refusal(json, undefined, 'X')).toEqual({ code: 400, err_code: 10025, description: 'invalid JSON' });
  });

  it('a name in the subject other than the body’s (transcript: CREATE.ABC with XYZ)', () => {
    expect(refusal('{"name":"XYZ"}', undefined, 'ABC')).toEqual({ code: 400, err_code: 10056, description: 'stream name in subject does not match request' });
    expect(refusal('null', undefined, 'ABC').err_code).toBe(10056);
  });

  it.each(['{"name":"A.B"}', '{"name":"A*"}', '{"name":"A>"}', '{"name":"A B"}', '{"name":"A\\tB"}', '{"name":""}'])('an invalid name: %s', (json) => {
    expect(refusal(json)).toEqual(invalid("stream name is required and can not contain '.', '*', '>'"));
  });

  it('a name with a path separator', () => {
    expect(refusal('{"name":"A/B"}')).toEqual({ code: 400, err_code: 10128, description: 'Stream name can not contain path separators' });
    expect(refusal('{"name":"A\\\\B"}').err_code).toBe(10128);
  });

  it('a name or description too long, counted in UTF-8 bytes', () => {
    expect(refusal(`{"name":"${'é'.repeat(128)}"}`)).toEqual(invalid('stream name is too long, maximum allowed is 255'));
    expect(parsed(`{"name":"${'a'.repeat(255)}"}`).name).toHaveLength(255);
    expect(refusal(`{"name":"D","description":"${'a'.repeat(4097)}"}`)).toEqual(invalid('stream description is too long, maximum allowed is 4096'));
  });

  it('replicas: more than one, more than five, below zero', () => {
    expect(refusal('{"name":"R","num_replicas":3}')).toEqual({ code: 500, err_code: 10074, description: 'replicas > 1 not supported in non-clustered mode' });
    expect(refusal('{"name":"R","num_replicas":6}')).toEqual(invalid('maximum replicas is 5'));
    expect(refusal('{"name":"R","num_replicas":-1}')).toEqual({ code: 400, err_code: 10133, description: 'replicas count cannot be negative' });
    expect(refusal('{"name":"R","num_replicas":3}', { action: 'update' }).err_code).toBe(10074);
    // With the Redis store, Redis replicates file streams: more replicas are accepted for those.
    expect(parsed('{"name":"R","num_replicas":3}', { redisStore: true }).num_replicas).toBe(3);
    expect(refusal('{"name":"R","num_replicas":3,"storage":"memory"}', { redisStore: true }).err_code).toBe(10074);
  });

  it('the storage type "any", which nats-server 2.9.10 takes but cannot store', () => {
    expect(refusal('{"name":"S","storage":"any"}')).toEqual(invalid('invalid storage type'));
  });

  it('ages and duplicate windows', () => {
    expect(refusal('{"name":"A","max_age":50000000}')).toEqual(invalid('max age needs to be >= 100ms'));
    expect(refusal('{"name":"A","max_age":-1}')).toEqual(invalid('duplicates window can not be negative'));
    expect(refusal('{"name":"A","duplicate_window":-1}')).toEqual(invalid('duplicates window can not be negative'));
    expect(refusal('{"name":"A","max_age":60000000000,"duplicate_window":120000000000}')).toEqual(
      invalid('duplicates window can not be larger then max age'),
    );
    expect(refusal('{"name":"A","duplicate_window":50000000}')).toEqual(invalid('duplicates window needs to be >= 100ms'));
  });

  it('roll-ups without purges, and discard new per subject without its requirements', () => {
    expect(refusal('{"name":"R","deny_purge":true,"allow_rollup_hdrs":true}')).toEqual(invalid('roll-ups require the purge permission'));
    expect(refusal('{"name":"D","discard_new_per_subject":true,"max_msgs_per_subject":1}')).toEqual(
      invalid('discard new per subject requires discard new policy to be set'),
    );
    expect(refusal('{"name":"D","discard_new_per_subject":true,"discard":"new"}')).toEqual(
      invalid('discard new per subject requires max msgs per subject > 0'),
    );
    expect(parsed('{"name":"D","deny_delete":true,"deny_purge":true}')).toMatchObject({ deny_delete: true, deny_purge: true });
  });

  it('sealed on create, and mirror_direct without a mirror', () => {
    expect(refusal('{"name":"S","sealed":true}')).toEqual(invalid('stream configuration for create can not be sealed'));
    expect(refusal('{"name":"S","mirror_direct":true}')).toEqual(invalid('stream has no mirror but does have mirror direct'));
    expect(parsed('{"name":"S","sealed":true}', { action: 'update' }).sealed).toBe(true);
  });

  it('subjects: invalid, repeated, overlapping each other, or in the JetStream API', () => {
    for (const subject of ['foo..bar', 'foo.>.bar', 'foo bar', '.foo', '']) {
      expect(refusal(JSON.stringify({ name: 'S', subjects: [subject] }))).toEqual(invalid('invalid subject'));
    }
    expect(refusal('{"name":"S","subjects":["a","a"]}')).toEqual(invalid('duplicate subjects detected'));
    expect(refusal('{"name":"S","subjects":["a.*","a.b"]}')).toEqual(invalid('subject "a.*" overlaps with "a.b"'));
    expect(refusal('{"name":"S","subjects":["$JS.API.STREAM.>"]}')).toEqual(invalid('subjects overlap with jetstream api'));
    expect(refusal('{"name":"S","subjects":["$JS.API.INFO"]}')).toEqual(invalid('subjects overlap with jetstream api'));
    // nats-server refuses subsets of $JS.API.> only, not wider subjects.
    expect(parsed('{"name":"S","subjects":[">"]}').subjects).toEqual(['>']);
    expect(parsed('{"name":"S","subjects":["$JS.>"]}').subjects).toEqual(['$JS.>']);
  });

  it('mirrors with subjects or sources', () => {
    expect(refusal('{"name":"M","mirror":{"name":"O"},"subjects":["m"]}')).toEqual({
      code: 400,
      err_code: 10034,
      description: 'stream mirrors can not contain subjects',
    });
    expect(refusal('{"name":"M","mirror":{"name":"O"},"sources":[{"name":"P"}]}')).toEqual({
      code: 400,
      err_code: 10031,
      description: 'stream mirrors can not also contain other sources',
    });
  });

  it('external prefixes', () => {
    expect(refusal('{"name":"M","mirror":{"name":"O","external":{"api":"$JS.*.API","deliver":""}}}')).toEqual(
      invalid('stream external api prefix "$JS.*.API" must be a valid subject without wildcards'),
    );
    expect(refusal('{"name":"M","mirror":{"name":"O","external":{"api":"$JS.API","deliver":""}}}')).toEqual({
      code: 400,
      err_code: 10021,
      description: 'stream external api prefix $JS.API must not overlap with $JS.API',
    });
    expect(refusal('{"name":"M","sources":[{"name":"O","external":{"api":"$JS.e.API","deliver":"d.>"}}]}')).toEqual({
      code: 400,
      err_code: 10024,
      description: 'stream external delivery prefix d.> must not contain wildcards',
    });
  });

  it('republish', () => {
    expect(refusal('{"name":"R","subjects":["a.>"],"republish":{"src":"b.>","dest":"c.>"}}')).toEqual(
      invalid('stream configuration for republish source is not valid subset of subjects'),
    );
    expect(refusal('{"name":"R","subjects":["a.>"],"republish":{"dest":"a.b.>"}}')).toEqual(
      invalid('stream configuration for republish destination forms a cycle'),
    );
    expect(refusal('{"name":"R","subjects":["a.>"],"republish":{"dest":"b"}}')).toEqual(invalid('stream configuration for republish not valid'));
    // Any of the stream's subjects, wildcards either side; checked before the transform itself.
    expect(refusal('{"name":"R","subjects":["x","a.*"],"republish":{"src":"x","dest":"a.b"}}')).toEqual(
      invalid('stream configuration for republish destination forms a cycle'),
    );
    expect(refusal('{"name":"R","subjects":["a.b"],"republish":{"src":"a.b","dest":"*.*"}}')).toEqual(
      invalid('stream configuration for republish destination forms a cycle'),
    );
    // Without subjects the stream's name is its subject.
    expect(refusal('{"name":"R","republish":{"dest":"R"}}')).toEqual(invalid('stream configuration for republish destination forms a cycle'));
    expect(refusal('{"name":"R","mirror":{"name":"O"},"republish":{"dest":"b.>"}}')).toEqual(
      invalid('stream configuration for republish source is not valid subset of subjects'),
    );
    expect(parsed('{"name":"R","subjects":["a.*"],"republish":{"src":"a.*","dest":"b.$1"}}').republish).toEqual({ src: 'a.*', dest: 'b.$1' });
  });

  it('a template owner on create (there are no templates to own a stream)', () => {
    expect(refusal('{"name":"T","template_owner":"tmpl"}')).toEqual({ code: 500, err_code: 10049, description: 'stream not owned by template' });
  });

  it('on update, a config error comes before the name check', () => {
    expect(refusal('{"name":"A.B"}', { action: 'update' }, 'ABC').err_code).toBe(10052);
    expect(refusal('{"name":"XYZ"}', { action: 'update' }, 'ABC').err_code).toBe(10056);
    expect(refusal('{"name":"A.B"}', undefined, 'ABC').err_code).toBe(10056);
  });
});

describe('parseStreamConfig with the account’s streams and limits', () => {
  const streams = new Map<string, StreamConfig>([
    ['ORDERS', parsed(ORDERS_REQUEST)],
    ['SMALL', parsed('{"name":"SMALL","subjects":["small"],"max_msg_size":100}')],
    ['A', parsed('{"name":"A","sources":[{"name":"B"}]}')],
    ['B', parsed('{"name":"B","subjects":["b"]}')],
  ]);
  const context: StreamConfigContext = { streamConfig: (name) => streams.get(name) };

  it('a mirror takes its origin’s allow_direct as mirror_direct', () => {
    expect(parsed('{"name":"M","mirror":{"name":"ORDERS"}}', context).mirror_direct).toBe(true);
    expect(parsed('{"name":"M","mirror":{"name":"SMALL"},"mirror_direct":true}', { ...context, action: 'update' }).mirror_direct).toBe(false);
    expect(parsed('{"name":"M","mirror":{"name":"NOWHERE"},"mirror_direct":true}', context).mirror_direct).toBe(true);
  });

  it('a mirror or source may not have a smaller max_msg_size than its origin', () => {
    expect(refusal('{"name":"M","mirror":{"name":"SMALL"},"max_msg_size":50}', context)).toEqual({
      code: 400,
      err_code: 10030,
      description: 'stream mirror must have max message size >= source',
    });
    expect(refusal('{"name":"S","sources":[{"name":"SMALL"}],"max_msg_size":50}', context)).toEqual({
      code: 400,
      err_code: 10046,
      description: 'stream source must have max message size >= target',
    });
  });

  it('a filter must overlap the origin’s subjects', () => {
    expect(refusal('{"name":"M","mirror":{"name":"ORDERS","filter_subject":"other"}}', context)).toEqual(
      invalid("mirror 'ORDERS' filter subject 'other' does not overlap with any origin stream subject"),
    );
    expect(refusal('{"name":"S","sources":[{"name":"ORDERS","filter_subject":"other"}]}', context)).toEqual(
      invalid("source 'ORDERS' filter subject 'other' does not overlap with any origin stream subject"),
    );
    expect(parsed('{"name":"S","sources":[{"name":"ORDERS","filter_subject":"orders.new"}]}', context).sources).toHaveLength(1);
  });

  it('a delivery prefix may not reach back into the origin’s subjects', () => {
    expect(refusal('{"name":"S","sources":[{"name":"B","external":{"api":"$JS.e.API","deliver":"d"}}]}', {
      streamConfig: () => parsed('{"name":"B","subjects":["*.>"]}'),
    })).toEqual({ code: 400, err_code: 10022, description: 'stream external delivery prefix d overlaps with stream subject *.>' });
  });

  it('sources may not form a cycle', () => {
    expect(refusal('{"name":"B","subjects":["b"],"sources":[{"name":"A"}]}', { ...context, action: 'update' })).toEqual(invalid('detected cycle'));
    expect(refusal('{"name":"SELF","sources":[{"name":"SELF"}]}', context)).toEqual(invalid('detected cycle'));
    expect(parsed('{"name":"C","sources":[{"name":"A"}]}', context).sources).toEqual([{ name: 'A' }]);
  });

  it('account limits on max_bytes', () => {
    const accountLimits = { max_bytes_required: true, memory_max_stream_bytes: 1000, storage_max_stream_bytes: -1 };
    expect(refusal('{"name":"L"}', { accountLimits })).toEqual({
      code: 400,
      err_code: 10113,
      description: 'account requires a stream config to have max bytes set',
    });
    expect(refusal('{"name":"L","storage":"memory","max_bytes":1001}', { accountLimits })).toEqual({
      code: 400,
      err_code: 10122,
      description: 'stream max bytes exceeds account limit max stream bytes',
    });
    expect(parsed('{"name":"L","max_bytes":1000000}', { accountLimits }).max_bytes).toBe(1_000_000);
  });
});

describe('checkStreamUpdate', () => {
  const current = parsed(ORDERS_REQUEST);
  const update = (change: Record<string, unknown>): StreamConfig =>
    parsed(JSON.stringify({ ...(JSON.parse(ORDERS_REQUEST) as object), ...change }), { action: 'update' });

  it('allows what 2.9.10 allows', () => {
    expect(checkStreamUpdate(current, update({ max_msgs: 2000 }))).toBeUndefined();
    expect(checkStreamUpdate(current, update({ subjects: ['orders.>', 'more.>'], allow_direct: false, deny_delete: true }))).toBeUndefined();
  });

  it('refuses a storage change with the transcript’s error (§2), byte for byte', () => {
    expect(goJson(checkStreamUpdate(current, update({ storage: 'memory' })))).toBe(
      '{"code":500,"err_code":10052,"description":"stream configuration update can not change storage type"}',
    );
  });

  it.each<[Record<string, unknown>, string]>([
    [{ max_consumers: 5 }, 'stream configuration update can not change MaxConsumers'],
    [{ retention: 'interest' }, 'stream configuration update can not change retention policy'],
    [{ template_owner: 'tmpl' }, 'stream configuration update can not be owned by a template'],
    [{ republish: { dest: 'repub.>' } }, 'stream configuration update can not change RePublish'],
  ])('refuses %j', (change, text) => {
    expect(checkStreamUpdate(current, update(change))).toEqual(invalid(text));
  });

  it('refuses a changed name, and undoing sealed or deny_*', () => {
    expect(checkStreamUpdate(current, { ...current, name: 'OTHER' })).toEqual(invalid('stream configuration name must match original'));
    const locked = update({ sealed: true, deny_delete: true, deny_purge: true });
    expect(checkStreamUpdate(locked, update({ deny_delete: true, deny_purge: true }))).toEqual(
      invalid('stream configuration update can not unseal a sealed stream'),
    );
    expect(checkStreamUpdate(locked, update({ sealed: true, deny_purge: true }))).toEqual(
      invalid('stream configuration update can not cancel deny message deletes'),
    );
    expect(checkStreamUpdate(locked, update({ sealed: true, deny_delete: true }))).toEqual(
      invalid('stream configuration update can not cancel deny purge'),
    );
  });

  it('refuses any change to a mirror', () => {
    const mirror = parsed('{"name":"M","mirror":{"name":"O"}}');
    const changed = parsed('{"name":"M","mirror":{"name":"O","opt_start_seq":3}}', { action: 'update' });
    expect(checkStreamUpdate(mirror, changed)).toEqual({ code: 400, err_code: 10055, description: 'stream mirror configuration can not be updated' });
    expect(checkStreamUpdate(mirror, parsed('{"name":"M","mirror":{"name":"O"}}', { action: 'update' }))).toBeUndefined();
  });
});

describe('updatedStreamConfig', () => {
  it('is the new config, with what sealing forces when it seals', () => {
    const current = parsed(ORDERS_REQUEST);
    const sealed = parsed(ORDERS_REQUEST.replace('"allow_direct":true', '"allow_direct":true,"sealed":true'), { action: 'update' });
    const result = updatedStreamConfig(current, sealed);
    expect(result).toEqual({ config: { ...sealed, max_age: 0, discard: 'new', deny_delete: true, deny_purge: true, allow_rollup_hdrs: false } });
    expect('config' in result && goJson(result.config)).toBe(
      ORDERS_CONFIG.replace('"max_age":3600000000000', '"max_age":0')
        .replace('"discard":"old"', '"discard":"new"')
        .replace('"sealed":false,"deny_delete":false,"deny_purge":false', '"sealed":true,"deny_delete":true,"deny_purge":true'),
    );
    expect(updatedStreamConfig(current, current)).toEqual({ config: current });
    expect(updatedStreamConfig(current, { ...current, storage: 'memory' })).toHaveProperty('error.err_code', 10052);
  });
});

describe('sameStreamConfig', () => {
  it('the same request again is the same config; another max_msgs is not (§2)', () => {
    expect(sameStreamConfig(parsed(ORDERS_REQUEST), parsed(ORDERS_REQUEST))).toBe(true);
    expect(sameStreamConfig(parsed(ORDERS_REQUEST), parsed(ORDERS_REQUEST.replace('"max_msgs":1000', '"max_msgs":5')))).toBe(false);
  });

  it('compares normalized configs, not the requests', () => {
    expect(sameStreamConfig(parsed('{"name":"N"}'), parsed('{"name":"N","subjects":["N"],"max_msgs":0,"storage":"file","duplicate_window":120000000000}'))).toBe(
      true,
    );
    expect(sameStreamConfig(parsed('{"name":"N","sources":[{"name":"A"}]}'), parsed('{"name":"N","sources":[{"name":"B"}]}'))).toBe(false);
  });

  it('does not depend on key order or absent versus undefined keys', () => {
    const config = parsed(ORDERS_REQUEST);
    const reordered = Object.fromEntries(Object.entries(config).reverse()) as unknown as StreamConfig;
    expect(sameStreamConfig(config, reordered)).toBe(true);
    expect(sameStreamConfig(config, { ...config, description: undefined })).toBe(true);
  });
});
