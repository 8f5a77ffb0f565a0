import { describe, expect, it } from 'vitest';
import { goJson } from '../api/go-json.js';
import type { JsApiError } from '../api/js-errors.js';
import { parseStreamConfig, type StreamConfig } from '../streams/stream-config.js';
import {
  checkConsumerUpdate,
  consumerCreateSubject,
  isPushConsumer,
  parseConsumerCreate,
  samplePercent,
  type ConsumerConfig,
  type ConsumerCreateLimits,
  type ConsumerCreateStream,
  type ConsumerCreateSubject,
} from './consumer-config.js';

const encoder = new TextEncoder();

function streamConfig(json: string): StreamConfig {
  const name = (JSON.parse(json) as { name: string }).name;
  const result = parseStreamConfig(encoder.encode(json), name);
  if ('error' in result) throw new Error(`stream refused: ${result.error.description}`);
  return result.config;
}

// The streams of JETSTREAM.md §2 and §8.
const ORDERS = streamConfig(
  '{"name":"ORDERS","subjects":["orders.>"],"retention":"limits","max_consumers":-1,"max_msgs":1000,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":-1,"max_msg_size":-1,"storage":"file","discard":"old","num_replicas":1,"duplicate_window":120000000000,"allow_direct":true}',
);
const KV_CFG = streamConfig(
  '{"name":"KV_cfg","retention":"limits","max_msgs_per_subject":5,"max_bytes":-1,"max_msg_size":-1,"storage":"file","subjects":["$KV.cfg.>"],"discard":"new","allow_direct":true,"num_replicas":1,"allow_rollup_hdrs":true}',
);
const WQ = streamConfig('{"name":"WQ","subjects":["jobs.>"],"retention":"workqueue"}');

const NO_LIMITS: ConsumerCreateLimits = { maxAckPending: -1 };

/** The create subject of a whole API subject (`$JS.API.CONSUMER...`). */
function subjectOf(apiSubject: string): ConsumerCreateSubject {
  const subject = consumerCreateSubject(apiSubject.split('.').slice(2));
  if (subject === undefined) throw new Error(`not a create subject: ${apiSubject}`);
  return subject;
}

interface Options {
  config?: StreamConfig;
  otherFilters?: (string | undefined)[];
  stream?: Partial<ConsumerCreateStream> | null;
  limits?: ConsumerCreateLimits;
}

function create(apiSubject: string, body: string, options: Options = {}): ReturnType<typeof parseConsumerCreate> {
  const config = options.config ?? ORDERS;
  const stream: ConsumerCreateStream | undefined =
    options.stream === null ? undefined : { config, otherFilters: options.otherFilters ?? [], ...options.stream };
  return parseConsumerCreate(encoder.encode(body), subjectOf(apiSubject), stream, options.limits ?? NO_LIMITS);
}

function created(apiSubject: string, body: string, options?: Options): { config: ConsumerConfig; durable: boolean; name: string | undefined } {
  const result = create(apiSubject, body, options);
  if ('error' in result) throw new Error(`refused: ${result.error.description}`);
  return result;
}

/** The config as nats-server echoes it in the create response. */
function echoed(apiSubject: string, body: string, options?: Options): string {
  return goJson(created(apiSubject, body, options).config);
}

function refusal(apiSubject: string, body: string, options?: Options): JsApiError {
  const result = create(apiSubject, body, options);
  if ('config' in result) throw new Error(`accepted: ${goJson(result.config)}`);
  return result.error;
}

function configWith(fields: string, options?: Options): ConsumerConfig {
  return created('$JS.API.CONSUMER.CREATE.ORDERS', `{"stream_name":"ORDERS","config":{${fields}}}`, options).config;
}

function refusalWith(fields: string, options?: Options): JsApiError {
  return refusal('$JS.API.CONSUMER.CREATE.ORDERS', `{"stream_name":"ORDERS","config":{${fields}}}`, options);
}

const badRequest = (err_code: number, description: string): JsApiError => ({ code: 400, err_code, description });
const policyError = (description: string): JsApiError => badRequest(10094, description);
const createError = (description: string): JsApiError => ({ code: 500, err_code: 10012, description });

