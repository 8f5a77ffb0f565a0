import { describe, expect, it } from 'vitest';
import { mergeEndpoints } from './merge-endpoints.js';
import type { RunningRole } from './role.js';

function role(name: string, endpoints: ReturnType<RunningRole['endpoints']>): RunningRole {
  return {
    name,
    ports: {},
    endpoints: () => endpoints,
    reload: () => undefined,
    enterLameDuck: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

describe('mergeEndpoints', () => {
  it('keeps single endpoints as they are, with their rendering', async () => {
    const merged = mergeEndpoints([role('a', { '/healthz': { handler: () => ({ status: 'ok' }), compact: true } })]);
    expect(merged.get('/healthz')?.compact).toBe(true);
    expect(await merged.get('/healthz')!.handler({})).toEqual({ status: 'ok' });
  });

  it('merges documents several roles serve at one path, in role order', async () => {
    const merged = mergeEndpoints([
      role('client', { '/varz': () => ({ server_id: 'N', cluster: {}, routes: 0, connections: 2 }) }),
      role('routes', { '/varz': (q) => Promise.resolve({ cluster: { name: q.name }, routes: 2 }), '/routez': () => ({ num_routes: 2 }) }),
    ]);
    const varz = (await merged.get('/varz')!.handler({ name: 'A' })) as Record<string, unknown>;
    expect(varz).toEqual({ server_id: 'N', cluster: { name: 'A' }, routes: 2, connections: 2 });
    expect(Object.keys(varz)).toEqual(['server_id', 'cluster', 'routes', 'connections']);
    expect([...merged.keys()]).toEqual(['/varz', '/routez']);
  });

  it('adds up the message and byte counters each role reports', async () => {
    const merged = mergeEndpoints([
      role('client', { '/varz': () => ({ in_msgs: 5, out_msgs: 7, in_bytes: 50, out_bytes: 70, connections: 1 }) }),
      role('routes', { '/varz': () => ({ in_msgs: 3, out_msgs: 2, in_bytes: 30, out_bytes: 20, routes: 1 }) }),
      role('leafs', { '/varz': () => ({ in_msgs: 1, out_msgs: 0, in_bytes: 10, out_bytes: 0 }) }),
    ]);
    expect(await merged.get('/varz')!.handler({})).toEqual({ in_msgs: 9, out_msgs: 9, in_bytes: 90, out_bytes: 90, connections: 1, routes: 1 });
  });
});
