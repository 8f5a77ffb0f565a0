import { describe, expect, it } from 'vitest';
import { isEmptyRequest, parseRestoreRequest, parseSnapshotRequest } from './snapshot-api.js';

const body = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('snapshot and restore requests', () => {
  it('takes no body, {} and an object without members as empty, as nats-server', () => {
    expect(['', '{}', ' { } '].map((text) => isEmptyRequest(body(text)))).toEqual([true, true, true]);
    expect(['null', '[]', '{bad', '{"a":1}'].map((text) => isEmptyRequest(body(text)))).toEqual([false, false, false, false]);
  });

  it('fills in the default chunk and window sizes, and clamps them as later nats-server versions do', () => {
    expect(parseSnapshotRequest(body('{"deliver_subject":"in.box"}'))).toEqual({ deliverSubject: 'in.box', chunkSize: 128 * 1024, maxInflight: 64 });
    expect(parseSnapshotRequest(body('{"deliver_subject":"x","chunk_size":10,"window_size":-5}'))).toEqual({ deliverSubject: 'x', chunkSize: 1024, maxInflight: 1 });
    expect(parseSnapshotRequest(body('{"deliver_subject":"x","chunk_size":99999999,"window_size":99999999}'))).toEqual({ deliverSubject: 'x', chunkSize: 1024 * 1024, maxInflight: 32 });
    // A window smaller than a chunk still lets one chunk go.
    expect(parseSnapshotRequest(body('{"deliver_subject":"x","chunk_size":65536,"window_size":2048}'))).toMatchObject({ maxInflight: 1 });
  });

  it('refuses wrong types as invalid JSON and wildcard or empty deliver subjects', () => {
    expect(parseSnapshotRequest(body('{"deliver_subject":"x","chunk_size":1.5}'))).toMatchObject({ error: { err_code: 10025 } });
    expect(parseSnapshotRequest(body('{"deliver_subject":"x","jsck":"yes"}'))).toMatchObject({ error: { err_code: 10025 } });
    for (const subject of ['', 'a.*', 'a.>', 'a b']) {
      expect(parseSnapshotRequest(body(JSON.stringify({ deliver_subject: subject })))).toMatchObject({ error: { err_code: 10015 } });
    }
  });

  it('takes the config name from the subject when the config has none, and the config name otherwise', () => {
    expect(parseRestoreRequest(body('{"config":{"subjects":["a"]}}'), 'S', {})).toMatchObject({ config: { name: 'S', subjects: ['a'], storage: 'file' } });
    expect(parseRestoreRequest(body('{"config":{"name":"T"}}'), 'S', {})).toMatchObject({ config: { name: 'T' } });
    expect(parseRestoreRequest(body('{"config":{"name":"T","sealed":true}}'), 'T', {})).toMatchObject({ config: { sealed: true } });
    expect(parseRestoreRequest(body('{"config":{"name":"a/b"}}'), 'S', {})).toMatchObject({ error: { err_code: 10128 } });
  });

  it('checks the state for the types Go decodes it into', () => {
    const state = (json: string): unknown => parseRestoreRequest(body(`{"config":{"name":"S"},"state":${json}}`), 'S', {});
    expect(state('{"messages":3,"first_ts":"2024-01-01T00:00:00Z","deleted":[4],"subjects":{"a":1},"lost":{"msgs":[1],"bytes":2}}')).toHaveProperty('config');
    expect(state('null')).toHaveProperty('config');
    for (const bad of ['5', '{"messages":-1}', '{"first_ts":"yesterday"}', '{"deleted":[true]}', '{"subjects":{"a":"b"}}', '{"num_deleted":1.5}']) {
      expect(state(bad)).toMatchObject({ error: { err_code: 10025 } });
    }
  });
});