describe('parseConsumerCreate: the config nats-server 2.9.10 echoes (JETSTREAM.md §5-§8), byte for byte', () => {
  it('an ephemeral push consumer: CONSUMER.CREATE.<stream>', () => {
    const result = created(
      '$JS.API.CONSUMER.CREATE.ORDERS',
      '{"stream_name":"ORDERS","config":{"deliver_subject":"push.1","deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000}}',
    );
    expect(goJson(result.config)).toBe(
      '{"deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","max_ack_pending":1000,"deliver_subject":"push.1","inactive_threshold":5000000000,"num_replicas":0}',
    );
    expect(result.durable).toBe(false);
    expect(result.name).toBeUndefined();
    expect(isPushConsumer(result.config)).toBe(true);
  });

  it('a durable pull consumer through DURABLE.CREATE: max_waiting 512, no name filled in', () => {
    const result = created(
      '$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.D1',
      '{"stream_name":"ORDERS","config":{"durable_name":"D1","ack_policy":"explicit","deliver_policy":"all"}}',
    );
    expect(goJson(result.config)).toBe(
      '{"durable_name":"D1","deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"num_replicas":0}',
    );
    expect(result.durable).toBe(true);
    expect(result.name).toBe('D1');
    expect(isPushConsumer(result.config)).toBe(false);
  });

  it('a durable through CREATE.<stream>.<name>: durable_name before name', () => {
    expect(
      echoed(
        '$JS.API.CONSUMER.CREATE.ORDERS.D2',
        '{"stream_name":"ORDERS","config":{"name":"D2","durable_name":"D2","ack_policy":"explicit","filter_subject":"orders.new"}}',
      ),
    ).toBe(
      '{"durable_name":"D2","name":"D2","deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"filter_subject":"orders.new","replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"num_replicas":0}',
    );
  });

  it('the CREATE.<stream>.<name> form fills in name when only durable_name is sent', () => {
    const result = created('$JS.API.CONSUMER.CREATE.ORDERS.PUSHD', '{"stream_name":"ORDERS","config":{"durable_name":"PUSHD","deliver_subject":"push.d","ack_policy":"explicit"}}');
    expect(result.config.name).toBe('PUSHD');
    expect(result.config.durable_name).toBe('PUSHD');
    expect(result.durable).toBe(true);
  });

  it('name without durable_name, filter in the subject (CREATE.ORDERS.D3.orders.old): an ephemeral named D3', () => {
    const result = created('$JS.API.CONSUMER.CREATE.ORDERS.D3.orders.old', '{"stream_name":"ORDERS","config":{"name":"D3","ack_policy":"explicit","filter_subject":"orders.old"}}');
    expect(goJson(result.config)).toBe(
      '{"name":"D3","deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"filter_subject":"orders.old","replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"inactive_threshold":5000000000,"num_replicas":0}',
    );
    expect(result.durable).toBe(false);
    expect(result.name).toBe('D3');
  });

  it('CREATE.ORDERS.D4 with config.name "OTHER" creates D4', () => {
    const result = created('$JS.API.CONSUMER.CREATE.ORDERS.D4', '{"stream_name":"ORDERS","config":{"name":"OTHER","ack_policy":"explicit"}}');
    expect(result.name).toBe('D4');
    expect(result.config.name).toBe('D4');
  });

  it('a body with only stream_name: an ephemeral pull consumer with ack none', () => {
    const result = created('$JS.API.CONSUMER.CREATE.ORDERS', '{"stream_name":"ORDERS"}');
    expect(goJson(result.config)).toBe(
      '{"deliver_policy":"all","ack_policy":"none","max_deliver":-1,"replay_policy":"instant","max_waiting":512,"inactive_threshold":5000000000,"num_replicas":0}',
    );
    expect(result.name).toBeUndefined();
  });

  it("the KV ordered consumer of @nats-io/kv keys(): unknown request fields ignored, > escaped", () => {
    const request =
      '{"config":{"deliver_policy":"last_per_subject","ack_policy":"none","filter_subject":"$KV.cfg.>","flow_control":true,"idle_heartbeat":30000000000,"headers_only":true,"inactive_threshold":300000000000,"num_replicas":1,"max_deliver":1,"name":"oc_w1rFE3MHTrhGPvERewyU2K_1","deliver_subject":"_INBOX.w1rFE3MHTrhGPvERewyU5t.1"},"stream_name":"KV_cfg","action":"create","pedantic":false}';
    const result = created('$JS.API.CONSUMER.CREATE.KV_cfg.oc_w1rFE3MHTrhGPvERewyU2K_1.$KV.cfg.>', request, { config: KV_CFG });
    expect(goJson(result.config)).toBe(
      '{"name":"oc_w1rFE3MHTrhGPvERewyU2K_1","deliver_policy":"last_per_subject","ack_policy":"none","max_deliver":1,"filter_subject":"$KV.cfg.\\u003e","replay_policy":"instant","idle_heartbeat":30000000000,"flow_control":true,"headers_only":true,"deliver_subject":"_INBOX.w1rFE3MHTrhGPvERewyU5t.1","inactive_threshold":300000000000,"num_replicas":1}',
    );
    expect(result.durable).toBe(false);
  });

  it('the flow-control push consumer of §6', () => {
    expect(
      echoed('$JS.API.CONSUMER.CREATE.ORDERS', '{"stream_name":"ORDERS","config":{"deliver_subject":"fc.1","ack_policy":"none","flow_control":true,"idle_heartbeat":1000000000}}'),
    ).toBe(
      '{"deliver_policy":"all","ack_policy":"none","max_deliver":-1,"replay_policy":"instant","idle_heartbeat":1000000000,"flow_control":true,"deliver_subject":"fc.1","inactive_threshold":5000000000,"num_replicas":0}',
    );
  });

  it('every other field, in field order', () => {
    expect(
      goJson(
        configWith(
          '"direct":false,"mem_storage":true,"max_bytes":1024,"max_expires":2000000000,"max_batch":2,"headers_only":true,"sample_freq":"50%","max_ack_pending":7,"max_waiting":3,"replay_policy":"original","backoff":[1000000000,2000000000],"max_deliver":5,"ack_policy":"all","opt_start_time":"2026-12-02T08:02:18.4636+01:00","deliver_policy":"by_start_time","description":"every field","durable_name":""',
        ),
      ),
    ).toBe(
      '{"description":"every field","deliver_policy":"by_start_time","opt_start_time":"2026-12-02T08:02:18.4636+01:00","ack_policy":"all","ack_wait":1000000000,"max_deliver":5,"backoff":[1000000000,2000000000],"replay_policy":"original","sample_freq":"50%","max_waiting":3,"max_ack_pending":7,"headers_only":true,"max_batch":2,"max_expires":2000000000,"max_bytes":1024,"inactive_threshold":5000000000,"num_replicas":0,"mem_storage":true}',
    );
    expect(
      goJson(configWith('"deliver_subject":"d.1","deliver_group":"q","rate_limit_bps":8000,"deliver_policy":"by_start_sequence","opt_start_seq":4,"ack_policy":"explicit","inactive_threshold":-3')),
    ).toBe(
      '{"deliver_policy":"by_start_sequence","opt_start_seq":4,"ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","rate_limit_bps":8000,"max_ack_pending":1000,"deliver_subject":"d.1","deliver_group":"q","inactive_threshold":5000000000,"num_replicas":0}',
    );
  });

  it('all deliver policies; "undefined" reads as all', () => {
    expect(configWith('"deliver_policy":"undefined"').deliver_policy).toBe('all');
    expect(configWith('"deliver_policy":"last"').deliver_policy).toBe('last');
    expect(configWith('"deliver_policy":"new"').deliver_policy).toBe('new');
    expect(configWith('"deliver_policy":"last_per_subject","filter_subject":"orders.*"').deliver_policy).toBe('last_per_subject');
  });

  it('a durable keeps its inactive_threshold as given, none when not given', () => {
    const durable = (fields: string): ConsumerConfig =>
      created('$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.D', `{"stream_name":"ORDERS","config":{"durable_name":"D"${fields}}}`).config;
    expect(durable('').inactive_threshold).toBeUndefined();
    expect(durable(',"inactive_threshold":-1').inactive_threshold).toBe(-1);
    expect(durable(',"inactive_threshold":60000000000').inactive_threshold).toBe(60_000_000_000);
  });

  it('the account limit caps the default max_ack_pending; ack none gets none, nor an ack_wait', () => {
    expect(configWith('"ack_policy":"explicit"', { limits: { maxAckPending: 100 } }).max_ack_pending).toBe(100);
    expect(configWith('"ack_policy":"all"', { limits: { maxAckPending: 5000 } }).max_ack_pending).toBe(1000);
    expect(configWith('"ack_policy":"explicit"', { limits: { maxAckPending: 5000, serverMaxAckPending: 10 } }).max_ack_pending).toBe(10);
    const none = configWith('"ack_policy":"none"', { limits: { maxAckPending: 100 } });
    expect(none.max_ack_pending).toBeUndefined();
    expect(none.ack_wait).toBeUndefined();
  });

  it("a backoff sets ack_wait to its first value, even with ack none", () => {
    expect(configWith('"backoff":[2000000000,5000000000],"max_deliver":3').ack_wait).toBe(2_000_000_000);
    expect(configWith('"ack_policy":"explicit","ack_wait":9000000000,"backoff":[2000000000],"max_deliver":2').ack_wait).toBe(2_000_000_000);
  });

  it("a pull consumer gets the server's max request batch", () => {
    expect(configWith('', { limits: { maxAckPending: -1, serverMaxRequestBatch: 100 } }).max_batch).toBe(100);
    expect(configWith('"deliver_subject":"p.1"', { limits: { maxAckPending: -1, serverMaxRequestBatch: 100 } }).max_batch).toBeUndefined();
  });

  it('push consumers may set the pull limits (2.9.10 does not check them)', () => {
    const config = configWith('"deliver_subject":"p.1","max_batch":5,"max_expires":1000,"max_bytes":-1');
    expect([config.max_batch, config.max_expires, config.max_bytes]).toEqual([5, 1000, -1]);
  });

  it('keys match case-insensitively and null leaves a field unset', () => {
    expect(goJson(configWith('"ACK_POLICY":"explicit","Durable_Name":null,"opt_start_time":null,"backoff":null'))).toBe(
      '{"deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"inactive_threshold":5000000000,"num_replicas":0}',
    );
  });
});

