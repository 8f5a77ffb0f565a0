import { randomBytes } from 'node:crypto';
import { consumerCreateSubject, parseConsumerCreate, type ConsumerCreateSubject } from '../consumers/consumer-config.js';
import type { Consumer } from '../consumers/consumer.js';
import type { JetStreamAccount } from '../js-account.js';
import type { Stream } from '../streams/stream.js';
import { fail, type Outcome } from './api-failure.js';
import { jsError } from './js-errors.js';

/** nats-server's page sizes. */
const NAMES_LIMIT = 1024;
const LIST_LIMIT = 256;
const NAME_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** What a CONSUMER.* request is: its response type, its handler, the paging fields kept beside an error. */
export interface ConsumerRequest {
  readonly type: string;
  readonly handle: (account: JetStreamAccount) => Outcome;
  readonly errorExtras?: Record<string, unknown>;
}

/**
 * The CONSUMER.* verbs of nats-server 2.9 (`tokens` after `$JS.API`); undefined for subjects it
 * does not serve. MSG.NEXT is not here: it answers with messages, not JSON.
 */
export function consumerRequest(tokens: readonly string[], body: Uint8Array): ConsumerRequest | undefined {
  const op = tokens[1];
  const stream = tokens[2];
  if (stream === undefined) return undefined;
  if (op === 'CREATE' || op === 'DURABLE') {
    const subject = consumerCreateSubject(tokens);
    return subject === undefined ? undefined : { type: 'consumer_create_response', handle: (a) => createConsumer(a, subject, body) };
  }
  if (op === 'NAMES' && tokens.length === 3) return { type: 'consumer_names_response', handle: (a) => consumerNames(a, stream, body), errorExtras: { total: 0, offset: 0, limit: 0, consumers: [] } };
  if (op === 'LIST' && tokens.length === 3) return { type: 'consumer_list_response', handle: (a) => consumerList(a, stream, body), errorExtras: { total: 0, offset: 0, limit: 0, consumers: [] } };
  if (tokens.length !== 4) {
    if (op === 'LEADER' && tokens[2] === 'STEPDOWN' && tokens.length === 5) return { type: 'consumer_leader_stepdown_response', handle: () => fail(jsError('ClusterRequired')) };
    return undefined;
  }
  const name = tokens[3]!;
  if (op === 'INFO') return { type: 'consumer_info_response', handle: (a) => consumerInfo(a, stream, name) };
  if (op === 'DELETE') return { type: 'consumer_delete_response', handle: (a) => deleteConsumer(a, stream, name) };
  return undefined;
}

function createConsumer(account: JetStreamAccount, subject: ConsumerCreateSubject, body: Uint8Array): Outcome {
  const stream = account.streams.get(subject.stream);
  const others = stream === undefined ? [] : [...stream.consumers.values()];
  const parsed = parseConsumerCreate(
    body,
    subject,
    stream === undefined
      ? undefined
      : {
          config: stream.config,
          otherFilters: others.map((c) => c.config.filter_subject),
          consumer: (name) => stream.consumers.get(name)?.config,
          streamConfig: (name) => account.streams.get(name)?.config,
        },
    { maxAckPending: account.limits.maxAckPending, maxConsumers: account.limits.maxConsumers },
  );
  if ('error' in parsed) return fail(parsed.error);
  const { config } = parsed;
  const existing = parsed.name !== undefined ? stream!.consumers.get(parsed.name) : undefined;
  if (existing !== undefined) {
    account.updateConsumer(existing, config);
    return existing.info();
  }
  const limits = account.limits;
  if (limits.maxConsumers > 0 && account.consumerCount() >= limits.maxConsumers) return fail(jsError('MaximumConsumersLimit'));
  let name = parsed.name;
  while (name === undefined || stream!.consumers.has(name)) name = randomName();
  return account.createConsumer(stream!, name, config).info();
}

function consumerInfo(account: JetStreamAccount, streamName: string, name: string): Outcome {
  const stream = account.streams.get(streamName);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const consumer = stream.consumers.get(name);
  if (consumer === undefined) return fail(jsError('ConsumerNotFound'));
  return consumer.info();
}

function deleteConsumer(account: JetStreamAccount, streamName: string, name: string): Outcome {
  const stream = account.streams.get(streamName);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const consumer = stream.consumers.get(name);
  if (consumer === undefined) return fail(jsError('ConsumerNotFound'));
  account.deleteConsumer(stream, consumer);
  return { success: true };
}

function pageOffset(body: Uint8Array): number | undefined {
  if (body.length === 0) return 0;
  try {
    const value = JSON.parse(Buffer.from(body).toString('utf8')) as { offset?: unknown };
    return typeof value.offset === 'number' && value.offset > 0 ? Math.floor(value.offset) : 0;
  } catch {
    return undefined;
  }
}

function consumerNames(account: JetStreamAccount, streamName: string, body: Uint8Array): Outcome {
  const offset = pageOffset(body);
  if (offset === undefined) return fail(jsError('InvalidJSON'));
  const stream = account.streams.get(streamName);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const names = publicConsumers(stream).map((c) => c.name).sort();
  const from = Math.min(offset, names.length);
  const page = names.slice(from, from + NAMES_LIMIT);
  return { total: names.length, offset: from, limit: NAMES_LIMIT, consumers: page };
}

function consumerList(account: JetStreamAccount, streamName: string, body: Uint8Array): Outcome {
  const offset = pageOffset(body);
  if (offset === undefined) return fail(jsError('InvalidJSON'));
  const stream = account.streams.get(streamName);
  if (stream === undefined) return fail(jsError('StreamNotFound'));
  const consumers = publicConsumers(stream).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const from = Math.min(offset, consumers.length);
  const page = consumers.slice(from, from + LIST_LIMIT).map((c) => c.info());
  return { total: consumers.length, offset: from, limit: LIST_LIMIT, consumers: page };
}

/** The consumers NAMES and LIST show: not the direct ones mirrors and sources create. */
function publicConsumers(stream: Stream): Consumer[] {
  return [...stream.consumers.values()].filter((c) => c.config.direct !== true);
}

/** nats-server names ephemeral consumers with 8 random characters. */
function randomName(): string {
  const bytes = randomBytes(8);
  let name = '';
  for (const b of bytes) name += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return name;
}
