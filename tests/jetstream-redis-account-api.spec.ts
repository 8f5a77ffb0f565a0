// The account-wide JetStream API on the Redis store in a cluster: two routed nats-ts servers on
// one redis-server, each owning streams. Every server receives each request; exactly one reply
// comes back, and it lists every stream of the account with the account's totals, whichever
// server the client is on. Requests for a stream no server serves get one answer too, and a
// request for another server's stream is handed to that server, which answers alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterUrl, sleep, startClusterMember, waitForMesh, waitForRouteInterest, type Json } from './cluster-helpers.js';
import { startRedis, stopAllRedis } from './support/redis.js';
import { stopAllServers } from './support/servers.js';

afterAll(async () => {
  await stopAllServers();
  await stopAllRedis();
});

/** Every answer to one API request within `waitMs` (each server of the cluster receives it). */
async function answersTo(nc: NatsConnection, subject: string, body: unknown, waitMs = 750): Promise<Json[]> {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox);
  const answers: Json[] = [];
  const collected = (async () => {
    for await (const m of sub) answers.push(m.json<Json>());
  })();
  nc.publish(subject, body === '' ? '' : JSON.stringify(body), { reply: inbox });
  await sleep(waitMs);
  sub.unsubscribe();
  await collected;
  return answers;
}

/** The one answer to a request; fails when there are none or several. */
async function onlyAnswer(nc: NatsConnection, subject: string, body: unknown = ''): Promise<Json> {
  const answers = await answersTo(nc, subject, body);
  expect(answers, `the answers to ${subject}`).toHaveLength(1);
  return answers[0]!;
}