describe('parseConsumerCreate: refusals in nats-server 2.9.10 order and words', () => {
  it('invalid JSON (10025), including values Go can not decode', () => {
    const invalidJson = badRequest(10025, 'invalid JSON');
    for (const body of ['', '{bad', '[]', '{"stream_name":"ORDERS","config":"x"}']) {
      expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS', body)).toEqual(invalidJson);
    }
    for (const fields of ['"ack_policy":"bogus"', '"ack_policy":null', '"deliver_policy":"ALL"', '"replay_policy":1', '"ack_wait":"30s"', '"max_deliver":1.5', '"opt_start_seq":-1', '"opt_start_time":"yesterday"', '"flow_control":"true"', '"backoff":[1,"2"]']) {
      expect(refusalWith(fields)).toEqual(invalidJson);
    }
    // The JSON is read before anything else is looked at.
    expect(refusal('$JS.API.CONSUMER.DURABLE.CREATE.NOPE.X', '{bad', { stream: null })).toEqual(invalidJson);
  });

  it('the subject against the request: 10056, 10127, 10018, 10017, 10020, 10131, then replicas', () => {
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS', '{"stream_name":"OTHER"}')).toEqual(badRequest(10056, 'stream name in subject does not match request'));
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS', '{"config":{}}')).toEqual(badRequest(10056, 'stream name in subject does not match request'));
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS.a\\b', '{"stream_name":"ORDERS"}')).toEqual(badRequest(10127, 'Consumer name can not contain path separators'));
    expect(refusal('$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.a/b', '{"stream_name":"ORDERS","config":{"durable_name":"a/b"}}')).toEqual(
      badRequest(10127, 'Consumer name can not contain path separators'),
    );
    expect(refusal('$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.D1', '{"stream_name":"ORDERS","config":{"name":"D1"}}')).toEqual(
      badRequest(10018, 'consumer expected to be durable but a durable name was not set'),
    );
    const mismatch = badRequest(10017, 'consumer name in subject does not match durable name in request');
    expect(refusal('$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X1', '{"stream_name":"ORDERS","config":{"durable_name":"X2"}}')).toEqual(mismatch);
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS.X1', '{"stream_name":"ORDERS","config":{"durable_name":"X2"}}')).toEqual(mismatch);
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS', '{"stream_name":"ORDERS","config":{"durable_name":"D"}}')).toEqual(
      badRequest(10020, 'consumer expected to be ephemeral but a durable name was set in request'),
    );
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS.C.orders.new', '{"stream_name":"ORDERS","config":{"filter_subject":"orders.old"}}')).toEqual(
      badRequest(10131, 'Consumer create request did not match filtered subject from create subject'),
    );
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS.C.orders.new', '{"stream_name":"ORDERS"}')).toEqual(
      badRequest(10131, 'Consumer create request did not match filtered subject from create subject'),
    );
    expect(refusalWith('"num_replicas":3')).toEqual({ code: 500, err_code: 10074, description: 'replicas > 1 not supported in non-clustered mode' });
  });

  it('a missing stream (10059) comes after the request checks', () => {
    expect(refusal('$JS.API.CONSUMER.CREATE.NOPE', '{"stream_name":"NOPE"}', { stream: null })).toEqual({ code: 404, err_code: 10059, description: 'stream not found' });
    expect(refusal('$JS.API.CONSUMER.CREATE.NOPE', '{"stream_name":"OTHER"}', { stream: null }).err_code).toBe(10056);
    expect(refusal('$JS.API.CONSUMER.CREATE.NOPE', '{"stream_name":"NOPE","config":{"num_replicas":2}}', { stream: null }).err_code).toBe(10074);
  });

  it('the general checks: replicas, backoff, description', () => {
    expect(refusalWith('"num_replicas":-1')).toEqual(badRequest(10133, 'replicas count cannot be negative'));
    const backoff = badRequest(10116, 'max deliver is required to be > length of backoff values');
    expect(refusalWith('"backoff":[1000000000]')).toEqual(backoff);
    expect(refusalWith('"backoff":[1000000000,2000000000],"max_deliver":2')).toEqual(backoff);
    expect(configWith('"backoff":[1000000000,2000000000],"max_deliver":3').max_deliver).toBe(3);
    expect(refusalWith(`"description":"${'é'.repeat(2049)}"`)).toEqual(badRequest(10107, 'consumer description is too long, maximum allowed is 4096'));
    expect(configWith(`"description":"${'x'.repeat(4096)}"`).description).toHaveLength(4096);
  });

  it('push consumers: deliver subject, max_waiting, max_ack_pending with ack none, heartbeat', () => {
    expect(refusalWith('"deliver_subject":"push.*"')).toEqual(badRequest(10079, 'consumer deliver subject has wildcards'));
    expect(refusalWith('"deliver_subject":"push..x"')).toEqual(badRequest(10112, 'invalid push consumer deliver subject'));
    expect(refusalWith('"deliver_subject":"push x"')).toEqual(badRequest(10112, 'invalid push consumer deliver subject'));
    expect(refusalWith('"deliver_subject":"orders.new"')).toEqual(badRequest(10081, 'consumer deliver subject forms a cycle'));
    expect(refusalWith('"deliver_subject":"push.1","max_waiting":10')).toEqual(badRequest(10080, 'consumer in push mode can not set max waiting'));
    expect(refusalWith('"deliver_subject":"push.1","max_ack_pending":10')).toEqual(badRequest(10082, 'consumer requires ack policy for max ack pending'));
    expect(refusalWith('"deliver_subject":"push.1","idle_heartbeat":99999999')).toEqual(badRequest(10083, 'consumer idle heartbeat needs to be >= 100ms'));
    expect(configWith('"deliver_subject":"push.1","idle_heartbeat":100000000').idle_heartbeat).toBe(100_000_000);
    expect(refusalWith('"deliver_subject":"push.1","flow_control":true')).toEqual(badRequest(10108, 'consumer with flow control also needs heartbeats'));
  });

  it('pull consumers refuse the push-only fields and bad pull limits', () => {
    expect(refusalWith('"rate_limit_bps":1')).toEqual(badRequest(10086, 'consumer in pull mode can not have rate limit set'));
    expect(refusalWith('"max_waiting":-1')).toEqual(badRequest(10087, 'consumer max waiting needs to be positive'));
    expect(refusalWith('"idle_heartbeat":1000000000')).toEqual(badRequest(10088, 'consumer idle heartbeat requires a push based consumer'));
    expect(refusalWith('"flow_control":true')).toEqual(badRequest(10089, 'consumer flow control requires a push based consumer'));
    expect(refusalWith('"max_batch":-1')).toEqual(badRequest(10114, 'consumer max request batch needs to be > 0'));
    expect(refusalWith('"max_expires":999999')).toEqual(badRequest(10115, 'consumer max request expires needs to be >= 1ms'));
    expect(refusalWith('"max_expires":-1')).toEqual(badRequest(10115, 'consumer max request expires needs to be >= 1ms'));
    expect(configWith('"max_expires":1000000').max_expires).toBe(1_000_000);
    expect(refusalWith('"max_batch":101', { limits: { maxAckPending: -1, serverMaxRequestBatch: 100 } })).toEqual(
      badRequest(10125, 'consumer max request batch exceeds server limit of 100'),
    );
    // An ack-none pull consumer may set max_ack_pending (only push ones are refused).
    expect(configWith('"max_ack_pending":5').max_ack_pending).toBe(5);
  });

  it("max_ack_pending above the server's, then the account's limit (10121)", () => {
    expect(refusalWith('"ack_policy":"explicit","max_ack_pending":600', { limits: { maxAckPending: 100, serverMaxAckPending: 500 } })).toEqual(
      badRequest(10121, 'consumer max ack pending exceeds system limit of 500'),
    );
    expect(refusalWith('"ack_policy":"explicit","max_ack_pending":300', { limits: { maxAckPending: 100, serverMaxAckPending: 500 } })).toEqual(
      badRequest(10121, 'consumer max ack pending exceeds system limit of 100'),
    );
  });

  it('direct consumers are push ephemerals', () => {
    expect(refusalWith('"direct":true')).toEqual(badRequest(10090, 'consumer direct requires a push based consumer'));
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS.D', '{"stream_name":"ORDERS","config":{"durable_name":"D","direct":true,"deliver_subject":"x.1"}}')).toEqual(
      badRequest(10091, 'consumer direct requires an ephemeral consumer'),
    );
    expect(configWith('"direct":true,"deliver_subject":"x.1"').direct).toBe(true);
  });

  it("filter_subject within the stream's subjects (10093)", () => {
    const notSubset = badRequest(10093, 'consumer filter subject is not a valid subset of the interest subjects');
    expect(refusalWith('"filter_subject":"other.x"')).toEqual(notSubset);
    expect(refusalWith('"filter_subject":"orders..x"')).toEqual(notSubset);
    expect(refusalWith('"filter_subject":"*.new"')).toEqual(notSubset);
    expect(configWith('"filter_subject":"orders.*.x"').filter_subject).toBe('orders.*.x');
    // A wildcard filter wider than the stream's subject still matches some of it.
    const narrow = streamConfig('{"name":"N","subjects":["orders.new"]}');
    expect(configWith('"filter_subject":">"', { config: narrow }).filter_subject).toBe('>');
    expect(configWith('"filter_subject":"orders.*"', { config: narrow }).filter_subject).toBe('orders.*');
    expect(refusalWith('"filter_subject":"orders.old"', { config: narrow })).toEqual(notSubset);
  });

  it("a mirror's or source's filter: the origins' subjects when streams can be looked up", () => {
    const mirror = streamConfig('{"name":"M","mirror":{"name":"ORDERS"}}');
    const sourced = streamConfig('{"name":"S","subjects":["s.>"],"sources":[{"name":"M"},{"name":"KV_cfg"}]}');
    const streams = new Map([
      ['ORDERS', ORDERS],
      ['KV_cfg', KV_CFG],
      ['M', mirror],
    ]);
    const lookup = { streamConfig: (name: string) => streams.get(name) };
    const notSubset = badRequest(10093, 'consumer filter subject is not a valid subset of the interest subjects');
    // Without a way to look streams up, any filter is taken.
    expect(configWith('"filter_subject":"any.thing"', { config: mirror }).filter_subject).toBe('any.thing');
    expect(configWith('"filter_subject":"orders.new"', { config: mirror, stream: lookup }).filter_subject).toBe('orders.new');
    expect(refusalWith('"filter_subject":"any.thing"', { config: mirror, stream: lookup })).toEqual(notSubset);
    expect(refusalWith('"filter_subject":"orders.new"', { config: mirror, stream: { streamConfig: () => undefined } })).toEqual(notSubset);
    for (const filter of ['s.1', 'orders.new', '$KV.cfg.a']) {
      expect(configWith(`"filter_subject":"${filter}"`, { config: sourced, stream: lookup }).filter_subject).toBe(filter);
    }
    expect(refusalWith('"filter_subject":"x"', { config: sourced, stream: lookup })).toEqual(notSubset);
    const external = streamConfig('{"name":"E","mirror":{"name":"ORDERS","external":{"api":"$JS.hub.API","deliver":""}}}');
    expect(configWith('"filter_subject":"any.thing"', { config: external, stream: lookup }).filter_subject).toBe('any.thing');
  });

  it('the start position against the deliver policy (10094)', () => {
    const time = '"opt_start_time":"2026-12-02T07:02:18Z"';
    expect(refusalWith('"opt_start_seq":1')).toEqual(policyError('consumer delivery policy is deliver all, but optional start sequence is also set'));
    expect(refusalWith(time)).toEqual(policyError('consumer delivery policy is deliver all, but optional start time is also set'));
    expect(refusalWith('"deliver_policy":"last","opt_start_seq":1')).toEqual(policyError('consumer delivery policy is deliver last, but optional start sequence is also set'));
    expect(refusalWith(`"deliver_policy":"new",${time}`)).toEqual(policyError('consumer delivery policy is deliver new, but optional start time is also set'));
    expect(refusalWith('"deliver_policy":"last_per_subject","opt_start_seq":1')).toEqual(
      policyError('consumer delivery policy is deliver last per subject, but optional start sequence is also set'),
    );
    expect(refusalWith('"deliver_policy":"last_per_subject"')).toEqual(policyError('consumer delivery policy is deliver last per subject, but optional filter subject is not set'));
    expect(refusalWith('"deliver_policy":"by_start_sequence"')).toEqual(policyError('consumer delivery policy is deliver by start sequence, but optional start sequence is not set'));
    expect(refusalWith(`"deliver_policy":"by_start_sequence","opt_start_seq":2,${time}`)).toEqual(
      policyError('consumer delivery policy is deliver by start sequence, but optional start time is also set'),
    );
    expect(refusalWith('"deliver_policy":"by_start_time"')).toEqual(policyError('consumer delivery policy is deliver by start time, but optional start time is not set'));
    expect(refusalWith(`"deliver_policy":"by_start_time","opt_start_seq":2,${time}`)).toEqual(
      policyError('consumer delivery policy is deliver by start time, but optional start start sequence is also set'),
    );
    expect(configWith(`"deliver_policy":"by_start_time",${time}`).opt_start_time).toBe('2026-12-02T07:02:18Z');
    expect(configWith('"deliver_policy":"by_start_sequence","opt_start_seq":2').opt_start_seq).toBe(2);
  });

  it('sample_freq as strconv.Atoi reads it (10095)', () => {
    const sampling = (err: string): JsApiError => badRequest(10095, `failed to parse consumer sampling configuration: ${err}`);
    expect(refusalWith('"sample_freq":"abc"')).toEqual(sampling('strconv.Atoi: parsing "abc": invalid syntax'));
    expect(refusalWith('"sample_freq":"%"')).toEqual(sampling('strconv.Atoi: parsing "": invalid syntax'));
    expect(refusalWith('"sample_freq":"5%%"')).toEqual(sampling('strconv.Atoi: parsing "5%": invalid syntax'));
    expect(refusalWith('"sample_freq":"9223372036854775808"')).toEqual(sampling('strconv.Atoi: parsing "9223372036854775808": value out of range'));
    expect(refusalWith('"sample_freq":"-5%"')).toEqual(sampling('<nil>'));
    for (const freq of ['50', '50%', '+7', '0', '150%']) expect(configWith(`"sample_freq":"${freq}"`).sample_freq).toBe(freq);
  });

  it('samplePercent: the percentage of an accepted sample_freq, in an int32 as nats-server keeps it', () => {
    expect([undefined, '', '0', '50', '50%', '+7', '150%'].map(samplePercent)).toEqual([0, 0, 0, 50, 50, 7, 150]);
    expect(samplePercent('4294967346')).toBe(50);
  });

  it('durable_name and name must agree (10132, on the DURABLE.CREATE form)', () => {
    expect(refusal('$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.D1', '{"stream_name":"ORDERS","config":{"durable_name":"D1","name":"OTHER"}}')).toEqual(
      badRequest(10132, 'Consumer Durable and Name have to be equal if both are provided'),
    );
    expect(created('$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.D1', '{"stream_name":"ORDERS","config":{"durable_name":"D1","name":"D1"}}').config.name).toBe('D1');
  });

  it('the consumer name: length for durables (10102), characters for every named consumer (10103)', () => {
    const long = 'n'.repeat(256);
    expect(refusal(`$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.${long}`, `{"stream_name":"ORDERS","config":{"durable_name":"${long}"}}`)).toEqual(
      badRequest(10102, 'consumer name is too long, maximum allowed is 255'),
    );
    expect(created(`$JS.API.CONSUMER.CREATE.ORDERS.${long}`, '{"stream_name":"ORDERS"}').name).toBe(long);
    const badName = badRequest(10103, "durable name can not contain '.', '*', '>'");
    expect(refusalWith('"name":"a.b"')).toEqual(badName);
    expect(refusalWith('"name":"a b"')).toEqual(badName);
    expect(refusal('$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.*', '{"stream_name":"ORDERS","config":{"durable_name":"*"}}')).toEqual(badName);
    expect(created('$JS.API.CONSUMER.CREATE.ORDERS', '{"stream_name":"ORDERS","config":{"name":"E1"}}').name).toBe('E1');
  });

  it("the stream's and the account's max_consumers (10026)", () => {
    const one = streamConfig('{"name":"ONE","subjects":["one"],"max_consumers":1}');
    const limit = badRequest(10026, 'maximum consumers limit reached');
    expect(refusal('$JS.API.CONSUMER.CREATE.ONE', '{"stream_name":"ONE"}', { config: one, otherFilters: [undefined] })).toEqual(limit);
    expect(created('$JS.API.CONSUMER.CREATE.ONE', '{"stream_name":"ONE"}', { config: one }).durable).toBe(false);
    expect(refusalWith('', { otherFilters: ['a', 'b'], limits: { maxAckPending: -1, maxConsumers: 2 } })).toEqual(limit);
    expect(configWith('', { otherFilters: ['a'], limits: { maxAckPending: -1, maxConsumers: 2 } }).ack_policy).toBe('none');
  });
});

