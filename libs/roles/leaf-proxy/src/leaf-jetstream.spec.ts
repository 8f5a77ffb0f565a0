import { describe, expect, it } from 'vitest';
import { withJetStreamDenies } from './leaf-jetstream.js';

describe('withJetStreamDenies', () => {
  it('leaves the permissions alone without JetStream here', () => {
    const base = { publish: { deny: ['a'] } };
    expect(withJetStreamDenies(base, { enabled: false }, 'hub')).toBe(base);
  });

  it('keeps the plain API local both ways, and our own domain\'s API when the other side has another', () => {
    expect(withJetStreamDenies({ publish: { deny: ['private.>'] }, subscribe: { deny: ['secret.>'] } }, { enabled: true, domain: 'edge' }, 'hub')).toEqual({
      publish: { deny: ['private.>', '$JS.API.>', '$KV.>', '$OBJ.>', '$JS.edge.API.>'] },
      subscribe: { deny: ['secret.>', '$JS.API.>', '$KV.>', '$OBJ.>'] },
    });
    expect(withJetStreamDenies(undefined, { enabled: true, domain: 'same' }, 'same')?.publish?.deny).toEqual(['$JS.API.>', '$KV.>', '$OBJ.>']);
    expect(withJetStreamDenies(undefined, { enabled: true }, undefined)?.publish?.deny).toEqual(['$JS.API.>', '$KV.>', '$OBJ.>']);
  });
});
