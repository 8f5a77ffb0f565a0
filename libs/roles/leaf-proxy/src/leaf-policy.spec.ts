import { describe, expect, it } from 'vitest';
import { KIND_BIT, type RouterOrigin } from '@nats-ts/routing';
import { leafTakes, linkReaches, memberReaches, SPOKE_FORWARDS, type LeafSide } from './leaf-policy.js';

const hub: LeafSide = { isSpoke: true, remoteCluster: 'hub' };
const otherHub: LeafSide = { isSpoke: true, remoteCluster: 'hub2' };
const leafA: LeafSide = { isSpoke: false, remoteCluster: 'A' };
const leafA2: LeafSide = { isSpoke: false, remoteCluster: 'A' };
const leafB: LeafSide = { isSpoke: false, remoteCluster: '' };

const origin = (kind: RouterOrigin['originKind']): RouterOrigin => ({ originKind: kind, originMember: 'm' });

describe('leaf policy', () => {
  it('keeps a message off the connection it came on, between two of our hubs and between leafs of one cluster', () => {
    const leaf = origin('leaf');
    expect(leafTakes(leafA, leaf, leafA)).toBe(false);
    expect(leafTakes(otherHub, leaf, hub)).toBe(false);
    expect(leafTakes(leafA2, leaf, leafA)).toBe(false);
    expect(leafTakes(leafB, leaf, leafA)).toBe(true);
    expect(leafTakes(hub, leaf, leafA)).toBe(true);
    expect(leafTakes(leafA, leaf, hub)).toBe(true);
    expect(linkReaches(leafB, leafB)).toBe(true);
  });

  it('gives messages of routes and gateways only to leafs we are the hub of', () => {
    for (const kind of ['route', 'gateway'] as const) {
      expect(leafTakes(hub, origin(kind), undefined)).toBe(false);
      expect(leafTakes(leafA, origin(kind), undefined)).toBe(true);
    }
    for (const kind of ['client', 'internal', 'node', 'leaf'] as const) expect(leafTakes(hub, origin(kind), undefined)).toBe(true);
    expect(memberReaches(true, hub)).toBe(false);
    expect(memberReaches(false, hub)).toBe(true);
  });

  it("keeps a spoke's messages from other servers' interest", () => {
    expect(SPOKE_FORWARDS & (KIND_BIT.route | KIND_BIT.gateway)).toBe(0);
    expect(SPOKE_FORWARDS & (KIND_BIT.client | KIND_BIT.internal | KIND_BIT.leaf | KIND_BIT.node)).toBe(KIND_BIT.client | KIND_BIT.internal | KIND_BIT.leaf | KIND_BIT.node);
  });
});