describe('parseConsumerCreate on a work queue stream', () => {
  const wq = (fields: string, otherFilters: (string | undefined)[] = []): ReturnType<typeof parseConsumerCreate> =>
    create('$JS.API.CONSUMER.CREATE.WQ', `{"stream_name":"WQ","config":{${fields}}}`, { config: WQ, otherFilters });
  const errorOf = (result: ReturnType<typeof parseConsumerCreate>): JsApiError | undefined => ('error' in result ? result.error : undefined);

  it('explicit acks: a pull consumer must ack (10084), any consumer explicitly (10098)', () => {
    expect(errorOf(wq(''))).toEqual(badRequest(10084, 'consumer in pull mode requires ack policy'));
    const explicit = badRequest(10098, 'workqueue stream requires explicit ack');
    expect(errorOf(wq('"ack_policy":"all"'))).toEqual(explicit);
    expect(errorOf(wq('"deliver_subject":"w.1"'))).toEqual(explicit);
    expect(errorOf(wq('"ack_policy":"explicit"'))).toBeUndefined();
    // Direct consumers are left out of the work queue rules.
    expect(errorOf(wq('"deliver_subject":"w.1","direct":true'))).toBeUndefined();
  });

  it('a second consumer needs a filter not overlapping the others (10099, 10100)', () => {
    const explicit = '"ack_policy":"explicit"';
    expect(errorOf(wq(explicit, ['jobs.a']))).toEqual(badRequest(10099, 'multiple non-filtered consumers not allowed on workqueue stream'));
    const notUnique = badRequest(10100, 'filtered consumer not unique on workqueue stream');
    expect(errorOf(wq(`${explicit},"filter_subject":"jobs.a"`, ['jobs.a']))).toEqual(notUnique);
    expect(errorOf(wq(`${explicit},"filter_subject":"jobs.*.x"`, ['jobs.>']))).toEqual(notUnique);
    expect(errorOf(wq(`${explicit},"filter_subject":"jobs.>"`, ['jobs.a.x']))).toEqual(notUnique);
    expect(errorOf(wq(`${explicit},"filter_subject":"jobs.b"`, [undefined]))).toEqual(notUnique);
    expect(errorOf(wq(`${explicit},"filter_subject":"jobs.b"`, ['jobs.a', 'jobs.c.>']))).toBeUndefined();
    // nats-server tests subset matches, not overlaps: these two share jobs.a.b.
    expect(errorOf(wq(`${explicit},"filter_subject":"jobs.a.*"`, ['jobs.*.b']))).toBeUndefined();
  });

  it('deliver all only (10101)', () => {
    expect(errorOf(wq('"ack_policy":"explicit","deliver_policy":"new"'))).toEqual(badRequest(10101, 'consumer must be deliver all on workqueue stream'));
  });

  it('re-creating a consumer updates it instead: no work queue checks', () => {
    const body = '{"stream_name":"WQ","config":{"durable_name":"W","ack_policy":"explicit"}}';
    const first = created('$JS.API.CONSUMER.DURABLE.CREATE.WQ.W', body, { config: WQ });
    const consumers = new Map([['W', first.config]]);
    const again = create('$JS.API.CONSUMER.DURABLE.CREATE.WQ.W', body, { config: WQ, otherFilters: [undefined], stream: { consumer: (name) => consumers.get(name) } });
    expect(again).toEqual({ config: first.config, durable: true, name: 'W', existing: first.config });
    // Without the lookup the consumer counts as another one.
    expect(refusal('$JS.API.CONSUMER.DURABLE.CREATE.WQ.W', body, { config: WQ, otherFilters: [undefined] }).err_code).toBe(10099);
  });
});