describe('JetStream account API on the Redis store in a cluster [nats-ts]', () => {
  it('answers INFO, STREAM.NAMES, STREAM.LIST and requests for missing streams once, with every server’s streams', { timeout: 90_000 }, async () => {
    const redis = await startRedis();
    const dirs = [mkdtempSync(join(tmpdir(), 'js-redis-api-a-')), mkdtempSync(join(tmpdir(), 'js-redis-api-b-'))];
    const jetstreamOf = (name: string, dir: string): string => `server_name: ${name}\njetstream { store_dir: ${JSON.stringify(dir)}, redis: "${redis.url}/0" }`;
    const a = await startClusterMember('nats-ts', { extra: jetstreamOf('a', dirs[0]!) });
    const b = await startClusterMember('nats-ts', { routes: [clusterUrl(a)], extra: jetstreamOf('b', dirs[1]!) });
    let ca: NatsConnection | undefined;
    let cb: NatsConnection | undefined;
    try {
      await waitForMesh([a, b]);
      await a.waitForOutput('Redis Store');
      await b.waitForOutput('Redis Store');
      ca = await connect({ servers: a.clientUrl });
      cb = await connect({ servers: b.clientUrl });

      // A create is answered once; a server takes the streams created through its clients.
      const alpha = await onlyAnswer(ca, '$JS.API.STREAM.CREATE.ALPHA', { name: 'ALPHA', subjects: ['alpha.*'] });
      expect(alpha).toMatchObject({ did_create: true, cluster: { leader: 'a' } });
      const beta = await onlyAnswer(cb, '$JS.API.STREAM.CREATE.BETA', { name: 'BETA', subjects: ['beta.*'], num_replicas: 3 });
      expect(beta).toMatchObject({ did_create: true, cluster: { leader: 'b' } });
      // Creating what another server serves: that one answers, alone.
      expect((await onlyAnswer(cb, '$JS.API.STREAM.CREATE.ALPHA', { name: 'ALPHA', subjects: ['alpha.*'] })).cluster).toEqual({ leader: 'a' });
      expect((await onlyAnswer(ca, '$JS.API.STREAM.CREATE.BETA', { name: 'BETA', subjects: ['beta.*'] })).error).toMatchObject({ err_code: 10058 });
      await waitForRouteInterest([a], 'beta.*');
      await waitForRouteInterest([b], 'alpha.*');

      const js = jetstream(cb);
      for (let i = 0; i < 10; i++) expect((await js.publish(`alpha.${i % 3}`, `a${i}`)).stream).toBe('ALPHA');
      for (let i = 0; i < 4; i++) expect((await js.publish('beta.x', new Uint8Array(1024))).stream).toBe('BETA');
      expect((await onlyAnswer(ca, '$JS.API.STREAM.MSG.DELETE.ALPHA', { seq: 1 })).success).toBe(true);
      expect((await onlyAnswer(cb, '$JS.API.CONSUMER.CREATE.BETA.READER', { stream_name: 'BETA', config: { durable_name: 'READER', ack_policy: 'explicit' } })).error).toBeUndefined();
      expect((await onlyAnswer(ca, '$JS.API.CONSUMER.CREATE.ALPHA.R1', { stream_name: 'ALPHA', config: { durable_name: 'R1', ack_policy: 'explicit' } })).error).toBeUndefined();
      expect((await onlyAnswer(ca, '$JS.API.CONSUMER.CREATE.ALPHA.R2', { stream_name: 'ALPHA', config: { durable_name: 'R2', ack_policy: 'none' } })).error).toBeUndefined();

      // Each owner's own view of its stream, to compare with what the other server lists.
      const own: Record<string, Json> = {
        ALPHA: await onlyAnswer(cb, '$JS.API.STREAM.INFO.ALPHA'),
        BETA: await onlyAnswer(ca, '$JS.API.STREAM.INFO.BETA'),
      };
      expect(own.ALPHA!.state).toMatchObject({ messages: 9, first_seq: 2, last_seq: 10, num_subjects: 3, consumer_count: 2 });
      expect(own.BETA!.state).toMatchObject({ messages: 4, first_seq: 1, last_seq: 4, num_subjects: 1, consumer_count: 1 });
      const storage = (own.ALPHA!.state.bytes as number) + (own.BETA!.state.bytes as number);

      for (const nc of [ca, cb]) {
        const info = await onlyAnswer(nc, '$JS.API.INFO');
        expect(info).toMatchObject({ type: 'io.nats.jetstream.api.v1.account_info_response', streams: 2, consumers: 3, storage, memory: 0 });

        const names = await onlyAnswer(nc, '$JS.API.STREAM.NAMES', {});
        expect(names).toMatchObject({ total: 2, offset: 0, streams: ['ALPHA', 'BETA'] });
        expect((await onlyAnswer(nc, '$JS.API.STREAM.NAMES', { subject: 'beta.x' })).streams).toEqual(['BETA']);

        const list = await onlyAnswer(nc, '$JS.API.STREAM.LIST', {});
        expect(list.total).toBe(2);
        const listed = list.streams as Json[];
        expect(listed.map((s) => s.config.name)).toEqual(['ALPHA', 'BETA']);
        for (const entry of listed) {
          const mine = own[entry.config.name as string]!;
          // One of the two is listed from Redis: as its owner reports it.
          expect(entry.config).toEqual(mine.config);
          expect(entry.created).toBe(mine.created);
          expect(entry.state).toEqual(mine.state);
          expect(entry.cluster).toEqual(mine.cluster);
        }
        expect(listed[1]!.config.num_replicas).toBe(3);
      }

      // A stream no server serves: one "not found" per request, whichever server the client is on.
      for (const nc of [ca, cb]) {
        for (const verb of ['INFO', 'DELETE', 'PURGE']) {
          expect((await onlyAnswer(nc, `$JS.API.STREAM.${verb}.MISSING`)).error).toMatchObject({ code: 404, err_code: 10059 });
        }
        expect((await onlyAnswer(nc, '$JS.API.CONSUMER.INFO.MISSING.C')).error).toMatchObject({ code: 404, err_code: 10059 });
      }
      // A pull for a missing stream goes unanswered, as from nats-server.
      expect(await answersTo(ca, '$JS.API.CONSUMER.MSG.NEXT.MISSING.C', { batch: 1 })).toEqual([]);

      // Deleting a stream of the other server's: once, and gone from every listing.
      expect(await onlyAnswer(ca, '$JS.API.STREAM.DELETE.BETA')).toMatchObject({ success: true });
      for (const nc of [ca, cb]) {
        expect(await onlyAnswer(nc, '$JS.API.INFO')).toMatchObject({ streams: 1, consumers: 2, storage: own.ALPHA!.state.bytes });
        expect((await onlyAnswer(nc, '$JS.API.STREAM.NAMES', {})).streams).toEqual(['ALPHA']);
      }
      // And one of the server the client is on: once too (the request reaches it twice).
      expect(await onlyAnswer(ca, '$JS.API.STREAM.DELETE.ALPHA')).toMatchObject({ success: true });
      expect(await onlyAnswer(cb, '$JS.API.INFO')).toMatchObject({ streams: 0, consumers: 0, storage: 0 });
    } finally {
      await ca?.close();
      await cb?.close();
      await a.stop();
      await b.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
