import { rfc3339Nano, nowNs } from './api/time.js';
import type { StreamStoreService } from './stream-store.js';

/** /varz's `jetstream` block as nats-server 2.9 writes it: `{}` when JetStream is off. */
export function jetStreamVarz(service: StreamStoreService | undefined): Record<string, unknown> {
  if (service === undefined) return { jetstream: {} };
  return { jetstream: { config: jetStreamConfig(service), stats: jetStreamStats(service) } };
}

/**
 * GET /jsz: the server's JetStream totals; `accounts` adds each account, `streams` each stream,
 * `config` the streams' configurations, `acc` narrows to one account (nats-server's JSzOptions).
 */
export function buildJsz(service: StreamStoreService | undefined, serverId: string, serverName: string, query: Record<string, string>): Record<string, unknown> {
  const now = rfc3339Nano(nowNs());
  if (service === undefined) return { server_id: serverId, now, disabled: true, config: { max_memory: 0, max_storage: 0 }, ...emptyStats(), streams: 0, consumers: 0, messages: 0, bytes: 0 };
  const flag = (name: string): boolean => query[name] === 'true' || query[name] === '1';
  const withConfig = flag('config');
  const withStreams = flag('streams') || flag('consumers');
  const withAccounts = flag('accounts') || withStreams || query.acc !== undefined;
  let streams = 0;
  let consumers = 0;
  let messages = 0;
  let bytes = 0;
  for (const account of service.accounts.values()) {
    for (const stream of account.streams.values()) {
      const s = stream.state();
      streams++;
      consumers += stream.publicConsumerCount();
      messages += s.messages;
      bytes += s.bytes;
    }
  }
  const out: Record<string, unknown> = { server_id: serverId, now, config: jetStreamConfig(service), ...jetStreamStats(service), streams, consumers, messages, bytes };
  if (withAccounts) {
    const details: Record<string, unknown>[] = [];
    for (const account of service.accounts.values()) {
      if (query.acc !== undefined && query.acc !== account.name) continue;
      const detail: Record<string, unknown> = {
        name: account.name,
        id: account.name,
        memory: account.used.memory,
        storage: account.used.file,
        reserved_memory: 0,
        reserved_storage: 0,
        accounts: 0,
        ha_assets: 0,
        api: { total: account.apiTotal, errors: account.apiErrors },
      };
      if (withStreams && account.streams.size > 0) {
        detail.stream_detail = [...account.streams.values()].map((stream) => ({
          name: stream.name,
          created: rfc3339Nano(stream.createdNs),
          // A single server leads every stream it has, as nats-server reports it.
          cluster: { leader: serverName },
          ...(withConfig ? { config: stream.config } : {}),
          state: stream.stateJson(),
        }));
      }
      details.push(detail);
    }
    if (details.length > 0) out.account_details = details;
  }
  return out;
}

function jetStreamConfig(service: StreamStoreService): Record<string, unknown> {
  const config: Record<string, unknown> = { max_memory: service.maxMemory, max_storage: service.maxStore, store_dir: service.storeRoot };
  if (service.domain !== undefined) config.domain = service.domain;
  return config;
}

function jetStreamStats(service: StreamStoreService): Record<string, unknown> {
  let total = 0;
  let errors = 0;
  for (const account of service.accounts.values()) {
    total += account.apiTotal;
    errors += account.apiErrors;
  }
  return {
    memory: service.used.memory,
    storage: service.used.file,
    reserved_memory: service.reserved.memory,
    reserved_storage: service.reserved.file,
    accounts: service.accounts.size,
    ha_assets: 0,
    api: { total, errors },
  };
}

function emptyStats(): Record<string, unknown> {
  return { memory: 0, storage: 0, reserved_memory: 0, reserved_storage: 0, accounts: 0, ha_assets: 0, api: { total: 0, errors: 0 } };
}