describe('checkConsumerUpdate', () => {
  const durable = (fields: string): ConsumerConfig =>
    created('$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.D', `{"stream_name":"ORDERS","config":{"durable_name":"D"${fields}}}`).config;

  it('the same config, or one changing what may change', () => {
    const current = durable(',"ack_policy":"explicit"');
    expect(checkConsumerUpdate(current, durable(',"ack_policy":"explicit"'))).toBeUndefined();
    const changed = durable(
      ',"ack_policy":"explicit","description":"d","ack_wait":1000000000,"max_deliver":4,"max_ack_pending":5,"sample_freq":"10","headers_only":true,"filter_subject":"orders.new","max_batch":3,"inactive_threshold":9',
    );
    expect(checkConsumerUpdate(current, changed)).toBeUndefined();
  });

  it('ack policy can not be updated (10012, §4)', () => {
    expect(checkConsumerUpdate(durable(',"ack_policy":"explicit"'), durable(',"ack_policy":"all"'))).toEqual(createError('ack policy can not be updated'));
  });

  it('the fields that can not change, in order', () => {
    expect(checkConsumerUpdate(durable(''), durable(',"deliver_policy":"new","ack_policy":"all"'))).toEqual(createError('deliver policy can not be updated'));
    expect(checkConsumerUpdate(durable(',"deliver_policy":"by_start_sequence","opt_start_seq":1'), durable(',"deliver_policy":"by_start_sequence","opt_start_seq":2'))).toEqual(
      createError('start sequence can not be updated'),
    );
    expect(checkConsumerUpdate(durable(''), durable(',"replay_policy":"original"'))).toEqual(createError('replay policy can not be updated'));
    const push = ',"deliver_subject":"p.1"';
    expect(checkConsumerUpdate(durable(push), durable(`${push},"idle_heartbeat":1000000000`))).toEqual(createError('heart beats can not be updated'));
    expect(checkConsumerUpdate(durable(`${push},"idle_heartbeat":1000000000`), durable(`${push},"idle_heartbeat":1000000000,"flow_control":true`))).toEqual(
      createError('flow control can not be updated'),
    );
    expect(checkConsumerUpdate(durable(''), durable(',"max_waiting":5'))).toEqual(createError('max waiting can not be updated'));
    // A pull consumer always has max_waiting (512 by default) and a push one never, so this
    // refuses every move between pull and push.
    expect(checkConsumerUpdate(durable(''), durable(push))).toEqual(createError('max waiting can not be updated'));
  });

  it('the deliver subject: not between pull and push, nor away from subscribers (10013)', () => {
    // Configs nats-server would not make, to reach these refusals past the max_waiting one.
    const pull: ConsumerConfig = { ...durable('') };
    delete pull.max_waiting;
    expect(checkConsumerUpdate(pull, durable(',"deliver_subject":"p.1"'))).toEqual(createError('can not update pull consumer to push based'));
    expect(checkConsumerUpdate(durable(',"deliver_subject":"p.1"'), pull)).toEqual(createError('can not update push consumer to pull based'));
    const from = durable(',"deliver_subject":"p.1"');
    const to = durable(',"deliver_subject":"p.2"');
    expect(checkConsumerUpdate(from, to)).toBeUndefined();
    expect(checkConsumerUpdate(from, to, { hasInterest: (subject) => subject === 'p.1' })).toEqual(badRequest(10013, 'consumer name already in use'));
    expect(checkConsumerUpdate(from, to, { hasInterest: (subject) => subject === 'p.2' })).toBeUndefined();
  });

  it('a start time can never be updated, nor the rest of a config that has one', () => {
    const time = ',"deliver_policy":"by_start_time","opt_start_time":"2026-12-02T07:02:18Z"';
    expect(checkConsumerUpdate(durable(time), durable(time))).toBeUndefined();
    expect(checkConsumerUpdate(durable(time), durable(`${time},"description":"x"`))).toEqual(createError('start time can not be updated'));
  });

  it('through parseConsumerCreate with a lookup: the update refused or allowed, as nats-server compares', () => {
    const consumers = new Map<string, ConsumerConfig>();
    const stream = { consumer: (name: string) => consumers.get(name) };
    const first = created('$JS.API.CONSUMER.CREATE.ORDERS.D', '{"stream_name":"ORDERS","config":{"durable_name":"D","ack_policy":"explicit"}}');
    consumers.set('D', first.config);
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS.D', '{"stream_name":"ORDERS","config":{"durable_name":"D","ack_policy":"none"}}', { stream })).toEqual(
      createError('ack policy can not be updated'),
    );
    const update = create('$JS.API.CONSUMER.CREATE.ORDERS.D', '{"stream_name":"ORDERS","config":{"durable_name":"D","ack_policy":"explicit","max_ack_pending":3}}', { stream });
    expect('existing' in update && update.existing).toBe(first.config);

    // A named ephemeral with a start time: nats-server compares the request before it stamps
    // the 5 s threshold, so even the same request is a change, and the start time refuses it.
    const timed = '{"stream_name":"ORDERS","config":{"deliver_policy":"by_start_time","opt_start_time":"2026-12-02T07:02:18Z"}}';
    consumers.set('E', created('$JS.API.CONSUMER.CREATE.ORDERS.E', timed).config);
    expect(refusal('$JS.API.CONSUMER.CREATE.ORDERS.E', timed, { stream })).toEqual(createError('start time can not be updated'));
    const withThreshold = timed.replace('}}', ',"inactive_threshold":5000000000}}');
    consumers.set('F', created('$JS.API.CONSUMER.CREATE.ORDERS.F', withThreshold).config);
    expect('config' in create('$JS.API.CONSUMER.CREATE.ORDERS.F', withThreshold, { stream })).toBe(true);
  });

  it("an update's inactive_threshold: the default stamped only when it changes an ephemeral's", () => {
    const consumers = new Map<string, ConsumerConfig>();
    const stream = { consumer: (name: string) => consumers.get(name) };
    const update = (body: string): ConsumerConfig => {
      const result = create('$JS.API.CONSUMER.CREATE.ORDERS.C', `{"stream_name":"ORDERS","config":{${body}}}`, { stream });
      if (!('existing' in result) || result.existing === undefined) throw new Error(`not an update: ${goJson(result)}`);
      return result.config;
    };
    consumers.set('C', created('$JS.API.CONSUMER.CREATE.ORDERS.C', '{"stream_name":"ORDERS","config":{"inactive_threshold":60000000000}}').config);
    expect(update('').inactive_threshold).toBe(5_000_000_000);
    // What was an ephemeral becomes a durable with the stamped threshold.
    consumers.set('C', created('$JS.API.CONSUMER.CREATE.ORDERS.C', '{"stream_name":"ORDERS"}').config);
    expect(goJson(update('"durable_name":"C"'))).toBe(
      '{"durable_name":"C","name":"C","deliver_policy":"all","ack_policy":"none","max_deliver":-1,"replay_policy":"instant","max_waiting":512,"inactive_threshold":5000000000,"num_replicas":0}',
    );
    // And a durable re-created by name alone is no longer durable, and gets no threshold.
    consumers.set('C', created('$JS.API.CONSUMER.CREATE.ORDERS.C', '{"stream_name":"ORDERS","config":{"durable_name":"C"}}').config);
    expect(goJson(update(''))).toBe('{"name":"C","deliver_policy":"all","ack_policy":"none","max_deliver":-1,"replay_policy":"instant","max_waiting":512,"num_replicas":0}');
  });

  it('the backoff against the new max_deliver (10116)', () => {
    const current = durable(',"backoff":[1,2],"max_deliver":3');
    const next = { ...current, max_deliver: 2 };
    expect(checkConsumerUpdate(current, next)).toEqual(badRequest(10116, 'max deliver is required to be > length of backoff values'));
  });
});

