// A leaf remote with `hub: true`: the server that dials is the hub of the server it dials, which
// takes the spoke's side. A hub tells its spoke all of its interest (its cluster's too) and
// passes the spoke's messages on over routes; a spoke does neither. Against nats-server 2.9 in
// every pairing, beside the same cluster with an ordinary remote, where the roles are the usual
// ones and the dialing side's cluster peers stay out of reach.
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { Received, clusterUrl, connectTo, sleep, startClusterMember, waitForMesh } from './cluster-helpers.js';
import { leafPort, publishUntilReceived, startHub, waitForLeafs } from './leaf-helpers.js';
import { targets, type RunningServer, type Target } from './support/servers.js';

const PAIRS: Array<[Target, Target]> = [
  ['nats-ts', 'nats-ts'],
  ['nats-server', 'nats-ts'],
  ['nats-ts', 'nats-server'],
];

describe.each(PAIRS.filter(([dialer, listener]) => targets.includes(dialer) && targets.includes(listener)))(
  'leaf remote with hub: true: %s cluster dials a %s server',
  (dialerTarget, listenerTarget) => {
    const connections: NatsConnection[] = [];
    const servers: RunningServer[] = [];

    afterEach(async () => {
      await Promise.all(connections.splice(0).map((nc) => (nc.isClosed() ? undefined : nc.close())));
      await Promise.all(servers.splice(0).map((s) => s.stop()));
    });

    async function client(server: RunningServer): Promise<NatsConnection> {
      const nc = await connectTo(server);
      connections.push(nc);
      return nc;
    }

    /** A server with a leafnodes listener, and a two-server cluster whose first member dials it. */
    async function topology(remoteExtra: string): Promise<{ listener: RunningServer; dialer: RunningServer; peer: RunningServer }> {
      const listener = await startHub(listenerTarget);
      servers.push(listener);
      const remote = `leafnodes {\n  reconnect: 1\n  remotes: [ { url: "nats-leaf://127.0.0.1:${leafPort(listener)}" ${remoteExtra} } ]\n}`;
      const dialer = await startClusterMember(dialerTarget, { extra: remote });
      servers.push(dialer);
      const peer = await startClusterMember(dialerTarget, { routes: [clusterUrl(dialer)] });
      servers.push(peer);
      await waitForMesh([dialer, peer]);
      await waitForLeafs(listener, 1);
      await waitForLeafs(dialer, 1);
      return { listener, dialer, peer };
    }

    it('makes the dialing server the hub: its cluster peer and the dialed server reach each other', async () => {
      const { listener, peer } = await topology(', hub: true');
      const atListener = await client(listener);
      const atPeer = await client(peer);
      const upAtPeer = new Received(atPeer, 'hub.up');
      const downAtListener = new Received(atListener, 'hub.down');
      await atPeer.flush();
      await atListener.flush();
      // The spoke's message goes to its hub, and on over the hub's route.
      await publishUntilReceived(atListener, 'hub.up', 'from the spoke', upAtPeer, 15_000);
      // A message from the hub's route reaches the spoke, since it is a leaf this cluster is the hub of.
      await publishUntilReceived(atPeer, 'hub.down', 'to the spoke', downAtListener, 15_000);
    });

    it('keeps the usual roles without it: the dialing cluster\'s peer is out of the dialed server\'s reach', async () => {
      const { listener, dialer, peer } = await topology('');
      const atListener = await client(listener);
      const atDialer = await client(dialer);
      const atPeer = await client(peer);
      const atDialerUp = new Received(atDialer, 'hub.up');
      const atPeerUp = new Received(atPeer, 'hub.up');
      await atDialer.flush();
      await atPeer.flush();
      // The dialer is the spoke: its own client hears the dialed server, its route peer does not.
      await publishUntilReceived(atListener, 'hub.up', 'to the spoke', atDialerUp, 15_000);
      atListener.publish('hub.up', 'once more');
      await atListener.flush();
      await atDialerUp.waitFor(2);
      await sleep(500);
      expect(atPeerUp.texts).toEqual([]);
    });
  },
);
