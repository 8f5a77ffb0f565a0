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
});
