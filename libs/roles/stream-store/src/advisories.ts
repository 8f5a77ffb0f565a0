import { randomBytes } from 'node:crypto';
import { goJson } from './api/go-json.js';
import { nowNs, rfc3339Nano } from './api/time.js';

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ADVISORY = 'io.nats.jetstream.advisory.v1.';
const METRIC = 'io.nats.jetstream.metric.v1.';

/** Where advisories go out: only subjects someone listens on are built and published. */
export interface AdvisoryOutlet {
  readonly domain: string | undefined;
  hasInterest(accountName: string, subject: string): boolean;
  publishJson(accountName: string, subject: string, json: string): void;
}

/**
 * nats-server 2.9's JetStream advisories on `$JS.EVENT.ADVISORY.>`, in the account of the stream:
 * stream and consumer actions, max deliveries, terminated messages, and the API audit; and the
 * sampled ack metrics on `$JS.EVENT.METRIC.>`.
 */
export class Advisories {
  constructor(private readonly outlet: AdvisoryOutlet) {}

  streamAction(account: string, stream: string, action: 'create' | 'delete' | 'modify'): void {
    const verb = action === 'create' ? 'CREATED' : action === 'delete' ? 'DELETED' : 'UPDATED';
    this.send(account, `$JS.EVENT.ADVISORY.STREAM.${verb}.${stream}`, ADVISORY + 'stream_action', { stream, action });
  }

  consumerAction(account: string, stream: string, consumer: string, action: 'create' | 'delete'): void {
    const verb = action === 'create' ? 'CREATED' : 'DELETED';
    this.send(account, `$JS.EVENT.ADVISORY.CONSUMER.${verb}.${stream}.${consumer}`, ADVISORY + 'consumer_action', { stream, consumer, action });
  }

  maxDeliveries(account: string, stream: string, consumer: string, streamSeq: number, deliveries: number): void {
    this.send(account, `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`, ADVISORY + 'max_deliver', { stream, consumer, stream_seq: streamSeq, deliveries });
  }

  terminated(account: string, stream: string, consumer: string, consumerSeq: number, streamSeq: number, deliveries: number): void {
    this.send(account, `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${stream}.${consumer}`, ADVISORY + 'terminated', {
      stream,
      consumer,
      consumer_seq: consumerSeq,
      stream_seq: streamSeq,
      deliveries,
    });
  }

  /** A sampled ack (sample_freq): how long after its delivery (or progress) the message was acked. */
  ackMetric(account: string, stream: string, consumer: string, consumerSeq: number, streamSeq: number, ackTimeNs: number, deliveries: number): void {
    this.send(
      account,
      `$JS.EVENT.METRIC.CONSUMER.ACK.${stream}.${consumer}`,
      METRIC + 'consumer_ack',
      { stream, consumer, consumer_seq: consumerSeq, stream_seq: streamSeq, ack_time: ackTimeNs, deliveries },
    );
  }

  /** After every API request: what was asked and answered (`request` left out when empty). */
  apiAudit(account: string, server: string, subject: string, request: string, response: string): void {
    const fields: Record<string, unknown> = { server, client: { acc: account, server }, subject };
    if (request !== '') fields.request = request;
    fields.response = response;
    this.send(account, '$JS.EVENT.ADVISORY.API', ADVISORY + 'api_audit', fields);
  }

  private send(account: string, subject: string, type: string, fields: Record<string, unknown>): void {
    const outlet = this.outlet;
    if (!outlet.hasInterest(account, subject)) return;
    const event: Record<string, unknown> = { type, id: eventId(), timestamp: rfc3339Nano(nowNs()), ...fields };
    if (outlet.domain !== undefined) event.domain = outlet.domain;
    outlet.publishJson(account, subject, goJson(event));
  }
}

/** A 22-character id, as nats-server's nuid gives each event. */
function eventId(): string {
  let id = '';
  for (const b of randomBytes(22)) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}
