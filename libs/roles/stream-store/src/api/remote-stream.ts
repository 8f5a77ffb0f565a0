import type { RedisStreamSummary } from '../store/redis-connection.js';
import type { StreamConfig } from '../streams/stream-config.js';
import { rfc3339Nano } from './time.js';

/**
 * A stream of the account that another server (or stream-store process) serves, as Redis keeps
 * it: the server answering an account-wide request (INFO, STREAM.NAMES, STREAM.LIST) counts and
 * lists it beside its own.
 */
export interface RemoteStream {
  readonly name: string;
  readonly config: StreamConfig;
  /** Its StreamInfo as nats-server writes it in STREAM.LIST. */
  readonly info: Record<string, unknown>;
  readonly bytes: number;
  readonly consumers: number;
}

/** A summary read from Redis as a listed stream; `domain` as the server's. */
export function remoteStream(summary: RedisStreamSummary, domain: string | undefined): RemoteStream {
  const config = JSON.parse(summary.config) as StreamConfig;
  const empty = summary.messages === 0;
  // As a store reports an empty stream: 0 when new, else the sequence after the last; no first time.
  const firstSeq = !empty ? summary.firstSeq : summary.lastSeq === 0 ? 0 : summary.lastSeq + 1;
  const state: Record<string, unknown> = {
    messages: summary.messages,
    bytes: summary.bytes,
    first_seq: firstSeq,
    first_ts: rfc3339Nano(empty ? 0n : summary.firstTimeNs),
    last_seq: summary.lastSeq,
    last_ts: rfc3339Nano(summary.lastTimeNs),
  };
  if (summary.numSubjects > 0) state.num_subjects = summary.numSubjects;
  const deleted = empty ? 0 : summary.lastSeq - firstSeq + 1 - summary.messages;
  if (deleted > 0) state.num_deleted = deleted;
  state.consumer_count = summary.consumers;
  const info: Record<string, unknown> = { config, created: summary.created, state };
  if (summary.leader !== undefined) info.cluster = { leader: summary.leader };
  if (domain !== undefined) info.domain = domain;
  return { name: summary.name, config, info, bytes: summary.bytes, consumers: summary.consumers };
}