describe('consumerCreateSubject', () => {
  it('the three forms', () => {
    expect(consumerCreateSubject(['CONSUMER', 'CREATE', 'ORDERS'])).toEqual({ stream: 'ORDERS', durableForm: false });
    expect(consumerCreateSubject(['CONSUMER', 'CREATE', 'ORDERS', 'D2'])).toEqual({ stream: 'ORDERS', name: 'D2', durableForm: false });
    expect(consumerCreateSubject(['CONSUMER', 'CREATE', 'KV_cfg', 'oc', '$KV', 'cfg', '>'])).toEqual({ stream: 'KV_cfg', name: 'oc', filter: '$KV.cfg.>', durableForm: false });
    expect(consumerCreateSubject(['CONSUMER', 'DURABLE', 'CREATE', 'ORDERS', 'D1'])).toEqual({ stream: 'ORDERS', name: 'D1', durableForm: true });
  });

  it('subjects nats-server does not serve', () => {
    expect(consumerCreateSubject(['CONSUMER', 'CREATE'])).toBeUndefined();
    expect(consumerCreateSubject(['CONSUMER', 'DURABLE', 'CREATE', 'ORDERS'])).toBeUndefined();
    expect(consumerCreateSubject(['CONSUMER', 'DURABLE', 'CREATE', 'ORDERS', 'D1', 'x'])).toBeUndefined();
    expect(consumerCreateSubject(['STREAM', 'CREATE', 'ORDERS'])).toBeUndefined();
  });

  it('tokens are bytes; the subject is text, as the JSON', () => {
    const latin1 = Buffer.from('café', 'utf8').toString('latin1');
    expect(consumerCreateSubject(['CONSUMER', 'CREATE', latin1])?.stream).toBe('café');
  });

  it('the DURABLE.CREATE form without exactly one name token (10016)', () => {
    const result = parseConsumerCreate(encoder.encode('{"stream_name":"ORDERS"}'), { stream: 'ORDERS', durableForm: true }, { config: ORDERS, otherFilters: [] }, NO_LIMITS);
    expect(result).toEqual({ error: badRequest(10016, 'consumer expected to be durable but no durable name set in subject') });
  });
});
